/**
 * Signals, as far as kernel code sees them: another thread (user space, a kill) sends a signal to
 * a model thread with `send_sig`, and the thread's interruptible sleeps (wait_event_interruptible,
 * wait_event_killable in wait.ts) end with -ERESTARTSYS; `signal_pending()` /
 * `fatal_signal_pending()` let thread code check, as kernel code does in long loops.
 *
 * Each thread's pending set is an engine object of its own (created on first use), so sending and
 * checking are ONE op each on it (an RMW to send, a read to check): DPOR orders a send against the
 * checks and sleeps that see it, and a wake-up by a signal happens-before the woken sleeper's
 * return. Follows kernel/signal.c's semantics only as far as kernel code observes them: SIGKILL is
 * fatal (fatal_signal_pending, killable sleeps), any signal ends an interruptible sleep.
 * Leaves out: handlers, masks, delivery to user space, real-time queueing, group signals.
 */
import { type Execution, allocThreadSlot, currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';

type G<R> = Generator<Op, R, unknown>;

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTOP = 19;

/** The pending signals of one thread, and the engine object standing for them. */
export interface SignalState {
  readonly id: number;
  readonly pending: Set<number>;
}

const SLOT = allocThreadSlot();

/** Thread `tid`'s signal state (created on first use in this execution). */
export function signalState(exec: Execution, tid: number): SignalState {
  const th = exec.threads[tid];
  if (th === undefined) throw new UsageError(`no thread T${tid} in this execution (signals are sent to model threads: use the id spawn() returned or self())`);
  let s = th.slots[SLOT] as SignalState | undefined;
  if (s === undefined) {
    s = { id: exec.objects.add('signal', `T${tid} (${th.name}) signals`, -1), pending: new Set() };
    th.slots[SLOT] = s;
  }
  return s;
}

/** send_sig(sig, tid): make `sig` pending for thread `tid` (one op); its interruptible sleeps end. */
export function* send_sig(sig: number, tid: number, label = 'send_sig'): G<void> {
  if (!Number.isInteger(sig) || sig < 1 || sig > 64) throw new UsageError(`send_sig(${sig}, T${tid}): a signal number is 1..64`);
  const s = signalState(currentExecution(), tid);
  yield op.rmw(s.id, label);
  s.pending.add(sig);
}

/** signal_pending(current): any signal pending for the running thread (one op). */
export function* signal_pending(label = 'signal_pending'): G<boolean> {
  const exec = currentExecution();
  const s = signalState(exec, exec.running);
  yield op.read(s.id, label);
  return s.pending.size > 0;
}

/** fatal_signal_pending(current): SIGKILL pending for the running thread (one op). */
export function* fatal_signal_pending(label = 'fatal_signal_pending'): G<boolean> {
  const exec = currentExecution();
  const s = signalState(exec, exec.running);
  yield op.read(s.id, label);
  return s.pending.has(SIGKILL);
}

/** flush_signals(current): forget the running thread's pending signals (one op). */
export function* flush_signals(label = 'flush_signals'): G<void> {
  const exec = currentExecution();
  const s = signalState(exec, exec.running);
  yield op.rmw(s.id, label);
  s.pending.clear();
}
