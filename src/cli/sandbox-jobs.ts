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
import { decodeToken } from '../engine/token.js';
import { thrownText } from '../engine/thrown.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/report.js';
import { type MinimizeResult, minimize } from '../shrink/minimize.js';
import { makeStrategy } from '../strategies/index.js';
import { loadModels, resolveModel, type ResultJson } from './resolve.js';
import { ScheduleTap } from './schedule-tap.js';

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
}
export interface ReplayJob { readonly kind: 'replay'; readonly token: string; readonly lenient: boolean; readonly trace: boolean }
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
export type SandboxJob = CheckJob | ReplayJob | ReportJob | MinimizeJob;

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
export interface JobOutputs { check: ExploreResult; replay: ReplayOutput; report: ReportOutput; minimize: MinimizeResult }

/** What the worker tells the main thread before running: enough to turn a tapped schedule into a token. */
export interface JobTarget { readonly model: string; readonly hash: number; readonly scenario: string; readonly strategy: string; readonly seed: number }

/** A `usage` violation from setup (before any step): the model refused its parameters. */
export function refusedBySetup(v: Violation | null | undefined): boolean {
  return v?.kind === 'usage' && v.step < 0;
}

function refuse(model: AnyModel, v: Violation | null | undefined): void {
  if (refusedBySetup(v)) throw new UsageError(`model '${model.name}' refused the scenario: ${v?.message ?? ''}`);
}

function runCheck(job: CheckJob, tap: Int32Array | null, target: (t: JobTarget) => void): ExploreResult {
  const model = resolveModel(job.model);
  const { key } = scenarioParams(model, job.scenario);
  const opts = {
    seed: job.seed, ...(job.depth !== undefined ? { depth: job.depth } : {}),
    ...(job.preemptionBound !== undefined ? { preemptionBound: job.preemptionBound } : {}),
    ...(job.delayBound !== undefined ? { delayBound: job.delayBound } : {}),
  };
  const inner = makeStrategy(job.strategy, opts);
  target({ model: model.name, hash: model.hash, scenario: key, strategy: inner.name, seed: inner.seed });
  const r = check(model, {
    strategy: tap ? new ScheduleTap(inner, tap) : inner, maxExecutions: job.maxExecutions,
    ...(job.scenario !== undefined ? { scenario: job.scenario } : {}),
    ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
    ...(job.maxSteps !== undefined ? { maxSteps: job.maxSteps } : {}),
  });
  refuse(model, r.finding?.violation);
  return r;
}

function runReplay(job: ReplayJob): ReplayOutput {
  const s = decodeToken(job.token);
  const model = resolveModel(s.model);
  const t0 = Date.now();
  const r = replay(model, s, job.lenient ? 'lenient' : 'strict');
  const v = r.violation;
  refuse(model, v);
  const json: ResultJson = {
    model: model.name, scenario: s.scenario, strategy: s.strategy, seed: s.seed, executions: 1, steps: r.exec.steps,
    exhaustive: false, within: null, elapsed_ms: Date.now() - t0,
    violation: v ? { kind: v.kind, title: v.title, message: v.message, threads: v.threads, step: v.step } : null,
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
  for (const path of load) await loadModels(path, loadTimeoutMs);
  running();
  switch (job.kind) {
    case 'check': return runCheck(job, tap, target);
    case 'replay': return runReplay(job);
    case 'report': return runReport(job);
    case 'minimize': return runMinimize(job);
  }
}
