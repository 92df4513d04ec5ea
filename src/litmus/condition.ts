/**
 * The final condition and herd7's verdict. A proposition is evaluated on one final state
 * (`P:r=v` and `x=v` terms, `=` / `!=`, `~`, `/\`, `\/`, `=>`; a name on the right is that
 * variable's address). Following herd7 (herd/top_herd.ml): the Observation word counts the final
 * outcomes where the *proposition* holds, whatever the quantifier: Never when none does, Always
 * when all do, Sometimes otherwise; the quantifier decides only whether the test is validated
 * (`Ok`: exists when some outcome satisfies it, ~exists when none does, forall when all do) and the
 * order of the Positive/Negative counts (~exists swaps them). Final states are shown restricted to
 * the locations the condition and the `locations` clause name, in herd7's order (registers by
 * process and name, then variables).
 * Leaves out: herd7 counts executions where mapcheck counts distinct final states (the words agree:
 * both are Never / Always / Sometimes on the same outcomes).
 */
import type { CondLoc, CondValue, LitmusTest, Prop, Quantifier, Verdict } from './ast.js';
import { locKey } from './ast.js';
import type { FinalState, FinalValue } from './compile.js';

export function valueOf(v: CondValue): FinalValue {
  return v.k === 'num' ? v.v : v.name;
}

/** Does `p` hold in final state `s`? A key missing from `s` is an error of the caller. */
export function evalProp(p: Prop, s: FinalState): boolean {
  switch (p.k) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !evalProp(p.p, s);
    case 'and': return evalProp(p.l, s) && evalProp(p.r, s);
    case 'or': return evalProp(p.l, s) || evalProp(p.r, s);
    case 'imp': return !evalProp(p.l, s) || evalProp(p.r, s);
    case 'atom': {
      const k = locKey(p.loc);
      const v = s.get(k);
      if (v === undefined) throw new Error(`final state has no ${k}`);
      return (v === valueOf(p.value)) !== p.negated;
    }
  }
}

/** herd7's Observation word from the outcomes that satisfy the proposition and those that do not. */
export function verdictOf(positive: number, negative: number): Verdict {
  return positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes';
}

/** herd7's `Ok` / `No`: is the test's condition validated? */
export function validated(q: Quantifier, positive: number, negative: number): boolean {
  return q === 'exists' ? positive > 0 : q === '~exists' ? positive === 0 : negative === 0;
}

/** herd7's `Positive: a Negative: b` (swapped for ~exists). */
export function witnessCounts(q: Quantifier, positive: number, negative: number): [number, number] {
  return q === '~exists' ? [negative, positive] : [positive, negative];
}

function locsOf(p: Prop, out: CondLoc[]): void {
  switch (p.k) {
    case 'atom': out.push(p.loc); return;
    case 'not': locsOf(p.p, out); return;
    case 'and': case 'or': case 'imp': locsOf(p.l, out); locsOf(p.r, out); return;
    default:
  }
}

/** Order of final-state keys as herd7 prints them: `0:r1 0:r2 1:r0 x y`. */
export function keyOrder(a: string, b: string): number {
  const ra = /^(\d+):(.*)$/.exec(a);
  const rb = /^(\d+):(.*)$/.exec(b);
  if (ra && rb) return Number(ra[1]) - Number(rb[1]) || (ra[2] as string).localeCompare(rb[2] as string);
  if (ra) return -1;
  if (rb) return 1;
  return a.localeCompare(b);
}

/** The keys a final state is shown with: those of the condition and the locations clause. */
export function displayKeys(test: LitmusTest): string[] {
  const locs: CondLoc[] = [...test.locations];
  locsOf(test.condition.prop, locs);
  return [...new Set(locs.map(locKey))].sort(keyOrder);
}

/** `0:r0=1; x=2;` */
export function formatState(keys: readonly string[], s: FinalState): string {
  return keys.map((k) => `${k}=${String(s.get(k))};`).join(' ');
}

/** Compare two final-state values: numbers numerically, before addresses (by name). */
function valueOrder(a: FinalValue | undefined, b: FinalValue | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return String(a).localeCompare(String(b));
}

/** Order of states as herd7 lists them: by the values of the shown keys in turn. */
export function stateOrder(keys: readonly string[]): (a: FinalState, b: FinalState) => number {
  return (a, b) => {
    for (const k of keys) {
      const c = valueOrder(a.get(k), b.get(k));
      if (c !== 0) return c;
    }
    return 0;
  };
}
