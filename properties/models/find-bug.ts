/**
 * Shared by the model suites: find a posted model's expected bug by systematic search — DPOR
 * first, then DFS within a preemption bound if DPOR's budget runs out — continuing past the
 * scenario's other violations (a posted model often shows several), and return a replay token of
 * the first execution that shows this bug. The result says which strategy found it.
 * Leaves out: assertions (each suite states its own).
 */
import { type AnyModel, type ExpectedBug, type Violation, encodeToken, explore, makeStrategy } from '../../src/index.js';

export interface Found {
  readonly by: string;
  readonly execution: number;
  readonly token: string;
  readonly v: Violation;
}

export function matches(bug: ExpectedBug, v: Violation): boolean {
  return bug.kinds.includes(v.kind) && (bug.match === undefined || `${v.title} ${v.message}`.includes(bug.match));
}

function searchWith(model: AnyModel, bug: ExpectedBug, strategy: 'dpor' | 'dfs', dfsBound: number): Omit<Found, 'by'> | null {
  const sched = strategy === 'dpor' ? makeStrategy('dpor') : makeStrategy('dfs', { preemptionBound: dfsBound });
  let hit: { execution: number; schedule: number[]; v: Violation } | null = null;
  explore(model, sched, {
    scenario: bug.scenario, maxExecutions: 20_000, continueAfterViolation: true,
    onExecution: (r, i) => {
      if (hit === null && r.violation !== null && matches(bug, r.violation)) hit = { execution: i, schedule: [...r.schedule], v: r.violation };
    },
  });
  if (hit === null) return null;
  const h: { execution: number; schedule: number[]; v: Violation } = hit;
  const token = encodeToken({ model: model.name, hash: model.hash, scenario: bug.scenario, strategy: sched.name, seed: sched.seed, steps: h.schedule });
  return { execution: h.execution, token, v: h.v };
}

/** DPOR first, bounded DFS when DPOR does not reach the bug within its budget. */
export function findBug(model: AnyModel, bug: ExpectedBug, dfsBound: number): Found | null {
  const d = searchWith(model, bug, 'dpor', dfsBound);
  if (d !== null) return { by: 'DPOR', ...d };
  const f = searchWith(model, bug, 'dfs', dfsBound);
  return f === null ? null : { by: `DFS(pb ${dfsBound}), not within DPOR's budget`, ...f };
}
