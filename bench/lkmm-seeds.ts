/**
 * The seed designs under the LKMM beside SC (issue 12, Performance): for each seed model's fixed
 * variants, the CI-tier proofs (`proofsOf`, the strategy and bound each states), run under `sc` and
 * then under `lkmm` in the same process: executions and wall time to exhaust, and their ratios.
 * A proof that does not exhaust under lkmm within its budget (the larger of 5000 and twice the sc
 * count; `--quick`: one representative proof per seed model) prints "not exhaustive" and the executions
 * it reached, never a ratio of an unfinished run. The verdict cache is cleared before each lkmm run
 * (a cold run: no run profits from the graphs of the one before).
 * Leaves out: the 'prove'-tier proofs (minutes under sc alone), the posted variants (they stop at
 * their first bug: time to first bug is the bugs section's).
 */
import { allModels } from '../models/index.js';
import { type AnyModel, type ProofSpec, clearLkmmVerdicts, explore, makeStrategy, proofsOf } from '../src/index.js';
import type { BenchOptions, BenchReport } from './index.js';

export interface LkmmSeedRow {
  readonly model: string;
  readonly scenario: string;
  readonly bound: string;
  readonly scExec: number;
  readonly scMs: number;
  readonly lkmmExec: number;
  readonly lkmmMs: number;
  readonly lkmmBlocked: number;
  readonly exhaustive: boolean;
  readonly violation: string | null;
}

/** --quick: one cheap proof per seed model (their lkmm cost spans the range: 1x to 100x per execution). */
const QUICK: readonly (readonly [string, string])[] = [
  ['kmap-pfn/fixed', 'alloc-fail'], ['kiobuf-kvmap/fixed', 'close-vs-unload'], ['ioremap-reuse/fixed', 'walk-vs-unmap'],
  ['iova-extend/fixed', 'small-dma'], ['vcm/fixed', 'bind-one-res'],
];

function run(m: AnyModel, p: ProofSpec, memoryModel: 'sc' | 'lkmm', budget: number): { executions: number; ms: number; exhaustive: boolean; blocked: number; violation: string | null } {
  const sched = p.strategy === 'dfs' ? makeStrategy('dfs', { preemptionBound: p.preemptionBound ?? 0 }) : makeStrategy(p.strategy ?? 'dpor');
  const t0 = performance.now();
  const r = explore(m, sched, { scenario: p.scenario, maxExecutions: budget, memoryModel, audit: false });
  const v = r.finding?.violation;
  return { executions: r.executions, ms: performance.now() - t0, exhaustive: r.exhaustive, blocked: r.stats.blocked ?? 0, violation: v ? v.title : null };
}

export function lkmmSeedsBench(o: BenchOptions, out: BenchReport): void {
  o.log('== lkmm-seeds: the fixed seed variants\' CI proofs under sc and lkmm (same process, audit off, cold verdict cache)');
  const rows: LkmmSeedRow[] = [];
  for (const m of o.models ?? allModels) {
    if (!m.name.includes('/fixed')) continue;
    for (const p of proofsOf(m)) {
      if ((p.tier ?? 'ci') !== 'ci') continue;
      if (o.quick && !QUICK.some(([n, s]) => n === m.name && s === p.scenario)) continue;
      const sc = run(m, p, 'sc', p.maxExecutions ?? 1_000_000);
      clearLkmmVerdicts();
      const lk = run(m, p, 'lkmm', Math.max(5000, 2 * sc.executions));
      const bound = p.strategy === 'dfs' ? `DFS pb ${p.preemptionBound ?? 0}` : p.strategy === 'dpor-fold' ? 'DPOR-fold' : 'DPOR';
      rows.push({ model: m.name, scenario: p.scenario, bound, scExec: sc.executions, scMs: sc.ms, lkmmExec: lk.executions, lkmmMs: lk.ms, lkmmBlocked: lk.blocked, exhaustive: lk.exhaustive, violation: lk.violation });
      const ratio = lk.exhaustive && sc.exhaustive
        ? `lkmm/sc: executions ${(lk.executions / sc.executions).toFixed(2)}x, time ${(lk.ms / Math.max(sc.ms, 0.1)).toFixed(1)}x`
        : `lkmm NOT exhaustive within ${lk.executions} executions (${lk.ms.toFixed(0)} ms)`;
      o.log(`  ${m.name.padEnd(26)} ${p.scenario.padEnd(24)} ${bound.padEnd(9)} sc ${String(sc.executions).padStart(6)} exec ${sc.ms.toFixed(0).padStart(6)} ms | lkmm ${String(lk.executions).padStart(6)} exec (${lk.blocked} blocked) ${lk.ms.toFixed(0).padStart(7)} ms | ${ratio}${lk.violation ? ` VIOLATION ${lk.violation}` : ''}`);
    }
  }
  out.lkmm_seeds = rows;
}
