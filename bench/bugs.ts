/**
 * Time to first bug (the SCTBench measure: Thomson, Donaldson & Betts, PPoPP 2014): for every
 * expected bug of every posted model, executions and wall time until the first violation of an
 * expected kind, per strategy (random, PCT d=2, PCT d=3, POS, delay bounding, DPOR, portfolio);
 * randomized strategies take the median over several seeds, the systematic ones (delay, DPOR)
 * ignore the seed and run once. For every fixed model, DPOR's executions and
 * time to exhaust each proved scenario.
 * Leaves out: a cap per bug beyond `maxExecutions` (a bug not found within it prints "not found").
 */
import { allModels } from '../models/index.js';
import { type AnyModel, type ExpectedBug, explore, makeStrategy, strategyNames } from '../src/index.js';

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

/**
 * Executions until the first violation that is this bug. Other violations the scenario also shows
 * (a posted model often has several) do not stop the hunt, as in a campaign: the strategy object
 * keeps its state across one-execution runs, so this is one continuous exploration.
 */
export function hunt(m: AnyModel, bug: ExpectedBug, name: string, depth: number | undefined, seed: number, maxExecutions: number): { executions: number; ms: number } | null {
  const t0 = performance.now();
  const sched = makeStrategy(name, { seed, ...(depth !== undefined ? { depth } : {}) });
  for (let n = 1; n <= maxExecutions; n++) {
    // Keep-going, as campaigns run: a race or WARN the same interleaving shows first does not hide
    // the bug. No audit: this measures the search, not the model.
    const r = explore(m, sched, { scenario: bug.scenario, maxExecutions: 1, keepGoing: true, audit: false });
    if (r.executions === 0) return null; // a systematic strategy ran out of interleavings
    if (r.findings.some((f) => bug.kinds.includes(f.violation.kind) && (!bug.match || `${f.violation.title} ${f.violation.message}`.includes(bug.match)))) {
      return { executions: n, ms: performance.now() - t0 };
    }
  }
  return null;
}

export function timeToFirstBug(seeds: number, maxExecutions: number): BugRow[] {
  const have = new Set(strategyNames());
  const rows: BugRow[] = [];
  for (const m of allModels) {
    for (const bug of m.expectedBugs ?? []) {
      for (const s of STRATS) {
        if (!have.has(s.name)) continue;
        const systematic = SYSTEMATIC.has(s.name);
        const n = systematic ? 1 : seeds;
        const hits: { executions: number; ms: number }[] = [];
        for (let k = 0; k < n; k++) {
          const h = hunt(m, bug, s.name, s.depth, k + 1, maxExecutions);
          if (h) hits.push(h);
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

export function fixedExhaustion(maxExecutions: number): ProofRow[] {
  if (!strategyNames().includes('dpor')) return [];
  const rows: ProofRow[] = [];
  for (const m of allModels) {
    for (const sc of m.provedScenarios ?? []) {
      const t0 = performance.now();
      const r = explore(m, makeStrategy('dpor'), { scenario: sc, maxExecutions });
      rows.push({
        model: m.name, scenario: sc, executions: r.executions, ms: performance.now() - t0, exhaustive: r.exhaustive,
        violation: r.finding ? r.finding.violation.kind : null,
      });
    }
  }
  return rows;
}
