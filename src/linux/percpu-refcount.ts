/**
 * struct percpu_ref: a reference count with a "dead" state, the lifetime tool of request queues
 * (blk_queue_enter / blk_queue_exit / blk_freeze_queue, v4.4), devm_memremap_pages and the DAX
 * mappings of v4.5 (`dax_map_atomic`): users `percpu_ref_tryget_live()` (fails once the ref is
 * killed) and `percpu_ref_put()`; the owner `percpu_ref_kill()`s it (no new users; its initial
 * reference dropped) and waits for the release callback, which runs when the last user has put.
 *
 * Follows include/linux/percpu-refcount.h and lib/percpu-refcount.c in *atomic mode*: the count
 * and the __PERCPU_REF_DEAD flag are one atomic word, so tryget_live is a compare-and-swap loop
 * (read, test DEAD and zero, cmpxchg) and put an atomic_sub_return (fully ordered: everything a
 * user did happens before the release that follows its last put). Percpu mode (per-CPU counters
 * summed when kill switches to atomic mode after an RCU-sched grace period) gives the same
 * outcomes for every interleaving, so it is not modelled. percpu_ref_init's alloc_percpu() is a
 * kmalloc'd block here: it can fail under allocation-failure injection, and a ref never
 * percpu_ref_exit()ed is a kmemleak leak.
 * Leaves out: percpu_ref_reinit / resurrect, percpu_ref_switch_to_*, the confirm-kill callback.
 */
import { peekValue } from '../engine/execution.js';
import type { Op } from '../engine/ops.js';
import { AtomicT, atomic_cmpxchg, atomic_fetch_or, atomic_read, atomic_set, atomic_sub_return } from './atomic.js';
import { WARN_ON } from './bug.js';
import { type KPtr, kfree, kmalloc } from './slab.js';

type G<R> = Generator<Op, R, unknown>;

/** __PERCPU_REF_DEAD, kept above the count in the one atomic word. */
export const PERCPU_REF_DEAD = 1 << 30;
const COUNT = PERCPU_REF_DEAD - 1;

/** struct percpu_ref. */
export class PercpuRef {
  readonly count: AtomicT;
  /** The alloc_percpu() counters (a heap block; null before init and after exit). */
  percpu: KPtr<object> | null = null;
  release: ((ref: PercpuRef) => G<unknown>) | null = null;
  constructor(readonly name: string, block = -1) {
    this.count = new AtomicT(0, name, block);
  }
  /** The count without an op (checks, inspect). */
  get value(): number {
    peekValue(this.count.id);
    return this.count.counter & COUNT;
  }
  get dead(): boolean {
    return (this.count.counter & PERCPU_REF_DEAD) !== 0;
  }
}

/** percpu_ref_init(ref, release, 0, gfp): count 1, live; 0 or -ENOMEM. */
export function* percpu_ref_init(ref: PercpuRef, release: (ref: PercpuRef) => G<unknown>, gfp: number, label = 'percpu_ref_init'): G<number> {
  const counters = yield* kmalloc<object>(`${ref.name} percpu counters`, gfp, undefined, `${label}: alloc_percpu`);
  if (counters === null) return -12;
  ref.percpu = counters;
  ref.release = release;
  yield* atomic_set(ref.count, 1, `${label}: atomic_long_set(&ref->count, 1)`);
  return 0;
}

/** percpu_ref_exit(ref): free the counters (the ref must be dead and zero). */
export function* percpu_ref_exit(ref: PercpuRef, label = 'percpu_ref_exit'): G<void> {
  const counters = ref.percpu;
  ref.percpu = null;
  yield* kfree(counters, `${label}: free_percpu`);
}

/** percpu_ref_tryget_live(ref): take a reference unless the ref was killed (or is at zero). */
export function* percpu_ref_tryget_live(ref: PercpuRef, label = 'percpu_ref_tryget_live'): G<boolean> {
  for (;;) {
    const v = yield* atomic_read(ref.count, `${label}: read count and __PERCPU_REF_DEAD`);
    if ((v & PERCPU_REF_DEAD) !== 0 || (v & COUNT) === 0) return false;
    if ((yield* atomic_cmpxchg(ref.count, v, v + 1, `${label}: atomic_long_inc_not_zero(&ref->count)`)) === v) return true;
  }
}

/** percpu_ref_put(ref): drop a reference; the last one runs the release callback. */
export function* percpu_ref_put(ref: PercpuRef, label = 'percpu_ref_put'): G<void> {
  const v = yield* atomic_sub_return(1, ref.count, `${label}: atomic_long_dec_and_test(&ref->count)`);
  WARN_ON((v & COUNT) === COUNT, `${label}: percpu ref <= 0 after switching to atomic`);
  if ((v & COUNT) === 0 && ref.release !== null) yield* ref.release(ref);
}

/** percpu_ref_kill(ref): mark it dead (tryget_live fails from now on), then drop the initial reference. */
export function* percpu_ref_kill(ref: PercpuRef, label = 'percpu_ref_kill'): G<void> {
  const old = yield* atomic_fetch_or(PERCPU_REF_DEAD, ref.count, `${label}: ref->percpu_count_ptr |= __PERCPU_REF_DEAD`);
  WARN_ON((old & PERCPU_REF_DEAD) !== 0, `${label}: percpu_ref_kill() called more than once`);
  yield* percpu_ref_put(ref, `${label}: percpu_ref_put`);
}

/** percpu_ref_is_zero(ref). */
export function* percpu_ref_is_zero(ref: PercpuRef, label = 'percpu_ref_is_zero'): G<boolean> {
  return ((yield* atomic_read(ref.count, label)) & COUNT) === 0;
}
