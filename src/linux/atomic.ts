/**
 * atomic_t and its operations, each ONE visible op (so `atomic_sub(); atomic_read()` is two ops
 * with a window between them -- seed 000's bug -- while `atomic_sub_return()` is one).
 *
 * Follows include/linux/atomic.h / Documentation/atomic_t.txt: 32-bit signed wrap-around
 * arithmetic, fully ordered RMW forms with return values. Under the engine's sequentially
 * consistent model every op is an acquire + release of the counter.
 * Leaves out: _relaxed/_acquire/_release variants (all are fully ordered here), atomic64_t
 * (use AtomicT; values are kept as 32-bit), atomic_long_t.
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { type SpinlockT, spin_lock, spin_unlock } from './spinlock.js';

type G<R> = Generator<Op, R, unknown>;

/** atomic_t: a 32-bit counter; `block` is the kmalloc'd struct it is a field of (-1: its own). */
export class AtomicT {
  readonly id: number;
  counter: number;
  constructor(init: number, readonly name: string, block = -1) {
    this.id = currentExecution().objects.add('atomic_t', name, block);
    this.counter = init | 0;
  }
  /** Current value, for invariants and inspect (not an op). */
  get value(): number {
    return this.counter;
  }
}

export function* atomic_read(v: AtomicT, label = 'atomic_read'): G<number> {
  yield op.read(v.id, label);
  return v.counter;
}

export function* atomic_set(v: AtomicT, i: number, label = 'atomic_set'): G<void> {
  yield op.write(v.id, label);
  v.counter = i | 0;
}

export function* atomic_add_return(i: number, v: AtomicT, label = 'atomic_add_return'): G<number> {
  yield op.rmw(v.id, label);
  v.counter = (v.counter + i) | 0;
  return v.counter;
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

export function* atomic_add(i: number, v: AtomicT, label = 'atomic_add'): G<void> {
  yield* atomic_add_return(i, v, label);
}

export function* atomic_sub(i: number, v: AtomicT, label = 'atomic_sub'): G<void> {
  yield* atomic_add_return(-i, v, label);
}

export function* atomic_inc(v: AtomicT, label = 'atomic_inc'): G<void> {
  yield* atomic_add_return(1, v, label);
}

export function* atomic_dec(v: AtomicT, label = 'atomic_dec'): G<void> {
  yield* atomic_add_return(-1, v, label);
}

/** Returns the value before the add (atomic_fetch_add). */
export function* atomic_fetch_add(i: number, v: AtomicT, label = 'atomic_fetch_add'): G<number> {
  yield op.rmw(v.id, label);
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
  yield op.rmw(v.id, label);
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
  yield op.rmw(v.id, label);
  const cur = v.counter;
  if (cur === old) v.counter = next | 0;
  return cur;
}

/** Returns the old value and stores `next`. */
export function* atomic_xchg(v: AtomicT, next: number, label = 'atomic_xchg'): G<number> {
  yield op.rmw(v.id, label);
  const cur = v.counter;
  v.counter = next | 0;
  return cur;
}

/** atomic_dec_and_lock(v, lock): decrement; true (with `lock` held) when it reached 0. */
export function* atomic_dec_and_lock(v: AtomicT, lock: SpinlockT, label = 'atomic_dec_and_lock'): G<boolean> {
  if (yield* atomic_add_unless(v, -1, 1, label)) return false;
  yield* spin_lock(lock, label);
  if (yield* atomic_dec_and_test(v, label)) return true;
  yield* spin_unlock(lock, label);
  return false;
}
