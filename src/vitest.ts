/**
 * `mapcheck/vitest`: model checking as a vitest test whose failure reads like a kernel report.
 *
 *   import { modelTest } from 'mapcheck/vitest';
 *   modelTest(myModel, { strategy: 'dpor', budget: 20_000 });
 *
 * registers one test (one per scenario with `scenarios: 'all'`). When the check finds a violation,
 * the finding is minimized (fewest steps, preemptions and injected faults), its report is written
 * as md + html + json to `reportDir` (default `reports/`), and the test fails with the minimized
 * counterexample as its message: the kernel-style title, the broken invariant, the per-thread
 * interleaving table, the model code's stack for an exception, and the replay command with
 * `--load <file>` so pasting it reproduces the bug. `checkModel()` does the same inside any test.
 *
 * The budget comes from the options, and a CI job can change it without editing tests: when set,
 * MAPCHECK_STRATEGY, MAPCHECK_BUDGET, MAPCHECK_TIME (30s, 10m), MAPCHECK_SEED, MAPCHECK_KEEP_GOING
 * (1/0), MAPCHECK_REPORT_DIR and MAPCHECK_MINIMIZE_TIME win over the options. A bad value is an
 * error naming the variable.
 * Leaves out: watch-mode caching of passed checks (every run checks again).
 */
import { isAbsolute, resolve } from 'node:path';
import { test } from 'vitest';
import { check } from './check.js';
import { parseDuration } from './cli/args.js';
import { minimizedReport, writeReportFiles } from './cli/report-files.js';
import type { ExploreResult, Finding } from './engine/explore.js';
import { type AnyModel, type Json, scenarioParams } from './engine/model.js';
import { modelOrigin, reproduceCommand, setModelOrigin } from './engine/origin.js';
import { UsageError, type Violation, type ViolationKind } from './engine/violation.js';
import { buildReport } from './report/build.js';
import type { Report } from './report/report.js';
import { renderText } from './report/text.js';
import { strategyNames } from './strategies/index.js';

export interface ModelTestOptions {
  /** Scenario name or parameters (default: the model's default scenario). */
  readonly scenario?: string | Json;
  /** modelTest only: one test per scenario, for every scenario ('all') or the ones named. */
  readonly scenarios?: 'all' | readonly string[];
  /** Exploration strategy (default 'portfolio'); MAPCHECK_STRATEGY wins. */
  readonly strategy?: string;
  /** Most executions (default 10 000); MAPCHECK_BUDGET wins. */
  readonly budget?: number;
  /** Wall-time limit, ms or '30s' / '5m'; MAPCHECK_TIME wins. */
  readonly time?: number | string;
  /** Seed of the randomized strategies (default 1); MAPCHECK_SEED wins. */
  readonly seed?: number;
  /** Keep going past violations and report every distinct one; MAPCHECK_KEEP_GOING wins. */
  readonly keepGoing?: boolean;
  readonly depth?: number;
  readonly preemptionBound?: number;
  readonly maxSteps?: number;
  /** Where the md/html/json reports of a finding go (default 'reports'; false: none); MAPCHECK_REPORT_DIR wins. */
  readonly reportDir?: string | false;
  /** Time to minimize a finding, ms or '8s' (default 8 s); MAPCHECK_MINIMIZE_TIME wins. */
  readonly minimizeTime?: number | string;
  /**
   * The module that exports the model in `models`, for the printed commands' --load (default:
   * the file that called defineModel). Relative to the working directory.
   */
  readonly load?: string;
  /**
   * What the test expects: 'pass' (default: no violation), 'violation' (any), or the violation
   * kinds one of which must be found (a posted variant's known bug).
   */
  readonly expect?: 'pass' | 'violation' | readonly ViolationKind[];
  /** modelTest only: the test's name (default: the model's name and scenario). */
  readonly name?: string;
  /** modelTest only: vitest's timeout in ms (default: the time limit plus minimizing, or 10 minutes). */
  readonly timeout?: number;
}

/** The options after the environment is applied. */
export interface ModelCheckSettings {
  readonly strategy: string;
  readonly budget: number;
  readonly timeMs: number | undefined;
  readonly seed: number;
  readonly keepGoing: boolean;
  readonly reportDir: string | false;
  readonly minimizeMs: number;
}

/** A failed model test: the message is the rendered counterexample; the report and its files are kept. */
export class ModelCheckFailure extends Error {
  override readonly name = 'ModelCheckFailure';
  constructor(message: string, readonly result: ExploreResult, readonly report: Report | null, readonly files: { md: string; html: string; json: string } | null) {
    super(message);
    // The message is the whole story; frames of mapcheck's own code would only bury it.
    this.stack = `${this.name}: ${message}`;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function envInt(env: Env, k: string): number | undefined {
  const v = env[k];
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`${k} must be a whole number (got '${v}')`);
  return Number(v);
}

function duration(v: number | string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') {
    if (!(v > 0)) throw new UsageError(`${what} must be positive (got ${v})`);
    return v;
  }
  return parseDuration(v, what);
}

/** Options + environment -> settings (environment variables win; bad values throw one sentence). */
export function modelCheckSettings(o: ModelTestOptions = {}, env: Env = process.env): ModelCheckSettings {
  const strategy = env.MAPCHECK_STRATEGY?.trim() || o.strategy || 'portfolio';
  if (!strategyNames().includes(strategy)) {
    throw new UsageError(`${env.MAPCHECK_STRATEGY ? 'MAPCHECK_STRATEGY' : 'strategy'} must be one of ${strategyNames().join('|')} (got '${strategy}')`);
  }
  const kg = env.MAPCHECK_KEEP_GOING?.trim();
  if (kg !== undefined && kg !== '' && !/^(1|0|true|false)$/.test(kg)) throw new UsageError(`MAPCHECK_KEEP_GOING must be 1 or 0 (got '${kg}')`);
  const budget = envInt(env, 'MAPCHECK_BUDGET') ?? o.budget;
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1)) throw new UsageError(`budget must be a whole number >= 1 (got ${budget})`);
  const timeMs = env.MAPCHECK_TIME?.trim() ? parseDuration(env.MAPCHECK_TIME, 'MAPCHECK_TIME') : duration(o.time, 'time');
  const dir = env.MAPCHECK_REPORT_DIR?.trim() || (o.reportDir === false ? false : o.reportDir ?? 'reports');
  return {
    strategy,
    budget: budget ?? (timeMs !== undefined ? Number.MAX_SAFE_INTEGER : 10_000),
    timeMs,
    seed: envInt(env, 'MAPCHECK_SEED') ?? o.seed ?? 1,
    keepGoing: kg !== undefined && kg !== '' ? kg === '1' || kg === 'true' : o.keepGoing === true,
    reportDir: dir,
    minimizeMs: (env.MAPCHECK_MINIMIZE_TIME?.trim() ? parseDuration(env.MAPCHECK_MINIMIZE_TIME, 'MAPCHECK_MINIMIZE_TIME') : duration(o.minimizeTime, 'minimizeTime')) ?? 8000,
  };
}

/** Does `v` meet the test's expectation? */
function expected(v: Violation, want: ModelTestOptions['expect']): boolean {
  if (want === undefined || want === 'pass') return false;
  return want === 'violation' || want.includes(v.kind);
}

/** The report of one finding: minimized when the minimizer manages, else as found. */
function reportOf(model: AnyModel, f: Finding, minimizeMs: number): { report: Report | null; note: string } {
  try {
    return { report: minimizedReport(model, f.token, { timeMs: minimizeMs, target: f.violation }).report, note: '' };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    try {
      return { report: buildReport(model, f.token), note: `(not minimized: ${why})` };
    } catch {
      return { report: null, note: `(no report: the token does not show the violation when replayed alone: ${why})` };
    }
  }
}

function failureText(model: AnyModel, r: ExploreResult, f: Finding, s: ModelCheckSettings): { text: string; report: Report | null; files: { md: string; html: string; json: string } | null } {
  const { report, note } = reportOf(model, f, s.minimizeMs);
  const lines: string[] = [];
  if (report) {
    lines.push(renderText(report).trimEnd());
  } else {
    const v = f.violation;
    lines.push(v.title, `  ${v.message}`, ...(v.stack !== undefined ? [v.stack] : []), '', `replay: ${reproduceCommand('replay', f.token, model)}`);
  }
  if (note) lines.push(note);
  const origin = modelOrigin(model);
  if (origin !== null && /\.(test|spec)\.[cm]?[jt]sx?$/.test(origin)) {
    lines.push(`(the model is defined in a test file, which the CLI cannot --load: move it to a module that exports it in \`models\`, or pass the load option)`);
  }
  lines.push(`found by ${r.strategy} (seed ${r.seed}) in execution ${f.execution} of ${r.executions}; minimize: ${reproduceCommand('minimize', f.token, model)}`);
  const others = r.findings.filter((x) => x !== f);
  if (others.length > 0) {
    lines.push('', `${others.length} other distinct violation(s) in this run:`);
    for (const o of others) lines.push(`  ${o.violation.title}: ${reproduceCommand('replay', o.token, model)}`);
  }
  let files: { md: string; html: string; json: string } | null = null;
  if (report && s.reportDir !== false) {
    files = writeReportFiles(isAbsolute(s.reportDir) ? s.reportDir : resolve(process.cwd(), s.reportDir), report);
    lines.push(`report: ${files.md} (.html, .json beside it)`);
  }
  return { text: lines.join('\n'), report, files };
}

/**
 * Check `model` and throw a ModelCheckFailure (message: the minimized counterexample) unless the
 * outcome is what `options.expect` asks for. Returns the check's result.
 */
export function checkModel(model: AnyModel, options: ModelTestOptions = {}): ExploreResult {
  const s = modelCheckSettings(options);
  if (options.load !== undefined) setModelOrigin(model, resolve(process.cwd(), options.load));
  const r = check(model, {
    strategy: s.strategy, seed: s.seed, maxExecutions: s.budget, keepGoing: s.keepGoing,
    ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
    ...(s.timeMs !== undefined ? { deadline: Date.now() + s.timeMs } : {}),
    ...(options.depth !== undefined ? { depth: options.depth } : {}),
    ...(options.preemptionBound !== undefined ? { preemptionBound: options.preemptionBound } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
  });
  const want = options.expect ?? 'pass';
  const where = `${model.name} [${r.scenario}]`;
  const hit = r.findings.find((f) => expected(f.violation, want));
  if (want !== 'pass') {
    if (hit) return r;
    if (!r.finding) {
      const kinds = want === 'violation' ? 'a violation' : `a violation of kind ${want.join(' or ')}`;
      throw new ModelCheckFailure(`${where}: expected ${kinds}, but ${r.executions} execution(s) of ${r.strategy} (seed ${r.seed}) found none${r.exhaustive ? ' (exhaustive: the model cannot show it within its bounds)' : ''}`, r, null, null);
    }
  }
  if (!r.finding) return r;
  const f = r.finding;
  const { text, report, files } = failureText(model, r, f, s);
  const head = want === 'pass' ? '' : `expected a violation of kind ${(want as readonly string[]).join(' or ')}, found this instead:\n\n`;
  throw new ModelCheckFailure(`${head}${text}`, r, report, files);
}

/** The scenarios modelTest registers a test for. */
function scenariosOf(model: AnyModel, o: ModelTestOptions): (string | Json | undefined)[] {
  if (o.scenarios === undefined) return [o.scenario];
  const names = o.scenarios === 'all' ? Object.keys(model.scenarios) : o.scenarios;
  for (const n of names) scenarioParams(model, n);
  return [...names];
}

/**
 * Register a vitest test (or one per scenario) that checks `model` and fails with the minimized
 * counterexample. Call it at the top level of a test file or inside `describe`.
 */
export function modelTest(model: AnyModel, options: ModelTestOptions = {}): void {
  const list = scenariosOf(model, options);
  for (const sc of list) {
    const label = sc === undefined ? '' : ` [${typeof sc === 'string' ? sc : JSON.stringify(sc)}]`;
    const name = options.name !== undefined ? `${options.name}${list.length > 1 ? label : ''}` : `mapcheck: ${model.name}${label}`;
    let timeout = options.timeout;
    if (timeout === undefined) {
      const s = modelCheckSettings(options);
      timeout = s.timeMs !== undefined ? s.timeMs + s.minimizeMs + 60_000 : 600_000;
    }
    test(name, () => {
      checkModel(model, { ...options, ...(sc !== undefined ? { scenario: sc } : {}) });
    }, timeout);
  }
}
