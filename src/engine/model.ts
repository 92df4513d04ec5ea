/**
 * `defineModel`: a model is initial state (`setup`) + thread bodies + checks, parameterised by a
 * scenario (named presets, or any JSON value a fast-check arbitrary generated).
 *
 * Stateless model checking (Godefroid, VeriSoft, POPL 1997): every execution re-runs `setup` from
 * scratch, so a model must be deterministic apart from scheduler choices and `choose(n)`. The
 * model's hash covers the text of every function in its definition plus an optional `source`
 * string, so a replay token recorded against another version of the model is refused.
 * Leaves out: hashing helper modules a model imports (pass their text via `source` if needed).
 */
import type { ThreadGen } from './ops.js';
import { fnv1a } from './hash.js';
import { stampModel } from './origin.js';
import { PARAMS_LIMITS, checkParams, parseParamsJson } from './params.js';
import type { Schema } from './schema.js';
import { UsageError } from './violation.js';

/** An invariant: returns true/undefined when it holds, false or a message when broken. */
export interface Check<S> {
  readonly name: string;
  readonly check: (state: S) => boolean | string | undefined | void;
  /**
   * Per-step invariants only: what the check reads, so DPOR knows which orderings it can tell
   * apart (docs/soundness.md). Absent: anything — every state change conflicts with every other
   * (sound, and DPOR explores far more). `'ops'`: only facts thread code records and never retracts
   * (e.g. "a reference was taken from zero"); those are the same in every execution of a trace, so
   * the check adds no dependency. A list: object-name prefixes (an object matches by its own name
   * or its block's); writes to matching objects conflict with each other. A check that also reads
   * ghost state thread code changes and retracts must not use a list: leave it absent.
   */
  readonly observes?: 'ops' | readonly string[];
}

/** One thread of a model, built for one execution. */
export interface ThreadSpec {
  readonly name: string;
  readonly body: () => ThreadGen;
  /**
   * Threads of `threads()` with the same group name are interchangeable: swapping their bodies
   * changes nothing but their names. Exploration then lets them start only in creation order
   * (symmetry.ts), and the audit checks the promise.
   */
  readonly symmetry?: string;
}

/** A JSON value: scenario parameters must be serialisable so tokens can carry them. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** A bug a posted variant is known to have: which scenario shows it, as which violation kinds. */
export interface ExpectedBug {
  /** Short stable id, e.g. `morton-race`. */
  readonly id: string;
  /** One sentence: what goes wrong, in the review's words where it has them. */
  readonly description: string;
  readonly scenario: string;
  /** The violation kinds that count as finding it (the first is the usual one). */
  readonly kinds: readonly string[];
  /** Optional: a substring the violation's title or message must contain. */
  readonly match?: string;
}

/** A scenario a fixed variant is proved on, and the bound of the proof. */
export interface ProofSpec {
  readonly scenario: string;
  /**
   * 'dpor' (default); 'dpor-fold' (DPOR with lock-aware folding of critical sections, for
   * scenarios whose lock orders plain DPOR cannot exhaust); or 'dfs' with an explicit preemption
   * bound where neither can finish.
   */
  readonly strategy?: 'dpor' | 'dpor-fold' | 'dfs';
  /** DFS: every schedule with at most this many preemptions. */
  readonly preemptionBound?: number;
  /** The budget within which the proof must be exhaustive (default 1 000 000). */
  readonly maxExecutions?: number;
  /** 'ci' proofs run in `npm test`; 'prove' ones only in `npm run prove` (minutes). Default 'ci'. */
  readonly tier?: 'ci' | 'prove';
  /** Executions the proof took when last measured (listings; `npm run prove` re-measures). */
  readonly executions?: number;
}

export interface ModelDef<S, P extends Json> {
  /** `design/variant`, e.g. `ioremap-reuse/posted`. */
  readonly name: string;
  readonly description?: string;
  /** Named scenarios; the first key is the default unless `defaultScenario` says otherwise. */
  readonly scenarios: Readonly<Record<string, P>>;
  readonly defaultScenario?: string;
  /** Build the initial state. Runs at the start of every execution. */
  readonly setup: (params: P) => S;
  /** The threads that start together after setup. */
  readonly threads: (state: S, params: P) => readonly ThreadSpec[];
  /** Checked after every step (best effort under DPOR: see docs/soundness.md). */
  readonly invariants?: readonly Check<S>[];
  /** Checked once when every thread has finished. */
  readonly final?: readonly Check<S>[];
  /** Snapshot of the objects worth showing in a report (refcounts, bitmap words, ...). */
  readonly inspect?: (state: S) => Record<string, string | number | boolean>;
  /** Longest execution before a step-bound (livelock) violation. Default 20 000. */
  readonly maxSteps?: number;
  /** Report heap blocks still allocated at the end of an execution. Default true. */
  readonly leakCheck?: boolean;
  /** Extra text folded into the model hash (e.g. the source of helpers). */
  readonly source?: string;
  /** Which seed / bug this variant is about, for listings. */
  readonly seed?: string;
  /** Bugs this variant is expected to show (posted variants), for tests, bench and examples. */
  readonly expectedBugs?: readonly ExpectedBug[];
  /** Fixed variants: the scenarios DPOR must exhaust without a violation (the stated bounds). */
  readonly provedScenarios?: readonly string[];
  /**
   * Fixed variants: proofs with their bounds, beyond `provedScenarios` (each of those counts as a
   * DPOR proof of tier 'ci'). `mapcheck list` states them; `npm run prove` runs every tier.
   */
  readonly proofs?: readonly ProofSpec[];
  /** The size of a scenario for listings: its concurrent threads and sessions per thread (null: no sessions). */
  readonly scenarioShape?: (params: P) => { readonly threads: number; readonly sessions: number | null };
  /** Smaller scenarios worth trying first when minimizing a counterexample (src/shrink). */
  readonly shrinkScenario?: (params: P) => P[];
  /**
   * What scenario parameters may be (src/engine/schema.ts): checked, with the named scenarios, when
   * the model is defined, and for every parameter value from outside (a token, `--scenario`, a
   * generated value) before `setup` runs. Without it, parameters are only checked for being JSON
   * within the size limits of params.ts.
   */
  readonly paramsSchema?: Schema;
}

export interface Model<S = unknown, P extends Json = Json> extends ModelDef<S, P> {
  readonly hash: number;
  readonly defaultScenario: string;
}

/** A model type-erased for registries and the CLI. */
export type AnyModel = Model<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOKEN_RE = /('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)|(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|([A-Za-z_$][\w$]*|\d[\w.]*)/g;

/**
 * A function's text reduced to its identifiers, numbers and string contents (comments dropped),
 * so the hash is the same whether tsc or a bundler (vitest's SSR transform:
 * `(0, __vite_ssr_import_0__.thread)(...)`, double quotes, other indentation, no comments)
 * produced the running code, yet changes with any edit that renames, adds or removes something.
 */
function fnText(f: unknown): string {
  return typeof f === 'function' ? canonical(f.toString()) : '';
}

/** Source text reduced to identifiers, numbers and string contents (see fnText). */
export function canonical(source: string): string {
  const text = source
    .replace(/\(0,\s*__vite_ssr_import_\d+__\.([\w$]+)\)/g, '$1')
    .replace(/__vite_ssr_import_\d+__\./g, '');
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const str = m[1];
    if (str !== undefined) out.push(str[0] === '`' ? str : str.slice(1, -1));
    else if (m[3] !== undefined) out.push(m[3]);
    // m[2]: a comment — tsc keeps them, bundlers drop them.
  }
  return out.join(' ');
}

/** Define a model; validates the definition and computes its hash. */
export function defineModel<S, P extends Json>(def: ModelDef<S, P>): Model<S, P> {
  if (!/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(def.name)) {
    throw new UsageError(`model name '${def.name}' must be lower-case words separated by '/', e.g. 'ioremap-reuse/posted'`);
  }
  const names = Object.keys(def.scenarios);
  const first = names[0];
  if (first === undefined) throw new UsageError(`model '${def.name}' needs at least one scenario`);
  const defaultScenario = def.defaultScenario ?? first;
  if (!(defaultScenario in def.scenarios)) {
    throw new UsageError(`model '${def.name}': default scenario '${defaultScenario}' is not one of ${names.join(', ')}`);
  }
  for (const n of names) checkParams(def.name, def.paramsSchema, def.scenarios[n], `its own scenario '${n}'`);
  const parts = [
    def.name, fnText(def.setup), fnText(def.threads), JSON.stringify(def.scenarios),
    ...(def.invariants ?? []).map((c) => c.name + fnText(c.check)),
    ...(def.final ?? []).map((c) => c.name + fnText(c.check)),
    String(def.maxSteps ?? ''), String(def.leakCheck ?? ''), canonical(def.source ?? ''),
  ];
  // Stamped with the file that defined it and this copy of mapcheck (origin.ts): printed commands
  // add --load for it, and another copy's engine refuses it in one line.
  return stampModel({ ...def, defaultScenario, hash: fnv1a(parts.join('\u0000')) });
}

/**
 * Resolve a scenario by name, or accept a params value directly (JSON text or a value). Parameters
 * that are not a named scenario are checked (params.ts) before they are returned: a UsageError
 * naming the field when they do not fit the model's schema or the JSON limits.
 */
export function scenarioParams<P extends Json>(model: Model<unknown, P>, scenario: string | P | undefined): { key: string; params: P } {
  if (scenario === undefined) {
    return { key: model.defaultScenario, params: model.scenarios[model.defaultScenario] as P };
  }
  if (typeof scenario === 'string' && !scenario.startsWith('{') && !scenario.startsWith('[')) {
    const p = Object.prototype.hasOwnProperty.call(model.scenarios, scenario) ? model.scenarios[scenario] : undefined;
    if (p === undefined) {
      throw new UsageError(`model '${model.name}' has no scenario '${scenario.slice(0, 60)}' (scenarios: ${Object.keys(model.scenarios).join(', ')})`);
    }
    return { key: scenario, params: p };
  }
  if (typeof scenario === 'string') {
    const params = parseParamsJson(scenario, model.name);
    checkParams(model.name, model.paramsSchema, params, 'the scenario');
    return { key: scenario, params: params as P };
  }
  checkParams(model.name, model.paramsSchema, scenario, 'the scenario');
  const key = JSON.stringify(scenario);
  if (key.length > PARAMS_LIMITS.maxBytes) {
    throw new UsageError(`the scenario of model '${model.name}' is ${key.length} characters of JSON; at most ${PARAMS_LIMITS.maxBytes} are accepted`);
  }
  return { key, params: scenario };
}

/** True when `params` fit the model's schema and the JSON limits (the minimizer skips others). */
export function paramsFit(model: AnyModel, params: unknown): boolean {
  try {
    checkParams(model.name, model.paramsSchema, params, 'params');
    return true;
  } catch {
    return false;
  }
}

/** Every proof of a model: its `provedScenarios` (DPOR, tier ci) followed by its `proofs`. */
export function proofsOf(model: AnyModel): ProofSpec[] {
  const named = new Set((model.proofs ?? []).map((p) => p.scenario));
  const plain: ProofSpec[] = (model.provedScenarios ?? []).filter((s) => !named.has(s)).map((scenario) => ({ scenario, strategy: 'dpor', tier: 'ci' }));
  return [...plain, ...(model.proofs ?? [])];
}
