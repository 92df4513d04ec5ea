/**
 * Replay a recorded schedule. Strict replay follows the steps exactly; a step that is not enabled
 * is left to the engine, which reports the model as nondeterministic (or changed). Lenient replay
 * falls back to a deterministic choice (the previous thread if still enabled, else the lowest
 * enabled id) when a recorded step is not enabled. Both continue past the end of the recorded
 * steps without preempting: the previous thread keeps running while it can, which is what the
 * minimizer needs when it deletes steps.
 * Leaves out: fuzzy matching of shifted steps (the minimizer tries deletions itself).
 */
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';

export class ReplayScheduler implements Scheduler {
  readonly name: string;
  readonly seed = 0;
  private pos = 0;
  private runs = 0;
  /** Steps where lenient replay had to deviate. */
  deviations = 0;

  constructor(private readonly steps: readonly number[], readonly mode: 'strict' | 'lenient' = 'strict', private readonly executions = 1) {
    this.name = `replay-${mode}`;
  }

  beginExecution(): boolean {
    if (this.runs >= this.executions) return false;
    this.runs++;
    this.pos = 0;
    this.deviations = 0;
    return true;
  }

  /** How many recorded steps were consumed. */
  get consumed(): number {
    return this.pos;
  }

  pickThread(view: SchedulerView): number {
    if (this.pos < this.steps.length) {
      const t = this.steps[this.pos++] as number;
      if (this.mode === 'strict' || view.isEnabled(t)) return t;
      this.deviations++;
    }
    return continuation(view);
  }

  pickValue(n: number): number {
    if (this.pos < this.steps.length) {
      const v = this.steps[this.pos++] as number;
      if (this.mode === 'strict' || v < n) return v;
      this.deviations++;
    }
    return 0;
  }
}

/** Non-preemptive continuation: keep the previous thread if it is enabled, else the lowest id. */
export function continuation(view: SchedulerView): number {
  if (view.lastThread >= 0 && view.isEnabled(view.lastThread)) return view.lastThread;
  return view.enabled[0] as number;
}
