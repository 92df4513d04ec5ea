/**
 * Minimizer benchmark (issue 6 targets): for every expected bug of every posted seed model, take
 * the first counterexample DPOR finds, minimize it, and compare with the shortest failing schedule
 * that DFS with iterative preemption bounding (CHESS, Musuvathi & Qadeer PLDI 2007) finds within
 * its budget: fewest preemptions first, then fewest steps at that bound, among executions with the
 * same violation (kind, title, site labels; also shown: any execution showing the bug, possibly at
 * another site, which the minimizer by design does not move to). Prints per bug the sizes
 * before / after, the reference, the ratio and the minimization time; then the median preemptions
 * (target <= 2), the worst length ratio (target <= 1.5) and the slowest minimization (target < 10 s).
 * Leaves out: asserting the targets (benchmarks print, tests assert behaviour).
 */
import { allModels } from '../models/index.js';
import { Execution, type AnyModel, type ExpectedBug, type Violation, makeStrategy, minimize, sameViolation, scenarioParams } from '../src/index.js';
import { huntBug, matchesBug } from '../src/cli/report-examples.js';
import type { BenchOptions, BenchReport } from './index.js';

export interface MinimizeRow {
  readonly model: string;
  readonly bug: string;
  readonly before: { steps: number; preemptions: number };
  readonly after: { steps: number; preemptions: number; faults: number };
  /** Shortest schedule of DFS with iterative preemption bounding showing the same violation (null: none in budget). */
  readonly reference: { steps: number; preemptions: number } | null;
  /** The same, accepting any violation that shows the bug (possibly at another site). */
  readonly bugReference: { steps: number; preemptions: number } | null;
  readonly ratio: number | null;
  readonly ms: number;
}

/**
 * The DFS reference: fewest preemptions, then fewest steps, among the failures in budget that
 * `accept` (same violation as the minimized one — kind, title, site labels — or merely the bug).
 */
export function dfsReference(model: AnyModel, bug: ExpectedBug, budget: number, accept: (v: Violation | null) => boolean): { steps: number; preemptions: number } | null {
  const { params } = scenarioParams(model, bug.scenario);
  const sched = makeStrategy('dfs', {});
  const exec = new Execution();
  const runStore = new Map<unknown, unknown>();
  let best: { steps: number; preemptions: number } | null = null;
  for (let i = 0; i < budget && sched.beginExecution(); i++) {
    const r = exec.run(model, sched, { params, runStore });
    sched.endExecution?.({ violation: r.violation, steps: r.steps, schedule: r.schedule });
    if (!accept(r.violation)) continue;
    // Bounds are explored in increasing order: past the first bound with a failure, stop.
    if (best && r.preemptions > best.preemptions) break;
    if (!best || r.steps < best.steps) best = { steps: r.steps, preemptions: r.preemptions };
  }
  return best;
}

function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function minimizeBench(o: BenchOptions, out: BenchReport): void {
  const rows: MinimizeRow[] = [];
  const refBudget = o.quick ? 3_000 : 30_000;
  o.log(`== minimizer on the posted seed bugs (targets: median preemptions <= 2, steps <= 1.5 x DFS-with-preemption-bounding shortest, < 10 s each)`);
  for (const model of allModels) {
    for (const bug of model.expectedBugs ?? []) {
      const hunt = huntBug(model, bug, o.quick ? 5_000 : 20_000);
      if (!hunt) {
        o.log(`  ${model.name.padEnd(24)} ${bug.id.padEnd(30)} not found`);
        continue;
      }
      const t0 = Date.now();
      const m = minimize(model, hunt.token);
      const ms = Date.now() - t0;
      const reference = dfsReference(model, bug, refBudget, (v) => sameViolation(m.violation, v, model));
      const bugReference = dfsReference(model, bug, refBudget, (v) => matchesBug(v, bug));
      const ratio = reference ? m.steps / reference.steps : null;
      rows.push({ model: model.name, bug: bug.id, before: m.before, after: { steps: m.steps, preemptions: m.preemptions, faults: m.faults }, reference, bugReference, ratio, ms });
      const fmtRef = (x: { steps: number; preemptions: number } | null): string => (x ? `${x.steps}/${x.preemptions}` : '-');
      o.log(`  ${model.name.padEnd(24)} ${bug.id.padEnd(30)} ${String(m.before.steps).padStart(4)} -> ${String(m.steps).padStart(4)} steps  ${m.before.preemptions} -> ${m.preemptions} preempt  `
        + `DFS same-violation ${fmtRef(reference)} any-site ${fmtRef(bugReference)}  ratio ${ratio?.toFixed(2) ?? '-'}  ${ms} ms`);
    }
  }
  const medPre = median(rows.map((r) => r.after.preemptions));
  const ratios = rows.flatMap((r) => (r.ratio === null ? [] : [r.ratio]));
  const worst = ratios.length ? Math.max(...ratios) : null;
  const slowest = rows.length ? Math.max(...rows.map((r) => r.ms)) : null;
  o.log(`  median preemptions ${medPre ?? '-'} (target <= 2); worst steps / DFS shortest ${worst?.toFixed(2) ?? '-'} (target <= 1.5; median ${median(ratios)?.toFixed(2) ?? '-'}); slowest minimization ${slowest ?? '-'} ms (target < 10000)`);
  out.minimize = { rows, median_preemptions: medPre, worst_ratio: worst, median_ratio: median(ratios), slowest_ms: slowest };
}
