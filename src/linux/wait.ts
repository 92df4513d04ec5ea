/**
 * Wait queues: wait_queue_head_t, wait_event / wait_event_interruptible / wait_event_killable /
 * wait_event_timeout, wake_up / wake_up_all / wake_up_interruptible(_all), waitqueue_active and
 * wq_has_sleeper.
 *
 * Follows include/linux/wait.h's ___wait_event and kernel/sched/wait.c, step by step, so that the
 * bugs of wait queues are reachable: a waker that makes the condition true but never calls wake_up
 * leaves the sleeper asleep (a deadlock report), and a condition set after the wake-up is missed
 * exactly when the kernel would miss it. wait_event(wq, cond) is:
 *   1. `if (cond) return` — the fast path, a check with no lock: it orders nothing;
 *   2. prepare_to_wait_event — an RMW of the wait queue (its spinlock): the thread is queued and
 *      its task state set (with a signal pending, an interruptible or killable wait returns
 *      -ERESTARTSYS here);
 *   3. `if (cond) break` — the condition again;
 *   4. schedule() — sleep until a wake_up of this queue (or a signal) woke the thread, then back to 2.
 * The condition is model code that may read anything, so the condition checks are Waits that
 * declare no read set (DPOR treats them as dependent with every op: sound, not the fastest); the
 * sleep is a Wait on the queue that reads only the queue (`READS_OWN`), plus the thread's signal
 * object for the interruptible and killable forms — both declared and checked at run time.
 * A wake_up is an RMW of the queue (spinlock + try_to_wake_up's barrier): what the waker did before
 * it happens-before the woken sleeper's return (its sleep and the next prepare acquire the queue),
 * while a waiter that finds the condition true on the lockless fast path gets no such ordering,
 * as in the kernel (Documentation/memory-barriers.txt, "Sleep and wake-up functions").
 * wake_up and wake_up_all both wake every sleeper: wait_event's waits are not exclusive.
 * wait_event_timeout: time is not modelled; the timer may fire at any point while the thread
 * sleeps (the sleep is always enabled, and a wake-up that did not come is a timeout).
 * Leaves out: exclusive waits (wait_event_interruptible_exclusive, wake_up_nr), spurious
 * wake-ups, the _lock_irq / _cmd forms, wait_on_bit, custom wake functions.
 */
import { currentExecution } from '../engine/execution.js';
import { Mo, type Op, READS_OWN, op } from '../engine/ops.js';
import { ERESTARTSYS } from './errno.js';
import { checkObject, kctx } from './kernel.js';
import { mightSleep } from './lockdep.js';
import { SIGKILL, type SignalState, signalState } from './signal.js';

type G<R> = Generator<Op, R, unknown>;

const KIND = 'wait_queue_head';
const HOW = 'create it with new WaitQueueHead(name) in setup (DECLARE_WAIT_QUEUE_HEAD / init_waitqueue_head)';

/** How a sleeper may be woken: TASK_UNINTERRUPTIBLE, TASK_INTERRUPTIBLE, TASK_KILLABLE. */
type Mode = 'uninterruptible' | 'interruptible' | 'killable';

interface Sleeper {
  woken: boolean;
  readonly mode: Mode;
}

export class WaitQueueHead {
  readonly id: number;
  /** Queued threads (by thread id) and whether a wake-up reached them. */
  readonly sleepers = new Map<number, Sleeper>();
  constructor(readonly name: string, block = -1) {
    this.id = currentExecution().objects.add(KIND, name, block);
  }
}

/** DECLARE_WAIT_QUEUE_HEAD(name) / init_waitqueue_head() in setup. */
export function init_waitqueue_head(name: string, block = -1): WaitQueueHead {
  return new WaitQueueHead(name, block);
}

export const DECLARE_WAIT_QUEUE_HEAD = init_waitqueue_head;

const ALWAYS = (): boolean => true;

/** A check of the condition: a Wait that is always enabled and declares no read set. */
function check(label: string): Op {
  return op.wait(-1, `${label}: condition`, ALWAYS);
}

/** Is a signal pending that ends a sleep of this mode? */
function interrupted(mode: Mode, sig: SignalState | null): boolean {
  if (sig === null || mode === 'uninterruptible') return false;
  return mode === 'killable' ? sig.pending.has(SIGKILL) : sig.pending.size > 0;
}

/** ___wait_event: returns 'ok', 'signal' or 'timeout'. */
function* waitEvent(wq: WaitQueueHead, cond: () => boolean, mode: Mode, timeout: boolean, fn: string, label: string): G<'ok' | 'signal' | 'timeout'> {
  checkObject(wq, wq?.id, KIND, `${fn}()`, HOW);
  const exec = currentExecution();
  mightSleep(exec, kctx(exec), `${fn}()`, label);
  const tid = exec.running;
  const sig = mode === 'uninterruptible' ? null : signalState(exec, tid);
  yield check(label);
  if (cond()) return 'ok';
  let timedOut = false;
  for (;;) {
    yield op.rmw(wq.id, `${label}: prepare_to_wait_event(${wq.name})`);
    const me: Sleeper = { woken: false, mode };
    wq.sleepers.set(tid, me);
    yield check(label);
    if (cond()) {
      wq.sleepers.delete(tid);
      return 'ok';
    }
    if (interrupted(mode, sig)) {
      wq.sleepers.delete(tid);
      return 'signal';
    }
    if (timedOut) {
      wq.sleepers.delete(tid);
      return 'timeout';
    }
    const until = timeout ? ALWAYS : sig === null ? (): boolean => me.woken : (): boolean => me.woken || interrupted(mode, sig);
    yield op.wait(wq.id, `${label}: schedule()`, until, sig === null || timeout ? READS_OWN : [sig.id],
      `a wake_up of ${wq.name}${sig !== null ? ' or a signal' : ''}${timeout ? ' or the timeout' : ''}`);
    timedOut = timeout && !me.woken;
  }
}

/** wait_event(wq, condition): sleep (uninterruptibly) until `cond()` holds. */
export function* wait_event(wq: WaitQueueHead, cond: () => boolean, label = 'wait_event'): G<void> {
  yield* waitEvent(wq, cond, 'uninterruptible', false, 'wait_event', label);
}

/** wait_event_interruptible(wq, condition): 0, or -ERESTARTSYS when a signal ended the sleep. */
export function* wait_event_interruptible(wq: WaitQueueHead, cond: () => boolean, label = 'wait_event_interruptible'): G<number> {
  return (yield* waitEvent(wq, cond, 'interruptible', false, 'wait_event_interruptible', label)) === 'signal' ? -ERESTARTSYS : 0;
}

/** wait_event_killable(wq, condition): 0, or -ERESTARTSYS when SIGKILL ended the sleep. */
export function* wait_event_killable(wq: WaitQueueHead, cond: () => boolean, label = 'wait_event_killable'): G<number> {
  return (yield* waitEvent(wq, cond, 'killable', false, 'wait_event_killable', label)) === 'signal' ? -ERESTARTSYS : 0;
}

/**
 * wait_event_timeout(wq, condition, timeout): `timeout` (jiffies; time does not pass in the model)
 * when the condition became true, 1 when it was true when the timer fired, 0 on a timeout.
 */
export function* wait_event_timeout(wq: WaitQueueHead, cond: () => boolean, timeout: number, label = 'wait_event_timeout'): G<number> {
  const r = yield* waitEvent(wq, cond, 'uninterruptible', true, 'wait_event_timeout', label);
  return r === 'ok' ? Math.max(1, timeout) : 0;
}

/** Wake every sleeper of `wq` whose mode `which` accepts (one RMW of the queue). */
function* wake(wq: WaitQueueHead, interruptibleOnly: boolean, fn: string, label: string): G<void> {
  checkObject(wq, wq?.id, KIND, `${fn}()`, HOW);
  yield op.rmw(wq.id, label);
  for (const s of wq.sleepers.values()) if (!interruptibleOnly || s.mode !== 'uninterruptible') s.woken = true;
}

/** wake_up(wq): wake the queue's sleepers (all of them: wait_event's waits are not exclusive). */
export function* wake_up(wq: WaitQueueHead, label = 'wake_up'): G<void> {
  yield* wake(wq, false, 'wake_up', label);
}

/** wake_up_all(wq). */
export function* wake_up_all(wq: WaitQueueHead, label = 'wake_up_all'): G<void> {
  yield* wake(wq, false, 'wake_up_all', label);
}

/** wake_up_interruptible(wq): wake only interruptible (and killable) sleepers. */
export function* wake_up_interruptible(wq: WaitQueueHead, label = 'wake_up_interruptible'): G<void> {
  yield* wake(wq, true, 'wake_up_interruptible', label);
}

/** wake_up_interruptible_all(wq). */
export function* wake_up_interruptible_all(wq: WaitQueueHead, label = 'wake_up_interruptible_all'): G<void> {
  yield* wake(wq, true, 'wake_up_interruptible_all', label);
}

/**
 * waitqueue_active(wq): is anyone queued? A lockless, unordered read (ONCE): a waker that tests it
 * after setting the condition needs smp_mb() in between (or wq_has_sleeper).
 */
export function* waitqueue_active(wq: WaitQueueHead, label = 'waitqueue_active'): G<boolean> {
  checkObject(wq, wq?.id, KIND, 'waitqueue_active()', HOW);
  yield op.read(wq.id, label, Mo.Once);
  return wq.sleepers.size > 0;
}

/** wq_has_sleeper(wq): smp_mb() then waitqueue_active() (two ops). */
export function* wq_has_sleeper(wq: WaitQueueHead, label = 'wq_has_sleeper'): G<boolean> {
  yield op.fence(`${label}: smp_mb`, Mo.FenceMb);
  return yield* waitqueue_active(wq, label);
}
