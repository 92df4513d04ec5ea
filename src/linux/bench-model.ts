/**
 * `benchKernelModel()`: the model `mapcheck bench` runs to price the src/linux sanitizers
 * (steps/s with sanitizers on vs off, field `sanitizers_on_vs_off`). Each worker repeatedly looks
 * up a shared object under a spinlock (allocating it with kmalloc(GFP_ATOMIC) when absent), takes a
 * refcount on it, reads a field outside the lock, drops its reference (kfree on the last one) and
 * sometimes unpublishes it -- the lookup / get / put pattern of the seeds, correct by construction
 * so every execution runs to the end.
 * Follows the kref lookup pattern of Documentation/core-api/kref.rst (get under the lock that
 * protects the lookup structure).
 * Leaves out: a page-table access: src/linux must not import src/hw, so the variant with a
 * mapped page per object is src/hw's `benchHwModel`; bench/sanitizers.ts measures both.
 */
import { defineModel, type Model } from '../engine/model.js';
import type { Op } from '../engine/ops.js';
import { Field } from './field.js';
import { RefcountT, refcount_dec_and_test, refcount_inc } from './refcount.js';
import { GFP_ATOMIC, type KPtr, kfree, kmalloc } from './slab.js';
import { SpinlockT, spin_lock, spin_unlock } from './spinlock.js';

type G<R> = Generator<Op, R, unknown>;

interface Obj { ref: RefcountT; data: Field<number> }
interface BenchState { lock: SpinlockT; slot: Field<KPtr<Obj> | null> }
interface BenchParams { threads: number; rounds: number; [k: string]: number }

function* put(o: KPtr<Obj>, label: string): G<void> {
  if (yield* refcount_dec_and_test(o.ref, `${label}: refcount_dec_and_test`)) yield* kfree(o, `${label}: kfree`);
}

/** What a bench worker needs of its model: the lookup lock and the published slot. */
export interface BenchShared<O extends { readonly ref: RefcountT }> {
  readonly lock: SpinlockT;
  readonly slot: Field<KPtr<O> | null>;
}

/**
 * One worker's rounds (shared with src/hw's benchHwModel): look the object up under the lock,
 * `make` it when absent, take a reference; `use` it outside the lock; `put` it; sometimes
 * unpublish it and put the published reference. Module level, reached through an arrow: a
 * `function*` expression made per execution gets a hidden class of its own that keeps the
 * execution alive until a full GC.
 */
export function* benchRounds<O extends { readonly ref: RefcountT }>(
  s: BenchShared<O>, rounds: number, t: number,
  make: () => G<KPtr<O> | null>, use: (o: KPtr<O>) => G<void>, put: (o: KPtr<O>, label: string) => G<void>,
): G<void> {
  for (let r = 0; r < rounds; r++) {
    yield* spin_lock(s.lock, 'lookup: spin_lock');
    let o = yield* s.slot.get('lookup: o = slot');
    if (o === null) {
      o = yield* make();
      if (o === null) {
        yield* spin_unlock(s.lock, 'lookup: spin_unlock');
        continue;
      }
      yield* s.slot.set(o, 'lookup: slot = o');
    }
    yield* refcount_inc(o.ref, 'lookup: refcount_inc');
    yield* spin_unlock(s.lock, 'lookup: spin_unlock');
    yield* use(o);
    yield* put(o, 'use: put');
    yield* spin_lock(s.lock, 'unpublish: spin_lock');
    const cur = yield* s.slot.get('unpublish: cur = slot');
    const drop = cur === o && (r === rounds - 1 || (r + t) % 2 === 1);
    if (drop) yield* s.slot.set(null, 'unpublish: slot = NULL');
    yield* spin_unlock(s.lock, 'unpublish: spin_unlock');
    if (drop) yield* put(o, 'unpublish: put');
  }
}

function* readData(o: KPtr<Obj>): G<void> {
  yield* o.data.get('use: read o->data');
}

/** The bench model: `threads` workers x `rounds` lookups (defaults 3 x 4). */
export function benchKernelModel(): Model<BenchState, BenchParams> {
  return defineModel<BenchState, BenchParams>({
    name: 'bench/linux-kernel',
    description: 'spinlock-protected lookup + refcount get/put + kmalloc/kfree, for sanitizer cost',
    scenarios: { default: { threads: 3, rounds: 4 }, small: { threads: 2, rounds: 2 } },
    setup: () => ({ lock: new SpinlockT('obj_lock'), slot: new Field<KPtr<Obj> | null>(null, 'obj_slot') }),
    threads: (s, p) => Array.from({ length: p.threads }, (_, t) => ({
      name: `worker${t}`,
      body: () => benchRounds(s, p.rounds, t,
        () => kmalloc<Obj>('obj', GFP_ATOMIC, (b) => ({ ref: new RefcountT(1, 'ref', b), data: new Field(t, 'data', b) }), 'lookup: kmalloc'),
        readData, put),
    })),
  });
}
