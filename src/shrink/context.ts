/**
 * The state one minimization shares between its phases: the model, the scenario parameters, the
 * violation to preserve, a deadline, an optional execution budget, an optional extra test (`keep`:
 * a campaign keeps the bug's signature, so a report is never filed under another bug) and a count
 * of executions tried. `improve` is the single acceptance test of every phase: run the candidate,
 * keep it only when it shows the same violation (same.ts), passes `keep`, and is strictly smaller
 * in the order of attempt.ts.
 * Leaves out: the phases (one file each) and their order (minimize.ts).
 */
import type { AnyModel, Json } from '../engine/model.js';
import type { Violation } from '../engine/violation.js';
import { type Attempt, type Event, attempt, smaller } from './attempt.js';
import { sameViolation } from './same.js';

/** An extra acceptance test on top of "the same violation" (the campaign keeps the bug's signature). */
export type Keep = (v: Violation, threadNames: readonly string[]) => boolean;

export class ShrinkContext {
  /** Executions run so far. */
  runs = 0;
  constructor(
    readonly model: AnyModel,
    public params: Json,
    readonly target: Violation,
    readonly deadline: number,
    /** Stop after this many executions too (a deterministic budget, unlike the deadline). */
    readonly maxRuns = Number.POSITIVE_INFINITY,
    readonly keep: Keep | null = null,
    /** The token's executions ran in keep-going mode: run candidates so, and look for the target among all violations. */
    readonly keepGoing = false,
  ) {}

  /**
   * Does attempt `a` show the target violation (and pass `keep`)? With keep-going it may be any of
   * the execution's violations; a candidate that picks a thread which cannot run is not a schedule
   * of the model, even when the target was recorded before the bad pick.
   */
  shows(a: Attempt): boolean {
    if (a.violation?.kind === 'nondeterminism' && this.target.kind !== 'nondeterminism') return false;
    return a.violations.some((v) => sameViolation(this.target, v, this.model) && (this.keep === null || this.keep(v, a.threads)));
  }

  /** Whether `a` shows the target violation at all, ignoring the extra keep condition. */
  reproduces(a: Attempt): boolean {
    if (a.violation?.kind === 'nondeterminism' && this.target.kind !== 'nondeterminism') return false;
    return a.violations.some((v) => sameViolation(this.target, v, this.model));
  }

  get expired(): boolean {
    return this.runs >= this.maxRuns || Date.now() > this.deadline;
  }

  /** Run `events`; return the attempt when it shows the target violation, else null. */
  reproduce(events: readonly Event[], mode: 'strict' | 'skip' = 'strict', params: Json = this.params): Attempt | null {
    this.runs++;
    const a = attempt(this.model, params, events, mode, this.keepGoing);
    return this.shows(a) ? a : null;
  }

  /** Run `events`; return the attempt when it reproduces and is smaller than `cur`, else null. */
  improve(cur: Attempt, events: readonly Event[]): Attempt | null {
    const a = this.reproduce(events);
    return a && smaller(a, cur) ? a : null;
  }
}
