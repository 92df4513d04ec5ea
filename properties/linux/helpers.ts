// Shared helpers for the src/linux property suites: run a model exhaustively (plain DFS, no
// reduction) and collect the set of final outcomes a model records, litmus style.
import { expect } from 'vitest';
import { type AnyModel, type CheckResult, check } from '../../src/index.js';

/** Exhaustive DFS; fails the test if the search was cut short. */
export function exhaust(model: AnyModel, scenario?: string, maxExecutions = 20_000): CheckResult {
  const r = check(model, { strategy: 'dfs', maxExecutions, ...(scenario !== undefined ? { scenario } : {}) });
  if (r.finding === null) expect(r.exhaustive, `${model.name}: DFS did not finish within ${maxExecutions} executions`).toBe(true);
  return r;
}

/** A violation found by DPOR (the exploration of interleavings), or null. */
export function dpor(model: AnyModel, scenario?: string, maxExecutions = 20_000): CheckResult {
  return check(model, { strategy: 'dpor', maxExecutions, ...(scenario !== undefined ? { scenario } : {}) });
}

/** An outcome recorder: models push a string at their final check; tests read the set. */
export class Outcomes {
  readonly seen = new Set<string>();
  record(o: string): true {
    this.seen.add(o);
    return true;
  }
  sorted(): string[] {
    return [...this.seen].sort();
  }
}

/** Assert `r` found a violation of `kind`, and return it. */
export function expectKind(r: CheckResult, kind: string): NonNullable<CheckResult['finding']>['violation'] {
  expect(r.finding, `${r.model}: expected a ${kind} violation, found none in ${r.executions} executions`).not.toBeNull();
  const v = (r.finding as NonNullable<CheckResult['finding']>).violation;
  expect(v.kind, `${v.title}\n${v.message}`).toBe(kind);
  return v;
}

/** Assert `r` explored everything and found nothing. */
export function expectClean(r: CheckResult): void {
  const v = r.finding?.violation;
  expect(v ? `${v.kind}: ${v.title}\n${v.message}` : null).toBeNull();
  expect(r.exhaustive).toBe(true);
}
