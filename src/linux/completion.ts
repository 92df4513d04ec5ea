/**
 * struct completion (init_completion, wait_for_completion, complete, complete_all,
 * try_wait_for_completion, completion_done, reinit_completion): "this happened" hand-offs such as
 * a DMA finishing or a kthread starting, with the waiter woken by the scheduler's choice.
 *
 * Follows kernel/sched/completion.c: `done` counts completions; wait_for_completion sleeps
 * (might_sleep) until done > 0 and consumes one; complete_all sets done to UINT_MAX so every
 * waiter passes. As with down(), the wait is a Wait op until done > 0 followed by one
 * check-and-decrement that retries if another waiter consumed it first.
 * Leaves out: timeouts and interruptible / killable waits (they behave like the plain wait).
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op, READS_OWN } from '../engine/ops.js';
import { checkObject, kctx } from './kernel.js';
import { mightSleep } from './lockdep.js';

type G<R> = Generator<Op, R, unknown>;

const KIND = 'completion';
const HOW = 'create it with new Completion(name) in setup (DECLARE_COMPLETION / init_completion)';
export const COMPLETION_ALL = 0xffffffff;

export class Completion {
  readonly id: number;
  done = 0;
  constructor(readonly name: string, block = -1) {
    this.id = currentExecution().objects.add(KIND, name, block);
  }
}

/** init_completion() in setup. */
export function init_completion(name: string, block = -1): Completion {
  return new Completion(name, block);
}

export function* wait_for_completion(c: Completion, label = 'wait_for_completion'): G<void> {
  checkObject(c, c?.id, KIND, 'wait_for_completion()', HOW);
  const exec = currentExecution();
  mightSleep(exec, kctx(exec), 'wait_for_completion()', label);
  for (;;) {
    yield op.wait(c.id, label, () => c.done > 0, READS_OWN, `completion ${c.name} to be completed`);
    yield op.rmw(c.id, label);
    if (c.done > 0) {
      if (c.done !== COMPLETION_ALL) c.done--;
      return;
    }
  }
}

/** try_wait_for_completion(): true when it consumed a completion without sleeping. */
export function* try_wait_for_completion(c: Completion, label = 'try_wait_for_completion'): G<boolean> {
  checkObject(c, c?.id, KIND, 'try_wait_for_completion()', HOW);
  yield op.rmw(c.id, label);
  if (c.done === 0) return false;
  if (c.done !== COMPLETION_ALL) c.done--;
  return true;
}

export function* complete(c: Completion, label = 'complete'): G<void> {
  checkObject(c, c?.id, KIND, 'complete()', HOW);
  yield op.rmw(c.id, label);
  if (c.done !== COMPLETION_ALL) c.done++;
}

export function* complete_all(c: Completion, label = 'complete_all'): G<void> {
  checkObject(c, c?.id, KIND, 'complete_all()', HOW);
  yield op.rmw(c.id, label);
  c.done = COMPLETION_ALL;
}

export function* completion_done(c: Completion, label = 'completion_done'): G<boolean> {
  yield op.read(c.id, label);
  return c.done > 0;
}

export function* reinit_completion(c: Completion, label = 'reinit_completion'): G<void> {
  yield op.write(c.id, label);
  c.done = 0;
}
