/**
 * refcount_t and kref: reference counters whose misuse is a 'refcount' violation, each operation
 * ONE visible op.
 *
 * Follows include/linux/refcount.h and lib/refcount.c: increment from 0 warns "refcount_t:
 * addition on 0; use-after-free.", a decrement from 0 "underflow; use-after-free.", an increment
 * past INT_MAX "saturated; leaking memory." and a plain refcount_dec() reaching 0 "decrement hit
 * 0; leaking memory.". The kernel then saturates the counter and carries on; the checker stops at
 * the violation instead (it is the finding). include/linux/kref.h builds kref on top.
 * refcount_dec_and_lock takes the lock only for the final put (lib/refcount.c). Ordering follows
 * Documentation/core-api/refcount-vs-atomic.rst: set/read/inc/add/inc_not_zero are unordered,
 * the decrements release, and dec_and_test / sub_and_test acquire on success (the kernel's
 * smp_acquire__after_ctrl_dep(), a fence without a scheduling point here).
 * Leaves out: refcount_dec_if_one, the _acquire variants of inc_not_zero.
 * With sanitizers off (`sanitize: false`) the counter behaves like a plain atomic_t.
 */
import { currentExecution, peekValue } from '../engine/execution.js';
import { Mo, type Op, op } from '../engine/ops.js';
import { ctrl_dep, lastEvent } from './deps.js';
import { kwarn } from './kernel.js';
import { type KMutex, mutex_lock, mutex_unlock } from './mutex.js';
import { type SpinlockT, spin_lock, spin_unlock } from './spinlock.js';

type G<R> = Generator<Op, R, unknown>;

export const REFCOUNT_MAX = 0x7fffffff;
export const REFCOUNT_SATURATED = -0x40000000;

/** refcount_t; `block` is the kmalloc'd struct it is a field of (-1: its own object). */
export class RefcountT {
  readonly id: number;
  refs: number;
  constructor(init: number, readonly name: string, block = -1) {
    const exec = currentExecution();
    this.id = exec.objects.add('refcount_t', name, block);
    this.refs = init;
    exec.mm?.register(this.id, this);
  }
  mmLoad(): unknown {
    return this.refs;
  }
  mmStore(v: unknown): void {
    this.refs = v as number;
  }
  get value(): number {
    peekValue(this.id);
    return this.refs;
  }
}

/**
 * A refcount_t warning; with keep-going the execution carries on with the counter saturated, as
 * the kernel's refcount_warn_saturate() leaves it (so later puts never free the object).
 */
function bad(r: RefcountT, what: string, label: string, old: number): void {
  const exec = currentExecution();
  r.refs = REFCOUNT_SATURATED;
  kwarn('refcount', `${exec.objects.label(r.id)}: ${what} (value was ${old}) at '${label}'`, label, {
    title: `refcount_t: ${what}`,
    object: exec.objects.ref(r.id),
    facts: { [exec.objects.label(r.id)]: old },
  });
}

export function* refcount_set(r: RefcountT, n: number, label = 'refcount_set'): G<void> {
  yield op.write(r.id, label, Mo.Once);
  r.refs = n;
}

export function* refcount_read(r: RefcountT, label = 'refcount_read'): G<number> {
  yield op.read(r.id, label, Mo.Once);
  return r.refs;
}

export function* refcount_add(i: number, r: RefcountT, label = 'refcount_add'): G<void> {
  yield op.rmw(r.id, label, Mo.Noreturn);
  const old = r.refs;
  if (currentExecution().sanitize) {
    if (old === 0) return bad(r, 'addition on 0; use-after-free.', label, old);
    if (old < 0 || old + i > REFCOUNT_MAX) return bad(r, 'saturated; leaking memory.', label, old);
  }
  r.refs = old + i;
}

export function* refcount_inc(r: RefcountT, label = 'refcount_inc'): G<void> {
  yield* refcount_add(1, r, label);
}

/** Increment unless 0; true when it incremented (the lookup-side half of a safe get). */
export function* refcount_inc_not_zero(r: RefcountT, label = 'refcount_inc_not_zero'): G<boolean> {
  yield op.rmwCond(r.id, label, Mo.Once);
  const old = r.refs;
  if (old === 0) return false;
  if (currentExecution().sanitize && (old < 0 || old === REFCOUNT_MAX)) {
    bad(r, 'saturated; leaking memory.', label, old);
    return true;
  }
  r.refs = old + 1;
  return true;
}

/** Subtract; true when the count reached 0 (the caller then frees the object). */
export function* refcount_sub_and_test(i: number, r: RefcountT, label = 'refcount_sub_and_test'): G<boolean> {
  yield op.rmw(r.id, label, Mo.Release);
  const old = r.refs;
  const exec = currentExecution();
  if (exec.sanitize && (old - i < 0 || old <= 0)) {
    bad(r, 'underflow; use-after-free.', label, old);
    return false;
  }
  r.refs = old - i;
  if (r.refs !== 0) return false;
  // The kernel's `if (old == i) { smp_acquire__after_ctrl_dep(); return true; }`: acquire on success.
  // smp_acquire__after_ctrl_dep() is smp_rmb() (later reads); later writes are ordered by the
  // control dependency on the value read, which the caller's `if (...) free` executes under.
  exec.fenceAfter(Mo.FenceRmb);
  ctrl_dep(lastEvent());
  return true;
}

export function* refcount_dec_and_test(r: RefcountT, label = 'refcount_dec_and_test'): G<boolean> {
  return yield* refcount_sub_and_test(1, r, label);
}

/** Decrement that must not reach 0 (nobody would free the object). */
export function* refcount_dec(r: RefcountT, label = 'refcount_dec'): G<void> {
  yield op.rmw(r.id, label, Mo.Release);
  const old = r.refs;
  if (currentExecution().sanitize) {
    if (old <= 0) return bad(r, 'underflow; use-after-free.', label, old);
    if (old === 1) return bad(r, 'decrement hit 0; leaking memory.', label, old);
  }
  r.refs = old - 1;
}

/** Decrement unless the count is 1; true when it decremented (refcount_dec_not_one). */
export function* refcount_dec_not_one(r: RefcountT, label = 'refcount_dec_not_one'): G<boolean> {
  yield op.rmwCond(r.id, label, Mo.Release);
  const old = r.refs;
  if (old === 1) return false;
  if (currentExecution().sanitize && old <= 0) {
    bad(r, 'underflow; use-after-free.', label, old);
    return true;
  }
  r.refs = old - 1;
  return true;
}

/** struct kref. */
export class Kref {
  readonly refcount: RefcountT;
  constructor(readonly name: string, block = -1, init = 1) {
    this.refcount = new RefcountT(init, name, block);
  }
  get value(): number {
    peekValue(this.refcount.id);
    return this.refcount.refs;
  }
}

export function* kref_init(k: Kref, label = 'kref_init'): G<void> {
  yield* refcount_set(k.refcount, 1, label);
}

export function* kref_read(k: Kref, label = 'kref_read'): G<number> {
  return yield* refcount_read(k.refcount, label);
}

export function* kref_get(k: Kref, label = 'kref_get'): G<void> {
  yield* refcount_inc(k.refcount, label);
}

/** Drop a reference; runs `release` (a generator: it may kfree) when it was the last. Returns 1 then, else 0. */
export function* kref_put(k: Kref, release: (k: Kref) => G<unknown>, label = 'kref_put'): G<number> {
  if (yield* refcount_dec_and_test(k.refcount, label)) {
    yield* release(k);
    return 1;
  }
  return 0;
}

/** Get a reference unless the count already dropped to 0; returns 1 on success, 0 otherwise. */
export function* kref_get_unless_zero(k: Kref, label = 'kref_get_unless_zero'): G<number> {
  return (yield* refcount_inc_not_zero(k.refcount, label)) ? 1 : 0;
}

/** refcount_dec_and_lock(r, lock): decrement; true (with `lock` held) when it reached 0. */
export function* refcount_dec_and_lock(r: RefcountT, lock: SpinlockT, label = 'refcount_dec_and_lock'): G<boolean> {
  if (yield* refcount_dec_not_one(r, label)) return false;
  yield* spin_lock(lock, label);
  if (yield* refcount_dec_and_test(r, label)) return true;
  yield* spin_unlock(lock, label);
  return false;
}

/** refcount_dec_and_mutex_lock(r, m): as refcount_dec_and_lock with a mutex (may sleep). */
export function* refcount_dec_and_mutex_lock(r: RefcountT, m: KMutex, label = 'refcount_dec_and_mutex_lock'): G<boolean> {
  if (yield* refcount_dec_not_one(r, label)) return false;
  yield* mutex_lock(m, label);
  if (yield* refcount_dec_and_test(r, label)) return true;
  yield* mutex_unlock(m, label);
  return false;
}

/** kref_put_mutex(k, release, m): the last put runs `release` with `m` held (release must unlock it). */
export function* kref_put_mutex(k: Kref, release: (k: Kref) => G<unknown>, m: KMutex, label = 'kref_put_mutex'): G<number> {
  if (yield* refcount_dec_and_mutex_lock(k.refcount, m, label)) {
    yield* release(k);
    return 1;
  }
  return 0;
}

/** kref_put_lock(k, release, lock): the last put runs `release` with `lock` held (release must unlock it). */
export function* kref_put_lock(k: Kref, release: (k: Kref) => G<unknown>, lock: SpinlockT, label = 'kref_put_lock'): G<number> {
  if (yield* refcount_dec_and_lock(k.refcount, lock, label)) {
    yield* release(k);
    return 1;
  }
  return 0;
}
