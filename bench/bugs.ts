/**
 * Time to first bug (the SCTBench measure: Thomson, Donaldson & Betts, PPoPP 2014): for every
 * expected bug of every posted model, executions and wall time until the first violation of an
 * expected kind, per strategy (random, PCT d=2, PCT d=3, POS, delay bounding, DPOR, portfolio);
 * randomized strategies take the median over several seeds, the systematic ones (delay, DPOR)
 * ignore the seed and run once; executions run in keep-going mode and the hunt (bench/prove.ts)
 * stops at the first execution that shows the bug among its violations (a posted model often
 * shows a race or WARN first). For every fixed model, the executions and time of each CI-tier
 * proof at its stated bound (DPOR, or DFS within a preemption bound; `npm run prove` runs all tiers).
 * Leaves out: a cap per bug beyond `maxExecutions` (a bug not found within it prints "not found").
 */
import { allModels } from '../models/index.js';
import { type AnyModel, proofsOf, strategyNames } from '../src/index.js';
import { hunt, runProof } from './prove.js';

export interface BugRow {
  readonly model: string;
  readonly bug: string;
  readonly strategy: string;
  /** Median executions to find it, or null when some seed did not find it. */
  readonly executions: number | null;
  readonly medianMs: number | null;
  readonly found: number;
  readonly seeds: number;
}

export interface ProofRow {
  readonly model: string;
  readonly scenario: string;
  readonly strategy: 'dpor' | 'dpor-fold' | 'dfs';
  readonly preemptionBound: number | null;
  readonly executions: number;
  readonly ms: number;
  readonly exhaustive: boolean;
  readonly violation: string | null;
}

const STRATS: readonly { label: string; name: string; depth?: number }[] = [
  { label: 'random', name: 'random' }, { label: 'pct-d2', name: 'pct', depth: 2 }, { label: 'pct-d3', name: 'pct', depth: 3 },
  { label: 'pos', name: 'pos' }, { label: 'delay', name: 'delay' }, { label: 'dpor', name: 'dpor' }, { label: 'portfolio', name: 'portfolio' },
];

/** Strategies that ignore the seed: one run stands for every seed. */
const SYSTEMATIC = new Set(['delay', 'dpor']);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

export function timeToFirstBug(seeds: number, maxExecutions: number, models: readonly AnyModel[] = allModels): BugRow[] {
  const have = new Set(strategyNames());
  const rows: BugRow[] = [];
  for (const m of models) {
    for (const bug of m.expectedBugs ?? []) {
      for (const s of STRATS) {
        if (!have.has(s.name)) continue;
        const systematic = SYSTEMATIC.has(s.name);
        const n = systematic ? 1 : seeds;
        const hits: { executions: number; ms: number }[] = [];
        for (let k = 0; k < n; k++) {
          const h = hunt(m, bug, s.name, k + 1, maxExecutions, s.depth);
          if (h) hits.push({ executions: h.executions, ms: h.seconds * 1000 });
        }
        const all = hits.length === n;
        rows.push({
          model: m.name, bug: bug.id, strategy: s.label, found: hits.length, seeds: n,
          executions: all ? median(hits.map((h) => h.executions)) : null,
          medianMs: all ? median(hits.map((h) => h.ms)) : null,
        });
      }
    }
  }
  return rows;
}

export function fixedExhaustion(maxExecutions: number, models: readonly AnyModel[] = allModels): ProofRow[] {
  if (!strategyNames().includes('dpor')) return [];
  const rows: ProofRow[] = [];
  for (const m of models) {
    for (const p of proofsOf(m)) {
      if ((p.tier ?? 'ci') !== 'ci') continue;
      const r = runProof(m, { ...p, maxExecutions: Math.min(p.maxExecutions ?? maxExecutions, maxExecutions) });
      rows.push({
        model: m.name, scenario: p.scenario, strategy: r.strategy, preemptionBound: r.preemptionBound, executions: r.executions,
        ms: r.seconds * 1000, exhaustive: r.exhaustive, violation: r.violation,
      });
    }
  }
  return rows;
}
