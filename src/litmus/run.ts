/**
 * `runLitmus(compiled, opts)`: every execution of a litmus test under a memory model, explored with
 * the public `check` API (DPOR by default, or DFS; `continueAfterViolation`, so executions with a
 * data race are explored and counted too), the final states they reach, and herd7's verdict for the
 * test's condition (condition.ts). As in herd7: executions the `filter` rejects are dropped before
 * anything is counted; an execution that deadlocks has no final state (herd7 has no such
 * execution); a data race in any counted execution raises the flag `data-race` (the LKMM's
 * linux-kernel.cat flags it and still counts the execution). Other kernel findings mapcheck makes
 * on the way (an unbalanced rcu_read_unlock, a lock-order inversion, sleeping under a spinlock) are
 * notes. A run-time error of the test (dereferencing a number) ends the run with its LitmusError.
 * Leaves out: witnesses as replay tokens (the litmus model is not in the model registry).
 */
import { type ExecResult, type MemoryModelName, type Violation, check } from '../index.js';
import type { LitmusTest, Quantifier, Verdict } from './ast.js';
import { type CompiledLitmus, type FinalState, type FinalValue, type FinalValues, compileLitmus } from './compile.js';
import { displayKeys, evalProp, formatState, keyOrder, stateOrder, validated, verdictOf } from './condition.js';
import { LitmusError } from './errors.js';
import { parseLitmus } from './parser.js';
import { printProp } from './print.js';

export const LITMUS_STRATEGIES = ['dpor', 'dfs'] as const;
export type LitmusStrategy = (typeof LITMUS_STRATEGIES)[number];

export interface LitmusOptions {
  /** Default 'sc' here; the CLI's default is 'lkmm'. */
  readonly memoryModel?: MemoryModelName;
  /** Default 'dpor'. */
  readonly strategy?: LitmusStrategy;
  /** Stop (with an incomplete result) after this many executions; default 1 000 000. */
  readonly maxExecutions?: number;
}

/** One final state as shown (restricted to the condition's and `locations`' keys). */
export interface StateRow {
  readonly state: string;
  readonly values: FinalState;
  /** The condition's proposition holds in it. */
  readonly satisfies: boolean;
  /** Some execution reaching it had a data race. */
  readonly race: boolean;
}

export interface LitmusResult {
  readonly file: string;
  readonly name: string;
  /** The `Result:` word of the test's header comment. */
  readonly expected: Verdict | null;
  readonly quantifier: Quantifier;
  /** The condition as herd7 prints it: `exists (1:r0=1 /\ 1:r1=0)`. */
  readonly condition: string;
  /** herd7's Observation word; null only when the budget ran out before it was certain. */
  readonly verdict: Verdict | null;
  /** herd7's Ok (true) / No (false); null when not certain. */
  readonly validated: boolean | null;
  /** Distinct shown final states, in herd7's order. */
  readonly states: readonly StateRow[];
  /** Shown states where the proposition holds / does not. */
  readonly positive: number;
  readonly negative: number;
  /** The states that decide the verdict: those satisfying exists / ~exists, those refuting forall. */
  readonly witnesses: readonly string[];
  /** herd7's flags raised by a counted execution: data-race, unmatched-rcu-lock, unmatched-rcu-unlock, unmatched-unlock. */
  readonly flags: readonly string[];
  /** One line per other finding (first occurrence), e.g. the accesses of the first race. */
  readonly notes: readonly string[];
  /** Distinct full final states (every register and variable), sorted, for cross-checks. */
  readonly outcomes: readonly string[];
  readonly executions: number;
  readonly exhaustive: boolean;
  readonly deadlocked: number;
  readonly filtered: number;
  /** Executions a weak memory model blocked (inconsistent graphs; not counted). */
  readonly blocked: number;
  readonly memoryModel: MemoryModelName;
  readonly strategy: LitmusStrategy;
  readonly elapsedMs: number;
}

/** Violations that mean the front end or the engine is wrong, not the test. */
const INTERNAL = new Set(['exception', 'nondeterminism']);
/** Violations that mean the test is beyond what the engine runs (too many processes, too long). */
const TOO_BIG = new Set(['usage', 'step-bound']);

function noteOf(v: Violation): string {
  return `${v.kind}: ${v.title}${v.message && v.message !== v.title ? ` (${v.message.split('\n')[0]})` : ''}`;
}

export function runLitmusText(text: string, file: string, opts: LitmusOptions = {}): LitmusResult {
  return runLitmus(compileLitmus(parseLitmus(text, file)), opts);
}

export function runLitmus(input: CompiledLitmus | LitmusTest, opts: LitmusOptions = {}): LitmusResult {
  const c = 'model' in input ? input : compileLitmus(input);
  const test = c.test;
  const memoryModel = opts.memoryModel ?? 'sc';
  const strategy = opts.strategy ?? 'dpor';
  const shown = displayKeys(test);
  const allKeys = [...c.keys].sort(keyOrder);
  const rows = new Map<string, { values: FinalState; satisfies: boolean; race: boolean }>();
  /** Each distinct final state seen, by its values joined: kept or filtered, and its shown row. */
  const seen = new Map<string, { row: { race: boolean } | null; full: string }>();
  const notes = new Set<string>();
  const flags = new Set<string>();
  let deadlocked = 0;
  let filtered = 0;
  let blocked = 0;
  c.takeFinal();
  c.takeError();

  /** The first time a final state is seen: filter it, and find or make its shown row. */
  const classify = (values: FinalValues): { row: { race: boolean } | null; full: string } => {
    const fin: FinalState = new Map(c.keys.map((k, i) => [k, values[i] as FinalValue]));
    if (test.filter && !evalProp(test.filter, fin)) return { row: null, full: '' };
    const key = formatState(shown, fin);
    let row = rows.get(key);
    if (!row) {
      row = { values: new Map(shown.map((k) => [k, fin.get(k) as FinalValue])), satisfies: evalProp(test.condition.prop, fin), race: false };
      rows.set(key, row);
    }
    return { row, full: formatState(allKeys, fin) };
  };

  const onExecution = (r: ExecResult): void => {
    // An execution the memory model blocked (no consistent choice) is none of the test's.
    if (r.blocked !== undefined) {
      c.takeFinal();
      c.takeError();
      blocked++;
      return;
    }
    const err = c.takeError();
    if (err) throw err;
    const internal = r.violations.find((v) => INTERNAL.has(v.kind));
    if (internal) throw new Error(`${test.file}: ${internal.kind}: ${internal.message.split('\n')[0]}`);
    const big = r.violations.find((v) => TOO_BIG.has(v.kind));
    if (big) throw new LitmusError(test.file, test.condition.pos.line, `${test.file}: cannot run this test: ${big.message.split('\n')[0]}`);
    const fin = c.takeFinal();
    if (fin === null) {
      if (r.violations.some((v) => v.kind === 'deadlock')) deadlocked++;
      return;
    }
    const id = fin.values.join('\u0000');
    let st = seen.get(id);
    if (!st) seen.set(id, (st = classify(fin.values)));
    if (!st.row) {
      filtered++;
      return;
    }
    for (const f of fin.flags) flags.add(f);
    for (const v of r.violations) {
      if (v.kind === 'data-race') {
        st.row.race = true;
        flags.add('data-race');
      }
      notes.add(noteOf(v));
    }
  };

  const res = check(c.model, { strategy, maxExecutions: opts.maxExecutions ?? 1_000_000, continueAfterViolation: true, memoryModel, onExecution });
  const states = [...rows.entries()]
    .map(([state, r]): StateRow => ({ state, ...r }))
    .sort((a, b) => stateOrder(shown)(a.values, b.values));
  const positive = states.filter((s) => s.satisfies).length;
  const negative = states.length - positive;
  const q = test.condition.quantifier;
  const certain = res.exhaustive || (positive > 0 && negative > 0);
  const verdict = certain ? verdictOf(positive, negative) : null;
  const witnesses = states.filter((s) => (q === 'forall' ? !s.satisfies : s.satisfies)).map((s) => s.state);
  return {
    file: test.file, name: test.name, expected: test.expected, quantifier: q,
    condition: `${q} (${printProp(test.condition.prop)})`,
    verdict, validated: verdict === null ? null : validated(q, positive, negative),
    states, positive, negative, witnesses,
    flags: [...flags].sort(), notes: [...notes],
    outcomes: [...new Set([...seen.values()].filter((x) => x.row).map((x) => x.full))].sort(),
    executions: res.executions, exhaustive: res.exhaustive, deadlocked, filtered, blocked,
    memoryModel, strategy, elapsedMs: res.elapsedMs,
  };
}
