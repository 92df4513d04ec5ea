/**
 * struct mutex (mutex_lock / mutex_trylock / mutex_unlock / mutex_is_locked) and struct semaphore
 * (down / down_trylock / up), the kernel's sleeping locks: which waiter wakes is the scheduler's
 * choice, and taking one from atomic context is 'sleep-in-atomic' (might_sleep).
 *
 * Follows kernel/locking/mutex.c (owner-only unlock, no recursion, lockdep-tracked) and
 * kernel/locking/semaphore.c (a counter: down sleeps while it is 0, up may be called by anyone,
 * not tracked by lockdep). `down` is a Wait until count > 0 followed by one atomic
 * check-and-decrement that retries if another thread took the unit in between, so every
 * decrement is a read-modify-write the dependency relation sees.
 * Leaves out: mutex_lock_interruptible / killable signals (they behave like mutex_lock),
 * down_timeout, optimistic spinning, handoff.
 */
import { currentExecution, peekValue } from '../engine/execution.js';
import { Mo, type Op, op, READS_OWN } from '../engine/ops.js';

import { UsageError } from '../engine/violation.js';
import { checkObject, kctx } from './kernel.js';
import { LockObject, lockdepAcquire, lockdepAcquired, lockdepRelease, mightSleep } from './lockdep.js';

type G<R> = Generator<Op, R, unknown>;

const KIND = 'mutex';
const HOW = 'create it with new KMutex(name) in setup (DEFINE_MUTEX / mutex_init)';

/** struct mutex. `cls` is its lockdep class (default: its name). */
export class KMutex extends LockObject {
  constructor(name: string, block = -1, cls?: string) {
    super(KIND, name, block, cls);
  }
}

/** DEFINE_MUTEX(name) / mutex_init(). */
export function mutex_init(name: string, block = -1, cls?: string): KMutex {
  return new KMutex(name, block, cls);
}

export function* mutex_lock(m: KMutex, label = 'mutex_lock'): G<void> {
  checkObject(m, m?.id, KIND, 'mutex_lock()', HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  mightSleep(exec, ctx, 'mutex_lock()', label);
  lockdepAcquire(exec, ctx, m, label, false);
  yield op.acquire(m.id, label);
  lockdepAcquired(exec, ctx, m, label, false);
}

/** mutex_lock_interruptible(): no signals are modelled, so it always gets the lock and returns 0. */
export function* mutex_lock_interruptible(m: KMutex, label = 'mutex_lock_interruptible'): G<number> {
  yield* mutex_lock(m, label);
  return 0;
}

/** Returns 1 when it got the mutex, 0 otherwise (the C convention). */
export function* mutex_trylock(m: KMutex, label = 'mutex_trylock'): G<number> {
  checkObject(m, m?.id, KIND, 'mutex_trylock()', HOW);
  const exec = currentExecution();
  const ctx = kctx(exec);
  const got = (yield op.tryAcquire(m.id, label)) as boolean;
  if (got) lockdepAcquired(exec, ctx, m, label, true);
  return got ? 1 : 0;
}

export function* mutex_unlock(m: KMutex, label = 'mutex_unlock'): G<void> {
  checkObject(m, m?.id, KIND, 'mutex_unlock()', HOW);
  const exec = currentExecution();
  lockdepRelease(exec, kctx(exec), m, label);
  yield op.release(m.id, label);
}

export function* mutex_is_locked(m: KMutex, label = 'mutex_is_locked'): G<boolean> {
  yield op.read(m.id, label, Mo.Once);
  return currentExecution().lockOwner(m.id) >= 0;
}

const SEM_KIND = 'semaphore';
const SEM_HOW = 'create it with new Semaphore(name, count) in setup (sema_init)';

/** struct semaphore: a counting semaphore (count 1 = the old DECLARE_MUTEX). */
export class Semaphore {
  readonly id: number;
  count: number;
  constructor(readonly name: string, init = 1, block = -1) {
    if (!Number.isInteger(init) || init < 0) throw new UsageError(`semaphore ${name}: initial count must be a whole number >= 0, got ${init}`);
    this.id = currentExecution().objects.add(SEM_KIND, name, block);
    this.count = init;
  }
  get value(): number {
    peekValue(this.id);
    return this.count;
  }
}

/** sema_init(). */
export function sema_init(name: string, count: number, block = -1): Semaphore {
  return new Semaphore(name, count, block);
}

/** down(): sleep until a unit is available, then take it. */
export function* down(s: Semaphore, label = 'down'): G<void> {
  checkObject(s, s?.id, SEM_KIND, 'down()', SEM_HOW);
  const exec = currentExecution();
  mightSleep(exec, kctx(exec), 'down()', label);
  for (;;) {
    yield op.wait(s.id, label, () => s.count > 0, READS_OWN, `semaphore ${s.name} to be up()ed`);
    yield op.rmw(s.id, label);
    if (s.count > 0) {
      s.count--;
      return;
    }
  }
}

/** down_interruptible(): no signals modelled; returns 0. */
export function* down_interruptible(s: Semaphore, label = 'down_interruptible'): G<number> {
  yield* down(s, label);
  return 0;
}

/** down_trylock(): returns 0 when it took a unit, 1 when it would have slept (the C convention). */
export function* down_trylock(s: Semaphore, label = 'down_trylock'): G<number> {
  checkObject(s, s?.id, SEM_KIND, 'down_trylock()', SEM_HOW);
  yield op.rmw(s.id, label);
  if (s.count > 0) {
    s.count--;
    return 0;
  }
  return 1;
}

export function* up(s: Semaphore, label = 'up'): G<void> {
  checkObject(s, s?.id, SEM_KIND, 'up()', SEM_HOW);
  yield op.rmw(s.id, label);
  s.count++;
}
