/**
 * Reader-writer locks: rwlock_t (read_lock / write_lock, spinning: atomic context) and struct
 * rw_semaphore (down_read / down_write, sleeping: might_sleep), both lockdep-tracked. Readers
 * share the lock (engine shared acquire), a writer excludes readers and writers; which waiter gets
 * it is the scheduler's choice.
 *
 * Follows include/linux/rwlock.h (recursive read_lock is allowed on rwlock_t, as the kernel's
 * readers may nest) and kernel/locking/rwsem.c (down_read nesting is reported as recursive
 * locking: a writer queued between the two down_read()s deadlocks them -- lockdep's rule).
 * Leaves out: down_read_trylock (the engine has no shared try-acquire), downgrade_write,
 * _irqsave variants of read_lock, writer-preference fairness.
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { type KCtx, checkObject, kctx } from './kernel.js';
import { type LockInfo, LockObject, lockdepAcquire, lockdepAcquired, lockdepRelease, mightSleep } from './lockdep.js';

type G<R> = Generator<Op, R, unknown>;

const RW_KIND = 'rwlock_t';
const RW_HOW = 'create it with new RwlockT(name) in setup (DEFINE_RWLOCK / rwlock_init)';
const SEM_KIND = 'rw_semaphore';
const SEM_HOW = 'create it with new RwSemaphore(name) in setup (DECLARE_RWSEM / init_rwsem)';

/** rwlock_t. */
export class RwlockT extends LockObject {
  constructor(name: string, block = -1, cls?: string) {
    super(RW_KIND, name, block, cls);
  }
}

/** struct rw_semaphore. */
export class RwSemaphore extends LockObject {
  constructor(name: string, block = -1, cls?: string) {
    super(SEM_KIND, name, block, cls);
  }
}

function* take(l: LockInfo, shared: boolean, ctx: KCtx, label: string, allowNestedRead: boolean): G<void> {
  const exec = currentExecution();
  const nested = allowNestedRead && shared && ctx.held.some((h) => h.id === l.id);
  if (!nested) lockdepAcquire(exec, ctx, l, label, false);
  yield op.acquire(l.id, label, shared);
  lockdepAcquired(exec, ctx, l, label, false);
}

function* drop(l: LockInfo, shared: boolean, ctx: KCtx, label: string): G<void> {
  lockdepRelease(currentExecution(), ctx, l, label);
  yield op.release(l.id, label, shared);
}

export function* read_lock(l: RwlockT, label = 'read_lock'): G<void> {
  checkObject(l, l?.id, RW_KIND, 'read_lock()', RW_HOW);
  const ctx = kctx();
  yield* take(l, true, ctx, label, true);
  ctx.preempt++;
}

export function* read_unlock(l: RwlockT, label = 'read_unlock'): G<void> {
  checkObject(l, l?.id, RW_KIND, 'read_unlock()', RW_HOW);
  const ctx = kctx();
  yield* drop(l, true, ctx, label);
  ctx.preempt--;
}

export function* write_lock(l: RwlockT, label = 'write_lock'): G<void> {
  checkObject(l, l?.id, RW_KIND, 'write_lock()', RW_HOW);
  const ctx = kctx();
  yield* take(l, false, ctx, label, false);
  ctx.preempt++;
}

export function* write_unlock(l: RwlockT, label = 'write_unlock'): G<void> {
  checkObject(l, l?.id, RW_KIND, 'write_unlock()', RW_HOW);
  const ctx = kctx();
  yield* drop(l, false, ctx, label);
  ctx.preempt--;
}

/** write_lock_irqsave(): returns the saved flags. */
export function* write_lock_irqsave(l: RwlockT, label = 'write_lock_irqsave'): G<number> {
  const ctx = kctx();
  const flags = ctx.irqsOff ? 1 : 0;
  ctx.irqsOff = true;
  yield* write_lock(l, label);
  return flags;
}

export function* write_unlock_irqrestore(l: RwlockT, flags: number, label = 'write_unlock_irqrestore'): G<void> {
  yield* write_unlock(l, label);
  kctx().irqsOff = flags !== 0;
}

export function* down_read(s: RwSemaphore, label = 'down_read'): G<void> {
  checkObject(s, s?.id, SEM_KIND, 'down_read()', SEM_HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  mightSleep(exec, ctx, 'down_read()', label);
  yield* take(s, true, ctx, label, false);
}

export function* up_read(s: RwSemaphore, label = 'up_read'): G<void> {
  checkObject(s, s?.id, SEM_KIND, 'up_read()', SEM_HOW);
  yield* drop(s, true, kctx(), label);
}

export function* down_write(s: RwSemaphore, label = 'down_write'): G<void> {
  checkObject(s, s?.id, SEM_KIND, 'down_write()', SEM_HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  mightSleep(exec, ctx, 'down_write()', label);
  yield* take(s, false, ctx, label, false);
}

export function* up_write(s: RwSemaphore, label = 'up_write'): G<void> {
  checkObject(s, s?.id, SEM_KIND, 'up_write()', SEM_HOW);
  yield* drop(s, false, kctx(), label);
}

/** down_write_trylock(): 1 when it got the semaphore for writing, 0 otherwise. */
export function* down_write_trylock(s: RwSemaphore, label = 'down_write_trylock'): G<number> {
  checkObject(s, s?.id, SEM_KIND, 'down_write_trylock()', SEM_HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  const got = (yield op.tryAcquire(s.id, label)) as boolean;
  if (got) lockdepAcquired(exec, ctx, s, label, true);
  return got ? 1 : 0;
}
