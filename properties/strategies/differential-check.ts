/**
 * One program of the DPOR-vs-DFS differential check, in every configuration the long check runs
 * (issue 11, must-have 1): exploring past violations (`continueAfterViolation`) or stopping at the
 * first, with or without a per-step invariant (`programModelStep`), a hostile variant whose threads
 * read shared state outside ops (`pk`), and a nondeterministic variant (a Math.random() in thread
 * 0). Exhaustive DFS (audit off: it is the reference) gives the violation kinds and final states;
 * DPOR (audit on, as users run it) must then
 * - past violations: be exhaustive and reach the same violation kinds and final states;
 * - stopping at the first: find a violation iff DFS reaches one;
 * - hostile: either agree as above, or refuse to call the run exhaustive (the audit's reason is
 *   counted);
 * - nondeterministic: never call the run exhaustive.
 * DPOR's final states include those of the audit's re-runs (the model records them in its final
 * check): for a well-behaved program a re-run is the same trace or an equivalent one, so nothing is
 * added; for a hostile one it can add a state DPOR itself missed, which makes the check lenient there.
 * Leaves out: generating programs (random-program.ts) and the loop over them (the .long.test.ts).
 */
import { type AnyModel, type Json, explore } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';
import { type POp, type Program, finalStates, programModel, programModelStep } from './random-program.js';

export const CONFIGS = ['past-violations', 'first-violation', 'step-past-violations', 'step-first-violation', 'hostile', 'nondeterministic'] as const;
export type Config = (typeof CONFIGS)[number];

export interface Run {
  readonly exhaustive: boolean;
  readonly executions: number;
  readonly kinds: readonly string[];
  readonly finals: readonly string[];
  /** A violation (of the model, not of the audit) stopped or was found in the run. */
  readonly found: boolean;
  readonly note: string | null;
}

const AUDIT_KINDS = new Set(['nondeterminism', 'independence', 'usage']);

export function runOne(m: AnyModel, prog: Program, strategy: 'dfs' | 'dpor' | 'dpor-fold', continueAfterViolation: boolean, maxExecutions: number): Run {
  const key = JSON.stringify(prog);
  finalStates.delete(key);
  const kinds = new Set<string>();
  const r = explore(m, strategy === 'dfs' ? new DfsScheduler() : new DporScheduler({ fold: strategy === 'dpor-fold' }), {
    scenario: prog as unknown as Json, maxExecutions, continueAfterViolation, audit: strategy !== 'dfs',
    onExecution: (e) => { for (const v of e.violations) kinds.add(v.kind); },
  });
  const finals = [...(finalStates.get(key) ?? [])].sort();
  finalStates.delete(key);
  const found = r.findings.some((f) => !AUDIT_KINDS.has(f.violation.kind) || kinds.has(f.violation.kind));
  const audit = r.findings.find((f) => f.violation.kind === 'nondeterminism');
  const note = r.brokenAssumption ?? (audit !== undefined ? audit.violation.message : null);
  return { exhaustive: r.exhaustive, executions: r.executions, kinds: [...kinds].sort(), finals, found, note };
}

export type Verdict =
  | { readonly kind: 'agree' }
  /** DPOR declined to call the run exhaustive and said why (hostile and nondeterministic programs). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** DFS did not finish within the execution budget: nothing to compare. */
  | { readonly kind: 'skipped' }
  | { readonly kind: 'disagree'; readonly detail: string };

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Compare DPOR with the DFS reference `ref` (DFS past violations on the same model). */
function compare(cfg: Config, m: AnyModel, prog: Program, ref: Run, budget: number, dpor: 'dpor' | 'dpor-fold'): Verdict {
  const past = cfg !== 'first-violation' && cfg !== 'step-first-violation';
  const d = runOne(m, prog, dpor, past, budget);
  if (!d.exhaustive && d.note !== null && cfg === 'hostile') return { kind: 'refused', reason: d.note.slice(0, 60) };
  if (past) {
    if (!d.exhaustive) return { kind: 'disagree', detail: `dpor not exhaustive after ${d.executions} executions (${d.note ?? 'no reason given'})` };
    if (!same(d.kinds, ref.kinds)) return { kind: 'disagree', detail: `violation kinds: dfs [${ref.kinds.join(', ')}], dpor [${d.kinds.join(', ')}]` };
    if (!same(d.finals, ref.finals)) {
      const miss = ref.finals.filter((f) => !d.finals.includes(f));
      const extra = d.finals.filter((f) => !ref.finals.includes(f));
      return { kind: 'disagree', detail: `final states: dfs ${ref.finals.length}, dpor ${d.finals.length}; dpor misses [${miss.join(' ')}], has extra [${extra.join(' ')}]` };
    }
    return { kind: 'agree' };
  }
  const dfsFound = ref.kinds.length > 0;
  if (d.found === dfsFound) return { kind: 'agree' };
  // Confirm with DFS stopping at the first violation too, before calling it a disagreement.
  const first = runOne(m, prog, 'dfs', false, budget);
  if (d.found === first.found) return { kind: 'agree' };
  return { kind: 'disagree', detail: `first violation: dfs ${first.found ? 'finds one' : 'finds none'}, dpor ${d.found ? 'finds one' : `finds none (exhaustive: ${d.exhaustive})`}` };
}

/** Thread 0 starts with a Math.random() branch. */
export function nondeterministic(prog: Program): Program {
  const [t0, ...rest] = prog.threads;
  return { ...prog, threads: [[['rnd'] as POp, ...(t0 ?? [])], ...rest] };
}

/**
 * Check `prog` in configuration `cfg`; `refs` caches the DFS references per model (one program is
 * checked in several configurations).
 */
export function checkConfig(cfg: Config, prog: Program, refs: Map<AnyModel, Run>, budget: number, dpor: 'dpor' | 'dpor-fold' = 'dpor'): Verdict {
  if (cfg === 'nondeterministic') {
    const p = nondeterministic(prog);
    for (const past of [true, false]) {
      const d = runOne(programModel, p, dpor, past, budget);
      if (d.exhaustive) return { kind: 'disagree', detail: `a Math.random() program called exhaustive by dpor (continueAfterViolation ${past}) after ${d.executions} executions` };
    }
    return { kind: 'refused', reason: 'nondeterminism' };
  }
  const m = cfg === 'step-past-violations' || cfg === 'step-first-violation' ? programModelStep : programModel;
  let ref = refs.get(m);
  if (ref === undefined) {
    ref = runOne(m, prog, 'dfs', true, budget);
    refs.set(m, ref);
  }
  if (!ref.exhaustive) return { kind: 'skipped' };
  return compare(cfg, m, prog, ref, budget, dpor);
}
