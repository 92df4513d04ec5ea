/**
 * Seed-scenario throughput (issue 16, "Cheap executions"): executions/s and steps/s of random and
 * DPOR exploration on the scenarios the issue profiled (iova-extend/fixed dma-mixed,
 * ioremap-reuse/fixed shared-page, vcm/fixed activate-race) and every seed model's default
 * scenario. Random keeps going past violations (a posted model's bug would otherwise end the run
 * after a few executions); DPOR runs from the root for the same budget, so its figure includes
 * the re-execution of explored prefixes that a real proof pays.
 * Each figure is the best of `rounds` runs of `budgetMs` each (least disturbed by the shared machine).
 * Leaves out: before/after ratios — a run measures one build; compare two builds by running this
 * section in each, alternately, on the same machine (`mapcheck bench --only seeds`).
 */
import { findModel } from '../models/index.js';
import { explore, makeStrategy, strategyNames } from '../src/index.js';

export interface SeedRow {
  readonly model: string;
  readonly scenario: string;
  readonly strategy: string;
  readonly executionsPerSec: number;
  readonly stepsPerSec: number;
  /** Steps per execution (the work one execution does). */
  readonly stepsPerExecution: number;
  /** True when DPOR exhausted the scenario within the budget (then it was restarted for the rest). */
  readonly exhausted: boolean;
}

/** The three profiled scenarios, then each seed model's default scenario. */
export const SEED_SCENARIOS: readonly (readonly [string, string | undefined])[] = [
  ['iova-extend/fixed', 'dma-mixed'],
  ['ioremap-reuse/fixed', 'shared-page'],
  ['vcm/fixed', 'activate-race'],
  ['iova-extend/fixed', undefined], ['iova-extend/posted', undefined], ['iova-extend/fixed-simple', undefined],
  ['ioremap-reuse/fixed', undefined], ['ioremap-reuse/posted', undefined], ['ioremap-reuse/fixed-fresh', undefined],
  ['vcm/posted', undefined],
  ['kmap-pfn/fixed', undefined], ['kmap-pfn/posted', undefined],
  ['kiobuf-kvmap/fixed', undefined], ['kiobuf-kvmap/posted', undefined],
];

function measure(model: string, scenario: string | undefined, strategy: string, budgetMs: number): SeedRow {
  const m = findModel(model);
  if (!m) throw new Error(`bench: no model ${model}`);
  const sc = scenario ?? m.defaultScenario;
  // Warm the JIT on this model first (not counted): a cold start would dominate short budgets.
  explore(m, makeStrategy(strategy, { seed: 0 }), { scenario: sc, maxExecutions: 1_000_000_000, deadline: Date.now() + Math.min(200, budgetMs / 5), continueAfterViolation: true });
  let executions = 0;
  let steps = 0;
  let exhausted = false;
  let seed = 1;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budgetMs) {
    const r = explore(m, makeStrategy(strategy, { seed: seed++ }), {
      scenario: sc, maxExecutions: 1_000_000_000, deadline: Date.now() + (budgetMs - (t - t0)), continueAfterViolation: true,
    });
    executions += r.executions;
    steps += r.steps;
    if (r.exhaustive) exhausted = true;
    t = performance.now();
  }
  const s = (t - t0) / 1000;
  return {
    model, scenario: sc, strategy, executionsPerSec: executions / s, stepsPerSec: steps / s,
    stepsPerExecution: executions > 0 ? steps / executions : 0, exhausted,
  };
}

/** Random and DPOR (when registered) on every seed scenario; best of `rounds`, interleaved. */
export function seedThroughput(rounds: number, budgetMs: number): SeedRow[] {
  const strategies = ['random', ...(strategyNames().includes('dpor') ? ['dpor'] : [])];
  const rows: SeedRow[] = [];
  for (const [model, scenario] of SEED_SCENARIOS) {
    for (const strategy of strategies) {
      let best: SeedRow | null = null;
      for (let r = 0; r < rounds; r++) {
        const row = measure(model, scenario, strategy, budgetMs);
        if (!best || row.executionsPerSec > best.executionsPerSec) best = row;
      }
      if (best) rows.push(best);
    }
  }
  return rows;
}
