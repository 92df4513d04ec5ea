/**
 * The violations one keep-going execution records (ExecOptions.keepGoing): every distinct one
 * (violationKey), up to a cap, and how many threads an oops ended. The execution asks it whether
 * what follows is a consequence of an oops (a deadlock behind a lock the dead thread held, the leak
 * of what it was about to free, end-of-run checks on its half-done state), and for the list of the
 * execution's violations, worst first (violation.ts bySeverity), with the violation that ended the
 * execution, if any, among them.
 * Leaves out: deciding what is fatal (execution.ts: `fail` / `warn`) and deduplicating across
 * executions (explore.ts).
 */
import { type Violation, bySeverity, violationKey } from './violation.js';

/** At most this many distinct violations are kept per execution. */
const MAX_KEPT = 64;

export class ViolationLog {
  private kept: Violation[] = [];
  private readonly keys = new Set<string>();
  /** Threads an oops ended this execution. */
  oopses = 0;

  reset(): void {
    if (this.kept.length !== 0) this.kept = [];
    if (this.keys.size !== 0) this.keys.clear();
    this.oopses = 0;
  }

  /** Record `v` unless the same violation is already recorded (or the cap is reached). */
  add(v: Violation): void {
    const key = violationKey(v);
    if (this.keys.has(key) || this.kept.length >= MAX_KEPT) return;
    this.keys.add(key);
    this.kept.push(v);
  }

  /** An oops ended a thread (its violation recorded with `add`). */
  oops(v: Violation): void {
    this.add(v);
    this.oopses++;
  }

  /** Every violation of the execution, worst first; `ending` is the one that ended it (or null). */
  all(ending: Violation | null): Violation[] {
    if (this.kept.length === 0) return ending ? [ending] : [];
    return bySeverity(ending ? [...this.kept, ending] : this.kept);
  }
}
