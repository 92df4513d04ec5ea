/**
 * The ordering variants of atomic_t's value-returning operations that atomic.ts does not spell out:
 * the _relaxed / _acquire / _release forms of atomic_fetch_{inc,dec,sub,and,or,xor,andnot},
 * atomic_{inc,dec}_return and atomic_add_negative. Each is ONE rmw op tagged with its ordering, as
 * tools/memory-model/linux-kernel.def defines them (`atomic_fetch_or_acquire(V,X)
 * __atomic_fetch_op{ACQUIRE}(X,|,V)`); the fully ordered forms are in atomic.ts.
 * Follows include/linux/atomic/atomic-instrumented.h (names, argument order, return values) and
 * Documentation/atomic_t.txt (orderings); 32-bit wrap-around as in atomic.ts.
 * Leaves out: atomic64_t / atomic_long_t forms; a failed _acquire RMW is still tagged acquire.
 */
import { Mo, type Op, op } from '../engine/ops.js';
import type { AtomicT } from './atomic.js';

type G<R> = Generator<Op, R, unknown>;

/** One rmw op on `v`: store f(old); return the old value (fetch_) or the new one (_return). */
function* rmw(v: AtomicT, mo: Mo, label: string, f: (old: number) => number, returnNew: boolean): G<number> {
  yield op.rmw(v.id, label, mo);
  const old = v.counter;
  v.counter = f(old) | 0;
  return returnNew ? v.counter : old;
}

export function* atomic_inc_return_acquire(v: AtomicT, label = 'atomic_inc_return_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o + 1, true);
}
export function* atomic_inc_return_release(v: AtomicT, label = 'atomic_inc_return_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o + 1, true);
}
export function* atomic_dec_return_acquire(v: AtomicT, label = 'atomic_dec_return_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o - 1, true);
}
export function* atomic_dec_return_release(v: AtomicT, label = 'atomic_dec_return_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o - 1, true);
}

export function* atomic_fetch_inc_relaxed(v: AtomicT, label = 'atomic_fetch_inc_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o + 1, false);
}
export function* atomic_fetch_inc_acquire(v: AtomicT, label = 'atomic_fetch_inc_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o + 1, false);
}
export function* atomic_fetch_inc_release(v: AtomicT, label = 'atomic_fetch_inc_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o + 1, false);
}
export function* atomic_fetch_dec_relaxed(v: AtomicT, label = 'atomic_fetch_dec_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o - 1, false);
}
export function* atomic_fetch_dec_acquire(v: AtomicT, label = 'atomic_fetch_dec_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o - 1, false);
}
export function* atomic_fetch_dec_release(v: AtomicT, label = 'atomic_fetch_dec_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o - 1, false);
}

export function* atomic_fetch_sub_relaxed(i: number, v: AtomicT, label = 'atomic_fetch_sub_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o - i, false);
}
export function* atomic_fetch_sub_acquire(i: number, v: AtomicT, label = 'atomic_fetch_sub_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o - i, false);
}
export function* atomic_fetch_sub_release(i: number, v: AtomicT, label = 'atomic_fetch_sub_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o - i, false);
}
export function* atomic_fetch_and_relaxed(i: number, v: AtomicT, label = 'atomic_fetch_and_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o & i, false);
}
export function* atomic_fetch_and_acquire(i: number, v: AtomicT, label = 'atomic_fetch_and_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o & i, false);
}
export function* atomic_fetch_and_release(i: number, v: AtomicT, label = 'atomic_fetch_and_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o & i, false);
}
export function* atomic_fetch_or_relaxed(i: number, v: AtomicT, label = 'atomic_fetch_or_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o | i, false);
}
export function* atomic_fetch_or_acquire(i: number, v: AtomicT, label = 'atomic_fetch_or_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o | i, false);
}
export function* atomic_fetch_or_release(i: number, v: AtomicT, label = 'atomic_fetch_or_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o | i, false);
}
export function* atomic_fetch_xor_relaxed(i: number, v: AtomicT, label = 'atomic_fetch_xor_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o ^ i, false);
}
export function* atomic_fetch_xor_acquire(i: number, v: AtomicT, label = 'atomic_fetch_xor_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o ^ i, false);
}
export function* atomic_fetch_xor_release(i: number, v: AtomicT, label = 'atomic_fetch_xor_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o ^ i, false);
}
export function* atomic_fetch_andnot_relaxed(i: number, v: AtomicT, label = 'atomic_fetch_andnot_relaxed'): G<number> {
  return yield* rmw(v, Mo.Once, label, (o) => o & ~i, false);
}
export function* atomic_fetch_andnot_acquire(i: number, v: AtomicT, label = 'atomic_fetch_andnot_acquire'): G<number> {
  return yield* rmw(v, Mo.Acquire, label, (o) => o & ~i, false);
}
export function* atomic_fetch_andnot_release(i: number, v: AtomicT, label = 'atomic_fetch_andnot_release'): G<number> {
  return yield* rmw(v, Mo.Release, label, (o) => o & ~i, false);
}

/** atomic_add_negative_{relaxed,acquire,release}(i, v): add; true when the result is negative. */
export function* atomic_add_negative_relaxed(i: number, v: AtomicT, label = 'atomic_add_negative_relaxed'): G<boolean> {
  return (yield* rmw(v, Mo.Once, label, (o) => o + i, true)) < 0;
}
export function* atomic_add_negative_acquire(i: number, v: AtomicT, label = 'atomic_add_negative_acquire'): G<boolean> {
  return (yield* rmw(v, Mo.Acquire, label, (o) => o + i, true)) < 0;
}
export function* atomic_add_negative_release(i: number, v: AtomicT, label = 'atomic_add_negative_release'): G<boolean> {
  return (yield* rmw(v, Mo.Release, label, (o) => o + i, true)) < 0;
}
