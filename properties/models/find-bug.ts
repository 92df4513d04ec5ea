/**
 * Shared by the model suites: find a posted model's expected bug by systematic search — DPOR
 * first, then DFS within a preemption bound if DPOR's budget runs out — in keep-going mode, so
 * the scenario's other violations (a posted model often shows several, a data race before the
 * use-after-free it causes) neither end the execution nor the run, and return a replay token of
 * the first execution that shows this bug. The result says which strategy found it.
 * `foundSignature`: the campaign signature of a found bug (suites check that two bugs are two findings).
 * Leaves out: assertions (each suite states its own).
 */
import { type AnyModel, type ExpectedBug, type MemoryModelName, type Violation, encodeToken, explore, makeStrategy, replay } from '../../src/index.js';
import { signature } from '../../src/cli/fuzz/signature.js';

export interface Found {
  readonly by: string;
  readonly execution: number;
  readonly token: string;
  readonly v: Violation;
}

export function matches(bug: ExpectedBug, v: Violation): boolean {
  return bug.kinds.includes(v.kind) && (bug.match === undefined || `${v.title} ${v.message}`.includes(bug.match));
}

function searchWith(model: AnyModel, bug: ExpectedBug, strategy: 'dpor' | 'dfs' | 'portfolio', dfsBound: number, budget = 20_000, memoryModel: MemoryModelName = 'sc'): Omit<Found, 'by'> | null {
  const sched = strategy === 'dfs' ? makeStrategy('dfs', { preemptionBound: dfsBound }) : makeStrategy(strategy, { seed: 1 });
  let hit: { execution: number; schedule: number[]; v: Violation } | null = null;
  // One execution per explore call with the same strategy object (one continuous exploration), so
  // the search stops at the first hit instead of running out the budget.
  for (let i = 1; i <= budget && hit === null; i++) {
    const r = explore(model, sched, {
      scenario: bug.scenario, maxExecutions: 1, keepGoing: true, memoryModel,
      onExecution: (x) => {
        const v = x.violations.find((y) => matches(bug, y));
        if (v !== undefined) hit = { execution: i, schedule: [...x.schedule], v };
      },
    });
    if (r.executions === 0) break; // a systematic strategy ran out of interleavings
  }
  if (hit === null) return null;
  const h: { execution: number; schedule: number[]; v: Violation } = hit;
  const mode = memoryModel === 'sc' ? { keepGoing: true } : { keepGoing: true, memoryModel };
  const token = encodeToken({ model: model.name, hash: model.hash, scenario: bug.scenario, strategy: sched.name, seed: sched.seed, steps: h.schedule, mode });
  return { execution: h.execution, token, v: h.v };
}

/**
 * DPOR first, bounded DFS when DPOR does not reach the bug within its budget, then the portfolio
 * (keep-going explores every execution to its end, so a bug behind an earlier race can lie deep in
 * DPOR's depth-first order while the randomized members reach it at once).
 */
export function findBug(model: AnyModel, bug: ExpectedBug, dfsBound: number, dporBudget = 20_000, memoryModel: MemoryModelName = 'sc', budget = 20_000): Found | null {
  const d = searchWith(model, bug, 'dpor', dfsBound, dporBudget, memoryModel);
  if (d !== null) return { by: 'DPOR', ...d };
  const f = dfsBound >= 0 ? searchWith(model, bug, 'dfs', dfsBound, budget, memoryModel) : null;
  if (f !== null) return { by: `DFS(pb ${dfsBound}), not within DPOR's budget`, ...f };
  const p = searchWith(model, bug, 'portfolio', dfsBound, budget, memoryModel);
  return p === null ? null : { by: 'portfolio (seed 1), not within DPOR\'s budget', ...p };
}

/**
 * The campaign signature (src/cli/fuzz/signature.ts) a fuzz campaign files a found bug under: its
 * violation as a replay of its token shows it, with that replay's thread names.
 */
export function foundSignature(model: AnyModel, f: Found): string {
  const r = replay(model, f.token);
  const v = r.exec.violations.find((x) => x.kind === f.v.kind && x.message === f.v.message) ?? f.v;
  return signature(model, v, r.threadNames);
}
