/**
 * The jobs that run model code for the CLI, inside a sandbox worker (sandbox.ts starts it with a
 * heap cap and watches it): `check` (one run of a strategy), `replay` (one token, with its trace),
 * `report` (minimize a token and build its report; for campaigns, a plain fallback when the token
 * does not show its violation alone), `minimize`. User modules (`--load`) are imported here, in
 * the worker, with a time limit, so a module whose top-level await never settles is one clear error
 * and a module that never returns from its top-level code is stopped by the watchdog.
 * A `usage` violation raised by setup is the model refusing its scenario parameters: a usage error
 * (exit code 2), never a found bug.
 * Leaves out: the worker plumbing (sandbox-worker.ts) and the limits (sandbox.ts).
 */
import { describeTrace, replay } from '../check.js';
import { check } from '../check.js';
import type { ExploreResult } from '../engine/explore.js';
import type { AnyModel } from '../engine/model.js';
import { scenarioParams } from '../engine/model.js';
import { type ExecMode, decodeToken } from '../engine/token.js';
import type { MemoryModelName } from '../engine/exec-types.js';
import { thrownText } from '../engine/thrown.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/report.js';
import { type MinimizeResult, minimize } from '../shrink/minimize.js';
import { makeStrategy } from '../strategies/index.js';
import { loadModels, resolveModel, type ResultJson, violationJson } from './resolve.js';
import { type Described, infoOf } from './model-info.js';
import { ScheduleTap } from './schedule-tap.js';
import { type DistinctBug, distinctBugs } from './distinct.js';

export interface CheckJob {
  readonly kind: 'check';
  readonly model: string;
  readonly scenario?: string;
  readonly strategy: string;
  readonly seed: number;
  readonly depth?: number;
  readonly preemptionBound?: number;
  readonly delayBound?: number;
  readonly maxExecutions: number;
  readonly deadline?: number;
  readonly maxSteps?: number;
  /** Go on past violations and list every distinct bug (`check --keep-going`). */
  readonly keepGoing?: boolean;
  readonly memoryModel?: MemoryModelName;
}
export interface ReplayJob { readonly kind: 'replay'; readonly token: string; readonly lenient: boolean; readonly trace: boolean; readonly memoryModel?: MemoryModelName }
export interface ReportJob {
  readonly kind: 'report';
  readonly token: string;
  readonly minimize: boolean;
  readonly timeMs?: number;
  readonly maxRuns?: number;
  readonly bug?: string;
  /** Campaigns: when no report can be built, return the plain replay instead of failing. */
  readonly plainFallback?: boolean;
}
export interface MinimizeJob { readonly kind: 'minimize'; readonly token: string; readonly timeMs?: number; readonly scenario: boolean }
/** Read the --load modules' models as plain data (model-info.ts), for a main thread that must not import them. */
export interface DescribeJob { readonly kind: 'describe' }
export type SandboxJob = CheckJob | ReplayJob | ReportJob | MinimizeJob | DescribeJob;

export interface ReplayOutput { readonly json: ResultJson; readonly trace: readonly string[] }
/** A campaign's fallback when a token does not show its violation on its own (lockdep's graph). */
export interface PlainReplay {
  readonly model: string;
  readonly hash: number;
  readonly violation: Violation | null;
  readonly trace: readonly string[];
  readonly steps: number;
  readonly preemptions: number;
}
export interface ReportOutput { readonly report: Report | null; readonly plain?: PlainReplay; readonly notes: readonly string[] }

/** What each job posts back. */
/** A check's result, with the distinct bugs of a keep-going run. */
export type CheckOutput = ExploreResult & { readonly distinct?: readonly DistinctBug[] };

export interface JobOutputs { check: CheckOutput; replay: ReplayOutput; report: ReportOutput; minimize: MinimizeResult; describe: Described[] }

/** What the worker tells the main thread before running: enough to turn a tapped schedule into a token. */
export interface JobTarget { readonly model: string; readonly hash: number; readonly scenario: string; readonly strategy: string; readonly seed: number; readonly mode?: ExecMode }

/** A `usage` violation from setup (before any step): the model refused its parameters. */
export function refusedBySetup(v: Violation | null | undefined): boolean {
  return v?.kind === 'usage' && v.step < 0;
}

function refuse(model: AnyModel, v: Violation | null | undefined): void {
  if (refusedBySetup(v)) throw new UsageError(`model '${model.name}' refused the scenario: ${v?.message ?? ''}`);
}

function runCheck(job: CheckJob, tap: Int32Array | null, target: (t: JobTarget) => void): CheckOutput {
  const model = resolveModel(job.model);
  const { key } = scenarioParams(model, job.scenario);
  const opts = {
    seed: job.seed, ...(job.depth !== undefined ? { depth: job.depth } : {}),
    ...(job.preemptionBound !== undefined ? { preemptionBound: job.preemptionBound } : {}),
    ...(job.delayBound !== undefined ? { delayBound: job.delayBound } : {}),
  };
  const inner = makeStrategy(job.strategy, opts);
  const mode = { ...(job.keepGoing ? { keepGoing: true } : {}), ...(job.memoryModel !== undefined && job.memoryModel !== 'sc' ? { memoryModel: job.memoryModel } : {}) };
  target({ model: model.name, hash: model.hash, scenario: key, strategy: inner.name, seed: inner.seed, ...(Object.keys(mode).length > 0 ? { mode } : {}) });
  const r = check(model, {
    strategy: tap ? new ScheduleTap(inner, tap) : inner, maxExecutions: job.maxExecutions,
    ...(job.scenario !== undefined ? { scenario: job.scenario } : {}),
    ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
    ...(job.maxSteps !== undefined ? { maxSteps: job.maxSteps } : {}),
    ...(job.keepGoing ? { keepGoing: true } : {}),
    ...(job.memoryModel !== undefined ? { memoryModel: job.memoryModel } : {}),
  });
  refuse(model, r.finding?.violation);
  if (!job.keepGoing) return r;
  const distinct = distinctBugs(model, r.findings);
  // The result (and the report written for it) leads with the worst bug.
  const lead = distinct[0];
  const worst = lead ? r.findings.find((f) => f.token === lead.token && f.violation.kind === lead.kind) ?? r.finding : r.finding;
  return { ...r, finding: worst, distinct };
}

function runReplay(job: ReplayJob): ReplayOutput {
  const s = decodeToken(job.token);
  const model = resolveModel(s.model);
  const t0 = Date.now();
  const r = replay(model, s, job.lenient ? 'lenient' : 'strict', job.memoryModel);
  const v = r.violation;
  refuse(model, v);
  const json: ResultJson = {
    model: model.name, scenario: s.scenario, strategy: s.strategy, seed: s.seed, executions: 1, steps: r.exec.steps,
    exhaustive: false, within: null, elapsed_ms: Date.now() - t0,
    violation: violationJson(v),
    token: job.token.trim(), preemptions: r.exec.preemptions, stats: { deviations: r.deviations },
  };
  return { json, trace: job.trace ? describeTrace(r) : [] };
}

function runReport(job: ReportJob): ReportOutput {
  const s = decodeToken(job.token);
  const model = resolveModel(s.model);
  refuse(model, replay(model, s).violation);
  const notes: string[] = [];
  let token = job.token.trim();
  let minimized: { from: MinimizeResult['before']; fixedPoint: boolean } | undefined;
  let notMinimized: string | undefined = job.minimize ? undefined : 'reported as recorded (--no-minimize)';
  if (job.minimize) {
    try {
      const min = minimize(model, token, { ...(job.timeMs !== undefined ? { timeMs: job.timeMs } : {}), ...(job.maxRuns !== undefined ? { maxRuns: job.maxRuns } : {}) });
      token = min.token;
      minimized = { from: min.before, fixedPoint: min.fixedPoint };
    } catch (e) {
      notMinimized = `the minimizer failed (${thrownText(e)})`;
      notes.push(`could not minimize the finding (${thrownText(e)}); the report shows it as found`);
    }
  }
  try {
    return { report: buildReport(model, token, { ...(minimized ? { minimized } : {}), ...(notMinimized !== undefined ? { notMinimized } : {}), ...(job.bug !== undefined ? { bug: job.bug } : {}) }), notes };
  } catch (e) {
    if (!job.plainFallback) throw e;
    const r = replay(model, token);
    notes.push(`no full report: ${thrownText(e)}`);
    return {
      report: null, notes,
      plain: { model: model.name, hash: model.hash, violation: r.violation, trace: describeTrace(r), steps: r.exec.steps, preemptions: r.exec.preemptions },
    };
  }
}

function runMinimize(job: MinimizeJob): MinimizeResult {
  const s = decodeToken(job.token);
  const model = resolveModel(s.model);
  refuse(model, replay(model, s).violation);
  return minimize(model, s, { ...(job.timeMs !== undefined ? { timeMs: job.timeMs } : {}), ...(job.scenario ? {} : { scenario: false }) });
}

/** Import the user modules, then run the job. */
export async function runJob(
  job: SandboxJob, load: readonly string[], loadTimeoutMs: number, tap: Int32Array | null, target: (t: JobTarget) => void, running: () => void,
): Promise<JobOutputs[SandboxJob['kind']]> {
  const described: Described[] = [];
  for (const path of load) described.push({ file: path, models: (await loadModels(path, { timeoutMs: loadTimeoutMs })).map(infoOf) });
  running();
  switch (job.kind) {
    case 'check': return runCheck(job, tap, target);
    case 'replay': return runReplay(job);
    case 'report': return runReport(job);
    case 'minimize': return runMinimize(job);
    case 'describe': return described;
  }
}
