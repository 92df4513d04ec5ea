/**
 * `minimize(model, token)`: the shortest interleaving with the fewest preemptions (and the fewest
 * injected faults) that still breaks the same invariant at the same site.
 *
 * The phases run in the order of DESIGN.md §7 / issue 6: (1) the scenario (scenario.ts), (2) the
 * schedule — truncation and ddmin deletion under strict replay (schedule.ts), (3) preemptions —
 * merging a thread's runs across commuting ops (preempt.ts), (4) injected faults (faults.ts);
 * then (2)–(4) again until none changes anything, so a merge that makes a deletion possible is
 * followed up. Every accepted step strictly lowers (faults, preemptions, steps, fault values), so
 * the loop ends; a deadline (default 8 s) bounds it anyway, and the result says whether it reached
 * the fixed point or the budget ran out first. The result is verified once more with the engine's
 * own strict token replay.
 * Leaves out: minimizing violations of kind `nondeterminism` (the schedule itself is the problem).
 */
import { runSchedule } from '../check.js';
import type { AnyModel } from '../engine/model.js';
import { scenarioParams } from '../engine/model.js';
import { type Schedule, decodeToken, encodeToken } from '../engine/token.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { checkTokenFits } from '../check.js';
import { type Attempt, attempt, toEvents } from './attempt.js';
import { type Keep, ShrinkContext } from './context.js';
import { shrinkFaults } from './faults.js';
import { shrinkPreemptions } from './preempt.js';
import { sameViolation } from './same.js';
import { shrinkScenario } from './scenario.js';
import { shrinkSchedule } from './schedule.js';

export interface MinimizeOptions {
  /** Give up improving after this long (default 8000 ms); the best schedule so far is returned. */
  readonly timeMs?: number;
  /**
   * Stop after this many executions as well (default: no limit). With a generous `timeMs`, this
   * makes the result independent of machine speed and load (the curated examples use it).
   */
  readonly maxRuns?: number;
  /** Shrink the scenario too (default true). */
  readonly scenario?: boolean;
  /** DFS executions the scenario phase may search per candidate scenario (default 200). */
  readonly searchBudget?: number;
  /** Progress lines (phase, steps, preemptions). */
  readonly log?: (line: string) => void;
  /**
   * The violation to preserve, when the token's execution shows several (keep-going tokens): one
   * of those its replay shows. Default: the worst one the replay shows.
   */
  readonly target?: Violation;
  /**
   * An extra condition every accepted candidate must meet besides showing the same violation (a
   * campaign passes "has this bug's signature", so a report is never filed under another bug).
   */
  readonly keep?: Keep;
}

export interface Size {
  readonly steps: number;
  readonly preemptions: number;
  /** Choose steps with a non-zero value (injected faults). */
  readonly faults: number;
}

export interface MinimizeResult extends Size {
  readonly token: string;
  readonly schedule: Schedule;
  readonly violation: Violation;
  readonly before: Size;
  /** The scenario of the minimized token (a name, or JSON when it was shrunk). */
  readonly scenario: string;
  readonly scenarioShrunk: boolean;
  /** Executions tried while minimizing. */
  readonly runs: number;
  readonly elapsedMs: number;
  /** Size after each phase, in order. */
  readonly phases: readonly (Size & { readonly phase: string })[];
  /**
   * True when the result is a fixed point: a last round of every phase changed nothing and no phase
   * was cut short by the time or execution budget. False when the budget ran out first.
   */
  readonly fixedPoint: boolean;
}

const sizeOf = (a: Attempt): Size => ({ steps: a.steps, preemptions: a.preemptions, faults: a.faults });

/** Minimize the counterexample of `token` (or a decoded schedule). Throws UsageError when it does not fail. */
export function minimize(model: AnyModel, token: string | Schedule, opts: MinimizeOptions = {}): MinimizeResult {
  const t0 = Date.now();
  const s = typeof token === 'string' ? decodeToken(token) : token;
  checkTokenFits(model, s);
  const { params } = scenarioParams(model, s.scenario);
  const first = runSchedule(model, s, 'strict');
  const keepGoing = s.mode?.keepGoing === true;
  const wanted = opts.target;
  const target = wanted === undefined ? first.violation : first.exec.violations.find((v) => sameViolation(wanted, v, model)) ?? null;
  if (!target) {
    throw new UsageError(wanted === undefined
      ? `the token of ${model.name} replays without a violation: nothing to minimize`
      : `the token of ${model.name} does not replay to '${wanted.title}': nothing to minimize`);
  }
  if (target.kind === 'nondeterminism') {
    throw new UsageError(`the token of ${model.name} does not replay (${target.message}); re-run the check for a fresh token`);
  }
  const maxRuns = opts.maxRuns ?? Number.POSITIVE_INFINITY;
  const keep = opts.keep ?? null;
  const ctx = new ShrinkContext(model, params, target, t0 + (opts.timeMs ?? 8000), maxRuns, keep, keepGoing);
  const start = attempt(model, params, toEvents(first.exec.schedule, first.exec.traceOps), 'strict', keepGoing);
  if (!ctx.reproduces(start)) {
    throw new UsageError(`${model.name}: the violation does not reproduce when the schedule is re-run (is the model deterministic?)`);
  }
  if (!ctx.shows(start)) throw new UsageError(`${model.name}: the token's own violation does not pass the minimizer's keep condition`);
  const phases: (Size & { phase: string })[] = [];
  const note = (phase: string, a: Attempt): void => {
    phases.push({ phase, ...sizeOf(a) });
    opts.log?.(`${phase.padEnd(12)} steps ${a.steps}  preemptions ${a.preemptions}  faults ${a.faults}`);
  };
  note('start', start);
  // A first schedule pass, so scenario candidates are compared with a shrunk schedule.
  let cur = shrinkSchedule(ctx, start);
  note('schedule', cur);
  let shrunk = false;
  let scenarioDone = true;
  if (opts.scenario !== false) {
    // The scenario phase may use at most 40% of the budget: the schedule phases matter more.
    const sctx = new ShrinkContext(model, params, target, Math.min(ctx.deadline, t0 + 0.4 * (opts.timeMs ?? 8000)), ctx.runs + 0.4 * maxRuns, keep, keepGoing);
    sctx.runs = ctx.runs;
    const r = shrinkScenario(sctx, cur, { searchBudget: opts.searchBudget ?? 200 });
    ctx.params = sctx.params;
    ctx.runs = sctx.runs;
    cur = r.attempt;
    shrunk = r.shrunk;
    scenarioDone = !sctx.expired;
    note('scenario', cur);
  }
  let settled = false;
  for (let round = 0; !ctx.expired; round++) {
    const before = cur;
    cur = shrinkSchedule(ctx, cur);
    note('schedule', cur);
    cur = shrinkPreemptions(ctx, cur);
    note('preemptions', cur);
    cur = shrinkFaults(ctx, cur);
    note('faults', cur);
    if (cur === before) {
      // A round that changed nothing is a fixed point only if no phase stopped for the budget.
      settled = !ctx.expired;
      break;
    }
  }
  const scenario = shrunk ? JSON.stringify(ctx.params) : s.scenario;
  const schedule: Schedule = { ...s, scenario, steps: cur.flat };
  const check = runSchedule(model, schedule, 'strict');
  const shown = check.exec.violations.find((v) => sameViolation(target, v, model) && (keep === null || keep(v, check.threadNames)));
  if (shown === undefined) {
    throw new Error(`minimizer produced a schedule that does not replay to the same violation (${check.violation?.title ?? 'none'})`);
  }
  return {
    token: encodeToken(schedule), schedule, violation: shown, ...sizeOf(cur), before: sizeOf(start),
    scenario, scenarioShrunk: shrunk, runs: ctx.runs, elapsedMs: Date.now() - t0, phases, fixedPoint: settled && scenarioDone,
  };
}
