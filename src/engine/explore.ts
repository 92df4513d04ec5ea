/**
 * A run: many executions of one model under one Scheduler, within a budget of executions and/or
 * wall time, stopping at the first violation (or collecting every distinct one). Returns data; the
 * failing schedule comes back as a replay token.
 * Leaves out: choosing a strategy by name (src/check.ts), rendering (src/report), files (src/cli).
 */
import { Execution, type ExecResult } from './execution.js';
import { type AnyModel, type Json, scenarioParams } from './model.js';
import type { Scheduler } from './scheduler.js';
import { encodeToken } from './token.js';
import type { Violation } from './violation.js';

export interface ExploreOptions {
  /** Scenario name or parameters; the model's default when absent. */
  readonly scenario?: string | Json;
  /** Stop after this many executions (default 10 000). */
  readonly maxExecutions?: number;
  /** Stop when `Date.now()` passes this (ms since the epoch). */
  readonly deadline?: number;
  readonly maxSteps?: number;
  /** Keep exploring after a violation (the first one is still the one reported). Default false. */
  readonly continueAfterViolation?: boolean;
  readonly fingerprint?: boolean;
  /** Sanitizers on (default true); off only for measuring their cost. */
  readonly sanitize?: boolean;
  /** Called after every execution (campaigns use it for coverage). */
  readonly onExecution?: (r: ExecResult, index: number) => void;
}

export interface Finding {
  readonly violation: Violation;
  readonly schedule: readonly number[];
  readonly token: string;
  readonly steps: number;
  readonly preemptions: number;
  /** 1-based index of the execution that found it. */
  readonly execution: number;
  readonly facts?: Record<string, string | number | boolean>;
}

export interface ExploreResult {
  readonly model: string;
  readonly hash: number;
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  readonly executions: number;
  readonly steps: number;
  /** True when a systematic strategy explored everything within its bounds. */
  readonly exhaustive: boolean;
  /** With `exhaustive`: the strategy's bound that left schedules out ('2 delays'), if any. */
  readonly within?: string;
  readonly finding: Finding | null;
  readonly distinctFingerprints: number;
  readonly elapsedMs: number;
  readonly stats: Record<string, number>;
}

/**
 * One Execution kept between runs: building one costs ~4.6 us (a dozen typed arrays, each its own
 * off-heap buffer), a tenth of a DPOR exhaustion of readers-4. A run started while another is in
 * progress (a model calling explore) builds its own.
 */
let spare: Execution | null = null;

export function explore(model: AnyModel, sched: Scheduler, opts: ExploreOptions = {}): ExploreResult {
  const { key, params } = scenarioParams(model, opts.scenario);
  const exec = spare ?? new Execution();
  spare = null;
  try {
    return exploreWith(exec, model, sched, opts, key, params);
  } finally {
    spare = exec;
  }
}

function exploreWith(exec: Execution, model: AnyModel, sched: Scheduler, opts: ExploreOptions, key: string, params: Json): ExploreResult {
  const maxExec = opts.maxExecutions ?? 10_000;
  const runStore = new Map<unknown, unknown>();
  const fps = opts.fingerprint ? new Set<number>() : null;
  const t0 = Date.now();
  let executions = 0;
  let steps = 0;
  let finding: Finding | null = null;
  let exhausted = false;
  const runOpts = {
    params, runStore, fingerprint: opts.fingerprint === true, sanitize: opts.sanitize !== false,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
  };
  while (executions < maxExec) {
    if (opts.deadline !== undefined && (executions & 15) === 0 && Date.now() > opts.deadline) break;
    if (!sched.beginExecution()) {
      exhausted = true;
      break;
    }
    const r = exec.run(model, sched, runOpts);
    executions++;
    steps += r.steps;
    if (fps) fps.add(r.fingerprint);
    sched.endExecution?.({ violation: r.violation, steps: r.steps, schedule: r.schedule });
    opts.onExecution?.(r, executions);
    if (r.violation && !finding) {
      finding = {
        violation: r.violation,
        schedule: r.schedule,
        token: encodeToken({ model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed, steps: r.schedule }),
        steps: r.steps,
        preemptions: r.preemptions,
        execution: executions,
        ...(r.facts ? { facts: r.facts } : {}),
      };
      if (!opts.continueAfterViolation) break;
    }
  }
  // A systematic strategy may finish exactly on its last execution.
  if (!exhausted && !finding && sched.exhaustive === true) exhausted = true;
  const exhaustive = exhausted && (finding === null || opts.continueAfterViolation === true);
  const within = exhaustive ? sched.within : undefined;
  return {
    model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed,
    executions, steps, exhaustive, ...(within !== undefined ? { within } : {}),
    finding, distinctFingerprints: fps ? fps.size : 0, elapsedMs: Date.now() - t0,
    stats: sched.stats ? sched.stats() : {},
  };
}
