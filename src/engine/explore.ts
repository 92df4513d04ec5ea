/**
 * A run: many executions of one model under one Scheduler, within a budget of executions and/or
 * wall time, stopping at the first violation (or collecting every distinct one). Returns data; the
 * failing schedule comes back as a replay token.
 * Leaves out: choosing a strategy by name (src/check.ts), rendering (src/report), files (src/cli).
 */
import { Execution, type ExecResult } from './execution.js';
import type { MemoryModelName } from './exec-types.js';
import { type AnyModel, type Json, scenarioParams } from './model.js';
import type { Scheduler } from './scheduler.js';
import { assertSameCopy } from './origin.js';
import { encodeToken } from './token.js';
import { type Violation, violation, violationKey } from './violation.js';
import { Auditor } from './audit.js';
import { auditedBefore, recordAudited } from './audit-ledger.js';

export interface ExploreOptions {
  /** Scenario name or parameters; the model's default when absent. */
  readonly scenario?: string | Json;
  /** Stop after this many executions (default 10 000). */
  readonly maxExecutions?: number;
  /** Stop when `Date.now()` passes this (ms since the epoch). */
  readonly deadline?: number;
  readonly maxSteps?: number;
  /**
   * Keep exploring after a violation (the first one is still `finding`). Executions then run in
   * keep-going mode (see ExecOptions.keepGoing), and tokens say so. Default false.
   */
  readonly continueAfterViolation?: boolean;
  /**
   * Keep going: executions continue past the violations the kernel carries on after (see
   * ExecOptions.keepGoing), the run continues past violating executions, and `findings` lists every
   * distinct violation found (deduplicated by `violationKey`), each with the token of the first
   * execution that showed it.
   */
  readonly keepGoing?: boolean;
  /** The memory model executions run under (ExecOptions.memoryModel); default 'sc'. */
  readonly memoryModel?: MemoryModelName;
  /**
   * false: explore every start order of threads declared interchangeable (symmetry.ts) instead of
   * one; for measuring the reduction. Its tokens replay only with `symmetry: false` again.
   */
  readonly symmetry?: boolean;
  /**
   * Audit the model's determinism and (for DPOR) the independence of the ops it calls independent
   * on sampled executions (audit.ts). Default true; off only for measuring its cost.
   */
  readonly audit?: boolean;
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
  /** Every distinct violation found, in the order found (the first is `finding`'s); keep-going lists all. */
  readonly findings: readonly Finding[];
  readonly distinctFingerprints: number;
  readonly elapsedMs: number;
  readonly stats: Record<string, number>;
  /** Executions the audit re-ran and compared (audit.ts). */
  readonly audits: number;
  /**
   * Set when the audit found that the model breaks the independence the strategy relies on: the
   * run stopped, and `exhaustive` is false (check() then explores with DFS instead).
   */
  readonly brokenAssumption: string | null;
  /** What the user should know about the verdict (a fallback, a broken assumption). */
  readonly notes: readonly string[];
}

/**
 * One Execution kept between runs: building one costs ~4.6 us (a dozen typed arrays, each its own
 * off-heap buffer), a tenth of a DPOR exhaustion of readers-4. A run started while another is in
 * progress (a model calling explore) builds its own.
 */
let spare: Execution | null = null;

export function explore(model: AnyModel, sched: Scheduler, opts: ExploreOptions = {}): ExploreResult {
  assertSameCopy(model, model.name);
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
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let exhausted = false;
  const keepGoing = opts.keepGoing === true;
  const continueAfter = keepGoing || opts.continueAfterViolation === true;
  // Exploring past violating executions runs every execution in keep-going mode: an execution a
  // violation halted would hide what its threads do next (DPOR cannot reason about a halt soundly,
  // and a campaign wants the later bugs too).
  const runOpts = {
    params, runStore, fingerprint: opts.fingerprint === true, sanitize: opts.sanitize !== false, keepGoing: continueAfter,
    ...(opts.memoryModel !== undefined ? { memoryModel: opts.memoryModel } : {}),
    ...(opts.symmetry === false ? { symmetry: false } : {}),
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
  };
  const auditor = opts.audit === false ? null : new Auditor(model, runOpts, () => new Execution(),
    sched.independent !== undefined ? (a, b, v) => (sched.independent as NonNullable<Scheduler['independent']>).call(sched, a, b, v) : null, sched.seed,
    auditedBefore(model, key, sched));
  const auditOpts = { ...runOpts, trace: true, observe: true };
  let broken: string | null = null;
  /** Executions a weak memory model found inconsistent (no execution of the program). */
  let blocked = 0;
  const mm = opts.memoryModel !== undefined && opts.memoryModel !== 'sc' ? opts.memoryModel : undefined;
  const mode = continueAfter || mm !== undefined ? { ...(continueAfter ? { keepGoing: true } : {}), ...(mm !== undefined ? { memoryModel: mm } : {}) } : undefined;
  while (executions < maxExec) {
    if (opts.deadline !== undefined && (executions & 15) === 0 && Date.now() > opts.deadline) break;
    if (!sched.beginExecution()) {
      exhausted = true;
      break;
    }
    const audited = auditor !== null && auditor.wants(executions + 1);
    const r = exec.run(model, sched, audited ? auditOpts : runOpts);
    executions++;
    if (r.blocked !== undefined) blocked++;
    steps += r.steps;
    if (fps) fps.add(r.fingerprint);
    sched.endExecution?.({ violation: r.violation, halted: r.halted, steps: r.steps, schedule: r.schedule });
    opts.onExecution?.(r, executions);
    if (r.violation) {
      let token: string | null = null;
      for (const v of r.violations) {
        const k = violationKey(v);
        if (seen.has(k)) continue;
        seen.add(k);
        token ??= encodeToken({ model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed, steps: r.schedule, ...(mode ? { mode } : {}) });
        findings.push({
          violation: v, schedule: r.schedule, token, steps: r.steps, preemptions: r.preemptions, execution: executions,
          ...(r.facts ? { facts: r.facts } : {}),
        });
        if (!keepGoing) break;
      }
      finding ??= findings[0] ?? null;
      // The model broke the API's rules (a peek, an undeclared wait read, misuse): the executions
      // past that point were never explored, so the run cannot be exhaustive.
      if (broken === null) broken = r.violations.find((v) => v.kind === 'usage')?.message ?? null;
      if (!continueAfter) break;
    }
    const bad = audited ? (auditor as Auditor).check(r, exec) : null;
    if (bad !== null) {
      if (bad.kind !== 'independence') {
        const v = violation(bad.kind, bad.message, { step: r.steps });
        const f: Finding = {
          violation: v, schedule: r.schedule, steps: r.steps, preemptions: r.preemptions, execution: executions,
          token: encodeToken({ model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed, steps: r.schedule, ...(mode ? { mode } : {}) }),
        };
        findings.push(f);
        finding ??= f;
      } else {
        broken = bad.message;
      }
      break;
    }
  }
  if (auditor !== null) recordAudited(model, key, sched, executions);
  // A systematic strategy may finish exactly on its last execution.
  if (!exhausted && !finding && sched.exhaustive === true) exhausted = true;
  // Before calling it exhaustive, make sure the model is deterministic (enough re-runs passed).
  // The top-up may take as long as the run took so far (at least 1 s), never past the deadline.
  const settleUntil = Math.min(Date.now() + Math.max(1000, Date.now() - t0), opts.deadline ?? Infinity);
  const late = exhausted && broken === null && auditor !== null ? auditor.settle(settleUntil) : null;
  const short = late === null && exhausted && auditor !== null ? auditor.shortOfReruns : null;
  if (late !== null) {
    const v = violation('nondeterminism', late.message, { step: -1 });
    const f: Finding = {
      violation: v, schedule: late.schedule, steps: 0, preemptions: 0, execution: executions,
      token: encodeToken({ model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed, steps: late.schedule, ...(mode ? { mode } : {}) }),
    };
    findings.push(f);
    finding ??= f;
  }
  const nondet = findings.some((f) => f.violation.kind === 'nondeterminism');
  const exhaustive = exhausted && broken === null && !nondet && (finding === null || continueAfter);
  const within = exhaustive ? sched.within : undefined;
  return {
    model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed,
    executions, steps, exhaustive, ...(within !== undefined ? { within } : {}),
    finding, findings, distinctFingerprints: fps ? fps.size : 0, elapsedMs: Date.now() - t0,
    stats: { ...(sched.stats ? sched.stats() : {}), ...(blocked > 0 ? { blocked } : {}) }, audits: auditor?.audits ?? 0, brokenAssumption: broken,
    notes: [
      ...(broken !== null ? [`${sched.name}: ${broken}`] : []),
      ...(sched.notes ? sched.notes().map((n) => `${sched.name}: ${n}`) : []),
      ...(short !== null ? [`determinism was checked on ${short} re-run(s) of the model's executions, fewer than the usual 32 (its executions are slow)`] : []),
    ],
  };
}
