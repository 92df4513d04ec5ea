/**
 * Scheduling points and context assertions: might_sleep, cond_resched, msleep / schedule,
 * lockdep_assert_held / lockdep_assert_irqs_disabled, and `kernelExitCheck`, a final check a model
 * adds to report a thread that finished while still holding a lock, inside rcu_read_lock(), with
 * preemption or interrupts disabled.
 *
 * Follows kernel/sched/core.c (__might_sleep, cond_resched is a voluntary preemption point),
 * include/linux/lockdep.h (lockdep_assert_held WARNs when the current task does not hold the
 * lock) and kernel/exit.c's debug_check_no_locks_held ("lock held when returning to user space" /
 * "exit with locks held"), and rcu's "RCU read lock held at task exit".
 * Leaves out: real sleeping or timing (msleep is a scheduling point, time does not pass).
 */
import { currentExecution } from '../engine/execution.js';
import type { Check } from '../engine/model.js';
import { type Op, op } from '../engine/ops.js';
import { type HeldLock, type KCtx, ctxOf, kctx, kwarn, threadLabel } from './kernel.js';
import type { LockInfo } from './lockdep.js';
import { mightSleep } from './lockdep.js';

type G<R> = Generator<Op, R, unknown>;

/** might_sleep(): only the atomic-context check, not a scheduling point. */
export function might_sleep(label = 'might_sleep'): void {
  const exec = currentExecution();
  mightSleep(exec, kctx(exec), 'might_sleep()', label);
}

/**
 * cpu_relax(): the pause in a busy-wait loop; a scheduling point that does not sleep (allowed in
 * atomic context). A loop that polls with it is descheduled until what it reads changes
 * (src/engine/spin.ts), as a fair scheduler would run the thread it waits for.
 */
export function* cpu_relax(label = 'cpu_relax'): G<void> {
  yield op.yield(label);
}

/** cond_resched(): may sleep; a scheduling point. */
export function* cond_resched(label = 'cond_resched'): G<void> {
  might_sleep(label);
  yield op.yield(label);
}

/** schedule(): may sleep; a scheduling point. */
export function* schedule(label = 'schedule'): G<void> {
  might_sleep(label);
  yield op.yield(label);
}

/** msleep(ms): may sleep; a scheduling point (no time passes in the model). */
export function* msleep(_ms: number, label = 'msleep'): G<void> {
  might_sleep(label);
  yield op.yield(label);
}

/** lockdep_assert_held(lock): WARN unless the running thread holds it. */
export function lockdep_assert_held(lock: LockInfo, label = 'lockdep_assert_held'): void {
  const exec = currentExecution();
  if (!exec.sanitize) return;
  if (kctx(exec).held.some((h) => h.id === lock.id)) return;
  kwarn('assertion', `${threadLabel(exec, exec.running)} does not hold ${exec.objects.label(lock.id)} at '${label}'`, label, {
    title: `WARNING: CPU: 0 PID: ${exec.running} at ${label} (lockdep_assert_held)`,
  });
}

/** lockdep_assert_irqs_disabled(). */
export function lockdep_assert_irqs_disabled(label = 'lockdep_assert_irqs_disabled'): void {
  const exec = currentExecution();
  if (!exec.sanitize || kctx(exec).irqsOff) return;
  kwarn('assertion', `${threadLabel(exec, exec.running)} runs with interrupts enabled at '${label}'`, label, {
    title: `WARNING: CPU: 0 PID: ${exec.running} at ${label} (lockdep_assert_irqs_disabled)`,
  });
}

function exitProblem(c: KCtx, describe: (h: HeldLock) => string): string | null {
  if (c.held.length > 0) return `exited holding ${c.held.map(describe).join(', ')}`;
  if (c.rcuDepth > 0) return `exited inside an RCU read-side critical section (rcu_read_lock nesting ${c.rcuDepth})`;
  if (c.preempt > 0) return `exited with preemption disabled (preempt_count ${c.preempt})`;
  if (c.irqsOff) return 'exited with interrupts disabled';
  return null;
}

/**
 * Final check: every thread left the kernel clean (no lock held, no RCU section, preemption and
 * irqs back on). Add it to a model: `final: [kernelExitCheck, ...]`.
 */
export const kernelExitCheck: Check<unknown> = {
  name: 'no lock, RCU section or atomic context left at thread exit',
  check: () => {
    const exec = currentExecution();
    for (let t = 0; t < exec.threads.length; t++) {
      const p = exitProblem(ctxOf(exec, t), (h) => `${exec.objects.label(h.id)} (${h.kind}, taken at '${h.label}')`);
      if (p !== null) return `${threadLabel(exec, t)} ${p}`;
    }
    return true;
  },
};
