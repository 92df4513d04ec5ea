/**
 * `npm run prove`: every proof of every model (`proofsOf`: DPOR exhaustion, or DFS within the
 * stated preemption bound, of tier 'ci' and 'prove'), each re-measured (executions, seconds) and
 * judged: a proof passes only when the search was exhaustive within its budget and found no
 * violation. Also the time to first bug of every expected bug (portfolio, keep-going, median over
 * seeds), as bench/bugs.ts measures it per strategy.
 * Leaves out: pass/fail on speed (figures only), rewriting the `executions` the models record
 * (a measured count that differs is printed beside the recorded one).
 */
import { type AnyModel, type ExpectedBug, type ProofSpec, explore, makeStrategy, proofsOf, scenarioParams } from '../src/index.js';

export interface ProofRun {
  readonly model: string;
  readonly scenario: string;
  readonly strategy: 'dpor' | 'dpor-fold' | 'dfs';
  readonly preemptionBound: number | null;
  readonly tier: 'ci' | 'prove';
  readonly threads: number | null;
  readonly sessions: number | null;
  readonly budget: number;
  readonly executions: number;
  /** What the model records for this proof (null: nothing recorded). */
  readonly recorded: number | null;
  readonly seconds: number;
  readonly exhaustive: boolean;
  readonly violation: string | null;
  readonly ok: boolean;
  /** The run's notes (dpor-fold: sections that stopped folding, and why). */
  readonly notes: readonly string[];
  /** dpor-fold's restarts from the root after a premise break (0 for the other strategies). */
  readonly foldRestarts: number;
}

/** The default budget of a proof (ProofSpec.maxExecutions). */
export const PROOF_BUDGET = 1_000_000;

/** The shape of a proof's scenario, from the model's scenarioShape (nulls when it has none). */
export function proofShape(model: AnyModel, scenario: string): { threads: number | null; sessions: number | null } {
  if (!model.scenarioShape) return { threads: null, sessions: null };
  const s = model.scenarioShape(scenarioParams(model, scenario).params);
  return { threads: s.threads, sessions: s.sessions };
}

/** Run one proof and judge it; with `capMs`, stop after that long (then it is not exhaustive). */
export function runProof(model: AnyModel, p: ProofSpec, capMs?: number): ProofRun {
  const strategy = p.strategy ?? 'dpor';
  const budget = p.maxExecutions ?? PROOF_BUDGET;
  const sched = strategy === 'dfs' ? makeStrategy('dfs', { preemptionBound: p.preemptionBound ?? 0 }) : makeStrategy(strategy);
  const t0 = performance.now();
  const r = explore(model, sched, { scenario: p.scenario, maxExecutions: budget, ...(capMs !== undefined ? { deadline: Date.now() + capMs } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const v = r.finding?.violation ?? null;
  return {
    model: model.name, scenario: p.scenario, strategy, preemptionBound: strategy === 'dfs' ? (p.preemptionBound ?? 0) : null,
    tier: p.tier ?? 'ci', ...proofShape(model, p.scenario), budget, executions: r.executions, recorded: p.executions ?? null,
    seconds, exhaustive: r.exhaustive, violation: v ? `${v.kind}: ${v.title}` : null, ok: r.exhaustive && v === null,
    notes: r.notes, foldRestarts: r.stats['foldRestarts'] ?? 0,
  };
}

/** One line for a proof run. */
export function proofLine(r: ProofRun): string {
  const bound = r.strategy === 'dfs' ? `DFS pb ${r.preemptionBound}` : r.strategy === 'dpor-fold' ? 'DPOR-fold' : 'DPOR';
  const shape = r.threads === null ? '' : ` ${r.threads} thr${r.sessions === null ? '' : ` x ${r.sessions} sess`}`;
  const rec = r.recorded !== null && r.recorded !== r.executions ? ` (recorded ${r.recorded})` : '';
  const verdict = r.ok ? 'exhaustive, no violation' : r.violation ? `VIOLATION ${r.violation}` : `NOT exhaustive within ${r.budget}`;
  return `${r.model.padEnd(26)} ${r.scenario.padEnd(22)} [${r.tier}] ${bound.padEnd(9)}${shape.padEnd(16)} ${String(r.executions).padStart(8)} executions${rec} ${r.seconds.toFixed(1).padStart(7)} s  ${verdict}`;
}

/** Every proof of the given models in the given tiers. */
export function proveAll(models: readonly AnyModel[], tiers: readonly ('ci' | 'prove')[], log: (l: string) => void): ProofRun[] {
  const out: ProofRun[] = [];
  for (const m of models) {
    for (const p of proofsOf(m)) {
      if (!tiers.includes(p.tier ?? 'ci')) continue;
      const r = runProof(m, p);
      log(proofLine(r));
      out.push(r);
    }
  }
  return out;
}

export interface BugTime {
  readonly model: string;
  readonly bug: string;
  readonly scenario: string;
  /** Median executions and seconds over the seeds that found it (null: some seed did not). */
  readonly executions: number | null;
  readonly seconds: number | null;
  readonly found: number;
  readonly seeds: number;
}

/** Does one of an execution's violations show this bug (kind and, when given, the site / symptom text)? */
export function showsBug(bug: ExpectedBug, vs: readonly { kind: string; title: string; message: string }[]): boolean {
  return vs.some((v) => bug.kinds.includes(v.kind) && (bug.match === undefined || `${v.title} ${v.message}`.includes(bug.match)));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

/**
 * Executions until the first execution that shows the bug, in keep-going mode (the scenario's
 * other violations neither stop the execution nor the hunt), for one strategy and seed.
 */
export function hunt(m: AnyModel, bug: ExpectedBug, strategy: string, seed: number, maxExecutions: number, depth?: number): { executions: number; seconds: number } | null {
  const t0 = performance.now();
  // One strategy object across one-execution runs: one continuous exploration, checked after each execution.
  const sched = makeStrategy(strategy, { seed, ...(depth !== undefined ? { depth } : {}) });
  for (let n = 1; n <= maxExecutions; n++) {
    let hit = false;
    // No audit: this measures the search, not the model.
    const r = explore(m, sched, { scenario: bug.scenario, maxExecutions: 1, keepGoing: true, audit: false, onExecution: (x) => { hit = showsBug(bug, x.violations); } });
    if (hit) return { executions: n, seconds: (performance.now() - t0) / 1000 };
    if (r.executions === 0) return null; // a systematic strategy ran out of interleavings
  }
  return null;
}

/** Time to first bug of every expected bug of `models`: portfolio, median over `seeds` seeds. */
export function bugTimes(models: readonly AnyModel[], seeds: number, maxExecutions: number, log: (l: string) => void): BugTime[] {
  const out: BugTime[] = [];
  for (const m of models) {
    for (const bug of m.expectedBugs ?? []) {
      const hits: { executions: number; seconds: number }[] = [];
      for (let s = 1; s <= seeds; s++) {
        const h = hunt(m, bug, 'portfolio', s, maxExecutions);
        if (h) hits.push(h);
      }
      const all = hits.length === seeds;
      const row: BugTime = {
        model: m.name, bug: bug.id, scenario: bug.scenario, found: hits.length, seeds,
        executions: all ? median(hits.map((h) => h.executions)) : null, seconds: all ? median(hits.map((h) => h.seconds)) : null,
      };
      log(`${row.model.padEnd(26)} ${row.bug.padEnd(24)} ${row.executions === null ? `found by ${row.found}/${seeds} seeds within ${maxExecutions}` : `median ${row.executions} executions, ${(row.seconds ?? 0).toFixed(2)} s (portfolio, ${seeds} seeds)`}`);
      out.push(row);
    }
  }
  return out;
}
