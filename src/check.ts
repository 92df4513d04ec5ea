/**
 * The checking API, fast-check style: `check()` returns data, `assertModel()` throws the rendered
 * result (for tests), `replay()` re-runs a token with the full op trace for reports and the
 * minimizer. Picks the strategy by name through the registry.
 * Leaves out: minimization (src/shrink) and report rendering beyond a plain summary (src/report).
 */
import { Execution, type ExecResult } from './engine/execution.js';
import type { MemoryModelName } from './engine/exec-types.js';
import { type ExploreOptions, type ExploreResult, explore } from './engine/explore.js';
import { type AnyModel, scenarioParams } from './engine/model.js';
import type { Op } from './engine/ops.js';
import type { Scheduler } from './engine/scheduler.js';
import { type Schedule, decodeToken } from './engine/token.js';
import { UsageError, type Violation, violation } from './engine/violation.js';
import { type StrategyOptions, makeStrategy } from './strategies/index.js';
import { ReplayScheduler } from './strategies/replay.js';

export interface CheckOptions extends ExploreOptions, StrategyOptions {
  /** Strategy name (default 'portfolio' when registered, else 'random'), or a Scheduler. */
  readonly strategy?: string | Scheduler;
}

export type CheckResult = ExploreResult;

/**
 * Explore `model` under a strategy. When the run's audit finds that the model breaks the
 * independence the strategy relies on (DPOR, the portfolio), the rest of the budget goes to
 * exhaustive DFS, which relies on no independence, and the result's notes say why.
 */
export function check(model: AnyModel, opts: CheckOptions = {}): CheckResult {
  const sched = typeof opts.strategy === 'object' ? opts.strategy : makeStrategy(opts.strategy ?? 'portfolio', opts);
  const r = explore(model, sched, opts);
  if (r.brokenAssumption === null || r.finding !== null) return r;
  const left = (opts.maxExecutions ?? 10_000) - r.executions;
  if (left <= 0) return r;
  const dfs = explore(model, makeStrategy('dfs', opts), { ...opts, maxExecutions: left });
  return {
    ...dfs, executions: r.executions + dfs.executions, steps: r.steps + dfs.steps, elapsedMs: r.elapsedMs + dfs.elapsedMs,
    audits: r.audits + dfs.audits, brokenAssumption: r.brokenAssumption,
    strategy: `dfs (after ${r.strategy})`,
    notes: [...r.notes, `explored with dfs instead (${dfs.executions} executions${dfs.exhaustive ? ', exhaustive' : ''})`, ...dfs.notes],
  };
}

/** Throws an Error whose message is the rendered finding when a violation is found. */
export function assertModel(model: AnyModel, opts: CheckOptions = {}): CheckResult {
  const r = check(model, opts);
  if (r.finding) {
    const v = r.finding.violation;
    throw new Error(`${model.name} [${r.scenario}] ${r.strategy}: ${v.title}\n${v.message}\nfound after ${r.finding.execution} execution(s), ${r.finding.steps} steps\nreplay: npx mapcheck replay ${r.finding.token}`);
  }
  return r;
}

export interface ReplayResult {
  readonly schedule: Schedule;
  readonly violation: Violation | null;
  readonly exec: ExecResult;
  /** Object display names at the end of the execution, by id. */
  readonly objectNames: readonly string[];
  /** Thread names, by id. */
  readonly threadNames: readonly string[];
  /** Lenient replay: how many recorded steps could not be followed. */
  readonly deviations: number;
}

/** Check a decoded token belongs to this model version; throws a one-line UsageError if not. */
export function checkTokenFits(model: AnyModel, s: Schedule): void {
  if (s.model !== model.name) throw new UsageError(`token was recorded for model '${s.model}', not '${model.name}'`);
  if (s.hash !== model.hash) {
    throw new UsageError(`token was recorded against another version of '${model.name}' (hash ${s.hash.toString(16)}, now ${model.hash.toString(16)}); re-run the check to get a fresh token`);
  }
}

/** Re-run one schedule with the full trace. Throws UsageError on a token for another model. */
export function replay(model: AnyModel, tokenOrSchedule: string | Schedule, mode: 'strict' | 'lenient' = 'strict'): ReplayResult {
  const s = typeof tokenOrSchedule === 'string' ? decodeToken(tokenOrSchedule) : tokenOrSchedule;
  checkTokenFits(model, s);
  return runSchedule(model, s, mode);
}

/** Run a schedule (possibly edited by the minimizer) once with the full trace. */
export function runSchedule(model: AnyModel, s: Schedule, mode: 'strict' | 'lenient' = 'strict'): ReplayResult {
  const { params } = scenarioParams(model, s.scenario);
  const sched = new ReplayScheduler(s.steps, mode);
  sched.beginExecution();
  const exec = new Execution();
  const r = exec.run(model, sched, {
    params, trace: true, keepGoing: s.mode?.keepGoing === true,
    ...(s.mode?.memoryModel !== undefined ? { memoryModel: s.mode.memoryModel as MemoryModelName } : {}),
  });
  let v = r.violation;
  // Strict replay that did not use every recorded step ended differently from the recording.
  if (mode === 'strict' && !v && sched.consumed < s.steps.length) {
    v = violation('nondeterminism', `replay finished after ${sched.consumed} of ${s.steps.length} recorded steps: the model is nondeterministic or changed`, { step: r.steps });
  }
  const objectNames: string[] = [];
  for (let i = 0; i < exec.objects.size; i++) objectNames.push(exec.objects.label(i));
  return {
    schedule: s, violation: v, exec: r, objectNames, threadNames: exec.threads.map((t) => t.name), deviations: sched.deviations,
  };
}

/** One-line description of every traced op, for plain-text output. */
export function describeTrace(r: ReplayResult): string[] {
  const out: string[] = [];
  const ops: readonly Op[] = r.exec.traceOps;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i] as Op;
    const obj = o.obj >= 0 ? ` ${r.objectNames[o.obj] ?? `#${o.obj}`}` : '';
    out.push(`${i}: T${r.exec.traceThreads[i]} ${o.label}${obj}`);
  }
  return out;
}
