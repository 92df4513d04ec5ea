/**
 * spinlock_t (spin_lock / spin_trylock / _irqsave / _irq / _bh) and the per-thread atomic-context
 * switches they drive: preempt_disable / preempt_enable, local_irq_save / local_irq_restore.
 *
 * Follows include/linux/spinlock.h and kernel/locking/spinlock.c: taking a spinlock disables
 * preemption (so a sleeping call under it is 'sleep-in-atomic'); _irqsave saves and disables
 * local interrupts and returns the flags _irqrestore puts back. Acquire and release are engine
 * lock ops (the scheduler decides who gets a contended lock); before yielding them the helper runs
 * lockdep (recursion, class order, unlock balance: see lockdep.ts).
 * Leaves out: spinning itself (a waiter is simply not enabled until the lock is free), ticket
 * fairness, raw_spinlock_t vs spinlock_t distinction (PREEMPT_RT), spin_lock_nested subclasses.
 */
import { currentExecution } from '../engine/execution.js';
import { Mo, type Op, op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';
import { checkObject, kctx } from './kernel.js';
import { LockObject, lockdepAcquire, lockdepAcquired, lockdepRelease } from './lockdep.js';

type G<R> = Generator<Op, R, unknown>;

const KIND = 'spinlock_t';
const HOW = 'create it with new SpinlockT(name) in setup (DEFINE_SPINLOCK / spin_lock_init)';

/** spinlock_t. `cls` is its lockdep class (default: its name), shared by all instances of a struct field. */
export class SpinlockT extends LockObject {
  constructor(name: string, block = -1, cls?: string) {
    super(KIND, name, block, cls);
  }
}

/** DEFINE_SPINLOCK(name) / spin_lock_init(). */
export function spin_lock_init(name: string, block = -1, cls?: string): SpinlockT {
  return new SpinlockT(name, block, cls);
}

export function* spin_lock(lock: SpinlockT, label = 'spin_lock'): G<void> {
  checkObject(lock, lock?.id, KIND, 'spin_lock()', HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  lockdepAcquire(exec, ctx, lock, label, false);
  yield op.acquire(lock.id, label);
  ctx.preempt++;
  lockdepAcquired(exec, ctx, lock, label, false);
}

export function* spin_unlock(lock: SpinlockT, label = 'spin_unlock'): G<void> {
  checkObject(lock, lock?.id, KIND, 'spin_unlock()', HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  lockdepRelease(exec, ctx, lock, label);
  yield op.release(lock.id, label);
  ctx.preempt--;
}

/** True when it got the lock. */
export function* spin_trylock(lock: SpinlockT, label = 'spin_trylock'): G<boolean> {
  checkObject(lock, lock?.id, KIND, 'spin_trylock()', HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  const got = (yield op.tryAcquire(lock.id, label)) as boolean;
  if (got) {
    ctx.preempt++;
    lockdepAcquired(exec, ctx, lock, label, true);
  }
  return got;
}

/** Disables local interrupts and takes the lock; returns the saved flags for spin_unlock_irqrestore. */
export function* spin_lock_irqsave(lock: SpinlockT, label = 'spin_lock_irqsave'): G<number> {
  checkObject(lock, lock?.id, KIND, 'spin_lock_irqsave()', HOW);
  const ctx = kctx();
  const flags = ctx.irqsOff ? 1 : 0;
  // local_irq_save() comes first, as in __raw_spin_lock_irqsave.
  ctx.irqsOff = true;
  yield* spin_lock(lock, label);
  return flags;
}

export function* spin_unlock_irqrestore(lock: SpinlockT, flags: number, label = 'spin_unlock_irqrestore'): G<void> {
  yield* spin_unlock(lock, label);
  kctx().irqsOff = flags !== 0;
}

export function* spin_lock_irq(lock: SpinlockT, label = 'spin_lock_irq'): G<void> {
  kctx().irqsOff = true;
  yield* spin_lock(lock, label);
}

export function* spin_unlock_irq(lock: SpinlockT, label = 'spin_unlock_irq'): G<void> {
  yield* spin_unlock(lock, label);
  kctx().irqsOff = false;
}

/** Bottom halves off: atomic context like spin_lock. */
export function* spin_lock_bh(lock: SpinlockT, label = 'spin_lock_bh'): G<void> {
  yield* spin_lock(lock, label);
}

export function* spin_unlock_bh(lock: SpinlockT, label = 'spin_unlock_bh'): G<void> {
  yield* spin_unlock(lock, label);
}

/** spin_is_locked(): a read of the lock word (one op). */
export function* spin_is_locked(lock: SpinlockT, label = 'spin_is_locked'): G<boolean> {
  yield op.read(lock.id, label, Mo.Once);
  const exec = currentExecution();
  // Under the LKMM the lock word read may be stale (lock.cat's RL / RU events).
  return exec.mm !== null ? exec.mm.lockedSeen(exec.running) : exec.lockOwner(lock.id) >= 0;
}

/** preempt_disable(): thread-local, not a scheduling point. */
export function preempt_disable(): void {
  kctx().preempt++;
}

export function preempt_enable(): void {
  const c = kctx();
  if (c.preempt <= 0) throw new UsageError('preempt_enable() without a matching preempt_disable()');
  c.preempt--;
}

/** local_irq_save(): returns the flags for local_irq_restore. */
export function local_irq_save(): number {
  const c = kctx();
  const f = c.irqsOff ? 1 : 0;
  c.irqsOff = true;
  return f;
}

export function local_irq_restore(flags: number): void {
  kctx().irqsOff = flags !== 0;
}

export function local_irq_disable(): void {
  kctx().irqsOff = true;
}

export function local_irq_enable(): void {
  kctx().irqsOff = false;
}

/** in_atomic() || irqs_disabled(), for models that branch on it. */
export function in_atomic(): boolean {
  const c = kctx();
  return c.preempt > 0 || c.irqsOff || c.softirq > 0;
}

export function irqs_disabled(): boolean {
  return kctx().irqsOff;
}
