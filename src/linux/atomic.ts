/**
 * atomic_t and its operations, each ONE visible op (so `atomic_sub(); atomic_read()` is two ops
 * with a window between them -- seed 000's bug -- while `atomic_sub_return()` is one).
 *
 * Follows include/linux/atomic.h, Documentation/atomic_t.txt and the LKMM's tags
 * (tools/memory-model/linux-kernel.def): 32-bit signed wrap-around arithmetic; atomic_read /
 * atomic_set are ONCE (unordered), the non-value-returning RMWs (atomic_add, atomic_inc, atomic_or,
 * ...) NORETURN (unordered), every value-returning RMW (_return, fetch_, _and_test, xchg, cmpxchg,
 * add_unless, inc_not_zero) fully ordered (MB), with _relaxed / _acquire / _release forms.
 * Leaves out: atomic64_t (use AtomicT; values are kept as 32-bit), atomic_long_t, try_cmpxchg,
 * a failed cmpxchg being unordered (the race detector orders it like a successful one).
 */
import { currentExecution, peekValue } from '../engine/execution.js';
import { Mo, type Op, op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';
import { type SpinlockT, spin_lock, spin_unlock } from './spinlock.js';

type G<R> = Generator<Op, R, unknown>;

/**
 * An atomic_t operand must be a whole number: a pointer (an object) would otherwise become 0
 * silently (`x | 0`). A pointer-valued atomic is a Field with xchg / cmpxchg (field.ts).
 */
function int(x: unknown, label: string): number {
  if (typeof x === 'number' && Number.isInteger(x)) return x;
  const what = x === null ? 'NULL' : typeof x === 'object' ? 'a pointer (an object)' : `${typeof x} ${String(x)}`;
  throw new UsageError(`${label}: atomic_t holds a 32-bit integer, but was given ${what}; for a pointer use a Field<T> with xchg / cmpxchg / smp_store_release (atomic_long_t values are integers too)`);
}

/** atomic_t: a 32-bit counter; `block` is the kmalloc'd struct it is a field of (-1: its own). */
export class AtomicT {
  readonly id: number;
  counter: number;
  constructor(init: number, readonly name: string, block = -1) {
    const exec = currentExecution();
    this.id = exec.objects.add('atomic_t', name, block);
    this.counter = int(init, `new AtomicT(${name})`) | 0;
    exec.mm?.register(this.id, this);
  }
  mmLoad(): unknown {
    return this.counter;
  }
  mmStore(v: unknown): void {
    this.counter = v as number;
  }
  /** Current value, for invariants and inspect (not an op). */
  get value(): number {
    peekValue(this.id);
    return this.counter;
  }
}

export function* atomic_read(v: AtomicT, label = 'atomic_read'): G<number> {
  yield op.read(v.id, label, Mo.Once);
  return v.counter;
}

export function* atomic_set(v: AtomicT, i: number, label = 'atomic_set'): G<void> {
  int(i, label);
  yield op.write(v.id, label, Mo.Once);
  v.counter = i | 0;
}

/** atomic_read_acquire(v). */
export function* atomic_read_acquire(v: AtomicT, label = 'atomic_read_acquire'): G<number> {
  yield op.read(v.id, label, Mo.Acquire);
  return v.counter;
}

/** atomic_set_release(v, i). */
export function* atomic_set_release(v: AtomicT, i: number, label = 'atomic_set_release'): G<void> {
  int(i, label);
  yield op.write(v.id, label, Mo.Release);
  v.counter = i | 0;
}

function* raw_atomic_add_return(i: number, v: AtomicT, mo: Mo, label: string): G<number> {
  int(i, label);
  yield op.rmw(v.id, label, mo);
  v.counter = (v.counter + i) | 0;
  return v.counter;
}

function* raw_atomic_fetch_op(v: AtomicT, mo: Mo, label: string, f: (old: number) => number, operand?: number): G<number> {
  if (operand !== undefined) int(operand, label);
  yield op.rmw(v.id, label, mo);
  const old = v.counter;
  v.counter = f(old) | 0;
  return old;
}

export function* atomic_add_return(i: number, v: AtomicT, label = 'atomic_add_return'): G<number> {
  return yield* raw_atomic_add_return(i, v, Mo.Mb, label);
}

export function* atomic_add_return_relaxed(i: number, v: AtomicT, label = 'atomic_add_return_relaxed'): G<number> {
  return yield* raw_atomic_add_return(i, v, Mo.Once, label);
}

export function* atomic_add_return_acquire(i: number, v: AtomicT, label = 'atomic_add_return_acquire'): G<number> {
  return yield* raw_atomic_add_return(i, v, Mo.Acquire, label);
}

export function* atomic_add_return_release(i: number, v: AtomicT, label = 'atomic_add_return_release'): G<number> {
  return yield* raw_atomic_add_return(i, v, Mo.Release, label);
}

export function* atomic_sub_return_relaxed(i: number, v: AtomicT, label = 'atomic_sub_return_relaxed'): G<number> {
  return yield* raw_atomic_add_return(-i, v, Mo.Once, label);
}

export function* atomic_sub_return_acquire(i: number, v: AtomicT, label = 'atomic_sub_return_acquire'): G<number> {
  return yield* raw_atomic_add_return(-i, v, Mo.Acquire, label);
}

export function* atomic_sub_return_release(i: number, v: AtomicT, label = 'atomic_sub_return_release'): G<number> {
  return yield* raw_atomic_add_return(-i, v, Mo.Release, label);
}

export function* atomic_inc_return_relaxed(v: AtomicT, label = 'atomic_inc_return_relaxed'): G<number> {
  return yield* raw_atomic_add_return(1, v, Mo.Once, label);
}

export function* atomic_dec_return_relaxed(v: AtomicT, label = 'atomic_dec_return_relaxed'): G<number> {
  return yield* raw_atomic_add_return(-1, v, Mo.Once, label);
}

export function* atomic_fetch_add_relaxed(i: number, v: AtomicT, label = 'atomic_fetch_add_relaxed'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Once, label, (o) => o + i, i);
}

export function* atomic_fetch_add_acquire(i: number, v: AtomicT, label = 'atomic_fetch_add_acquire'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Acquire, label, (o) => o + i, i);
}

export function* atomic_fetch_add_release(i: number, v: AtomicT, label = 'atomic_fetch_add_release'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Release, label, (o) => o + i, i);
}

export function* atomic_fetch_sub(i: number, v: AtomicT, label = 'atomic_fetch_sub'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o - i, i);
}

export function* atomic_fetch_inc(v: AtomicT, label = 'atomic_fetch_inc'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o + 1);
}

export function* atomic_fetch_dec(v: AtomicT, label = 'atomic_fetch_dec'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o - 1);
}

export function* atomic_fetch_and(i: number, v: AtomicT, label = 'atomic_fetch_and'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o & i, i);
}

export function* atomic_fetch_or(i: number, v: AtomicT, label = 'atomic_fetch_or'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o | i, i);
}

export function* atomic_fetch_xor(i: number, v: AtomicT, label = 'atomic_fetch_xor'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o ^ i, i);
}

export function* atomic_fetch_andnot(i: number, v: AtomicT, label = 'atomic_fetch_andnot'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, (o) => o & ~i, i);
}

function* bitwise(v: AtomicT, label: string, f: (old: number) => number, operand: number): G<void> {
  int(operand, label);
  yield op.rmw(v.id, label, Mo.Noreturn);
  v.counter = f(v.counter) | 0;
}

/** atomic_and / atomic_or / atomic_xor / atomic_andnot: non-value-returning, unordered. */
export function* atomic_and(i: number, v: AtomicT, label = 'atomic_and'): G<void> {
  yield* bitwise(v, label, (o) => o & i, i);
}

export function* atomic_or(i: number, v: AtomicT, label = 'atomic_or'): G<void> {
  yield* bitwise(v, label, (o) => o | i, i);
}

export function* atomic_xor(i: number, v: AtomicT, label = 'atomic_xor'): G<void> {
  yield* bitwise(v, label, (o) => o ^ i, i);
}

export function* atomic_andnot(i: number, v: AtomicT, label = 'atomic_andnot'): G<void> {
  yield* bitwise(v, label, (o) => o & ~i, i);
}

/** atomic_add_negative(i, v): add; true when the result is negative. Fully ordered. */
export function* atomic_add_negative(i: number, v: AtomicT, label = 'atomic_add_negative'): G<boolean> {
  return (yield* raw_atomic_add_return(i, v, Mo.Mb, label)) < 0;
}

/** atomic_dec_if_positive(v): decrement unless that makes it negative; returns old - 1. Fully ordered. */
export function* atomic_dec_if_positive(v: AtomicT, label = 'atomic_dec_if_positive'): G<number> {
  yield op.rmwCond(v.id, label, Mo.Mb);
  const dec = (v.counter - 1) | 0;
  if (dec >= 0) v.counter = dec;
  return dec;
}

export function* atomic_sub_return(i: number, v: AtomicT, label = 'atomic_sub_return'): G<number> {
  return yield* atomic_add_return(-i, v, label);
}

export function* atomic_inc_return(v: AtomicT, label = 'atomic_inc_return'): G<number> {
  return yield* atomic_add_return(1, v, label);
}

export function* atomic_dec_return(v: AtomicT, label = 'atomic_dec_return'): G<number> {
  return yield* atomic_add_return(-1, v, label);
}

/**
 * atomic_add / atomic_sub / atomic_inc / atomic_dec: non-value-returning, unordered (NORETURN).
 * The C returns nothing; the value after the op is returned for a model's ghost bookkeeping only
 * (it implies no ordering: under the LKMM these stay relaxed, unlike atomic_add_return).
 */
export function* atomic_add(i: number, v: AtomicT, label = 'atomic_add'): G<number> {
  return yield* raw_atomic_add_return(i, v, Mo.Noreturn, label);
}

export function* atomic_sub(i: number, v: AtomicT, label = 'atomic_sub'): G<number> {
  return yield* raw_atomic_add_return(-i, v, Mo.Noreturn, label);
}

export function* atomic_inc(v: AtomicT, label = 'atomic_inc'): G<number> {
  return yield* raw_atomic_add_return(1, v, Mo.Noreturn, label);
}

export function* atomic_dec(v: AtomicT, label = 'atomic_dec'): G<number> {
  return yield* raw_atomic_add_return(-1, v, Mo.Noreturn, label);
}

/** Returns the value before the add (atomic_fetch_add). Fully ordered. */
export function* atomic_fetch_add(i: number, v: AtomicT, label = 'atomic_fetch_add'): G<number> {
  int(i, label);
  yield op.rmw(v.id, label, Mo.Mb);
  const old = v.counter;
  v.counter = (old + i) | 0;
  return old;
}

export function* atomic_dec_and_test(v: AtomicT, label = 'atomic_dec_and_test'): G<boolean> {
  return (yield* atomic_add_return(-1, v, label)) === 0;
}

export function* atomic_inc_and_test(v: AtomicT, label = 'atomic_inc_and_test'): G<boolean> {
  return (yield* atomic_add_return(1, v, label)) === 0;
}

export function* atomic_sub_and_test(i: number, v: AtomicT, label = 'atomic_sub_and_test'): G<boolean> {
  return (yield* atomic_add_return(-i, v, label)) === 0;
}

/** Add `a` unless the value is `u`; returns true when it added (atomic_add_unless). */
export function* atomic_add_unless(v: AtomicT, a: number, u: number, label = 'atomic_add_unless'): G<boolean> {
  int(a, label);
  int(u, label);
  yield op.rmwCond(v.id, label, Mo.Mb);
  if (v.counter === u) return false;
  v.counter = (v.counter + a) | 0;
  return true;
}

/** Increment unless zero; true when it incremented. */
export function* atomic_inc_not_zero(v: AtomicT, label = 'atomic_inc_not_zero'): G<boolean> {
  return yield* atomic_add_unless(v, 1, 0, label);
}

/** Returns the old value; stores `next` when the old value was `old`. */
export function* atomic_cmpxchg(v: AtomicT, old: number, next: number, label = 'atomic_cmpxchg'): G<number> {
  return yield* raw_atomic_cmpxchg(v, old, next, Mo.Mb, label);
}

function* raw_atomic_cmpxchg(v: AtomicT, old: number, next: number, mo: Mo, label: string): G<number> {
  int(old, label);
  int(next, label);
  yield op.rmwCond(v.id, label, mo);
  const cur = v.counter;
  if (cur === old) v.counter = next | 0;
  return cur;
}

export function* atomic_cmpxchg_relaxed(v: AtomicT, old: number, next: number, label = 'atomic_cmpxchg_relaxed'): G<number> {
  return yield* raw_atomic_cmpxchg(v, old, next, Mo.Once, label);
}

export function* atomic_cmpxchg_acquire(v: AtomicT, old: number, next: number, label = 'atomic_cmpxchg_acquire'): G<number> {
  return yield* raw_atomic_cmpxchg(v, old, next, Mo.Acquire, label);
}

export function* atomic_cmpxchg_release(v: AtomicT, old: number, next: number, label = 'atomic_cmpxchg_release'): G<number> {
  return yield* raw_atomic_cmpxchg(v, old, next, Mo.Release, label);
}

/** Returns the old value and stores `next`. Fully ordered. */
export function* atomic_xchg(v: AtomicT, next: number, label = 'atomic_xchg'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Mb, label, () => next, next);
}

export function* atomic_xchg_relaxed(v: AtomicT, next: number, label = 'atomic_xchg_relaxed'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Once, label, () => next, next);
}

export function* atomic_xchg_acquire(v: AtomicT, next: number, label = 'atomic_xchg_acquire'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Acquire, label, () => next, next);
}

export function* atomic_xchg_release(v: AtomicT, next: number, label = 'atomic_xchg_release'): G<number> {
  return yield* raw_atomic_fetch_op(v, Mo.Release, label, () => next, next);
}

/** atomic_dec_and_lock(v, lock): decrement; true (with `lock` held) when it reached 0. */
export function* atomic_dec_and_lock(v: AtomicT, lock: SpinlockT, label = 'atomic_dec_and_lock'): G<boolean> {
  if (yield* atomic_add_unless(v, -1, 1, label)) return false;
  yield* spin_lock(lock, label);
  if (yield* atomic_dec_and_test(v, label)) return true;
  yield* spin_unlock(lock, label);
  return false;
}
