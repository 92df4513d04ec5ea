/**
 * Final conditions and herd7's verdicts: proposition evaluation on final states (terms, =, !=,
 * addresses, ~, /\, \/, =>), the Observation word (Never / Sometimes / Always from the outcomes
 * where the proposition holds, whatever the quantifier), Ok/No per quantifier, the swapped
 * Positive/Negative of ~exists (herd/top_herd.ml), precedence when printing propositions, the
 * order of shown keys and states, and ~exists / forall / filter end to end on small tests.
 * Leaves out: the kernel's tests (sc.test.ts and agreement.test.ts run them).
 */
import { describe, expect, it } from 'vitest';
import {
  type FinalState, type Prop, displayKeys, evalProp, parseLitmus, printProp, runLitmusText, validated, verdictOf, witnessCounts,
} from '../../src/litmus/index.js';
import { formatState, keyOrder, stateOrder } from '../../src/litmus/condition.js';

function prop(text: string): Prop {
  return parseLitmus(`C p\n{ x=0; y=0; }\nP0(int *x, int *y) { int r0; int r1; }\nexists (${text})\n`, 'p').condition.prop;
}

const S: FinalState = new Map<string, number | string>([['0:r0', 1], ['0:r1', 'x'], ['x', 2], ['y', 0]]);

describe('propositions', () => {
  it('evaluate terms, addresses, negation and the connectives', () => {
    const cases: [string, boolean][] = [
      ['0:r0=1', true], ['0:r0=2', false], ['0:r0!=2', true], ['0:r1=x', true], ['0:r1=y', false], ['x=2', true],
      ['0:r0=1 /\\ x=2', true], ['0:r0=1 /\\ x=3', false], ['0:r0=5 \\/ y=0', true], ['0:r0=5 \\/ y=1', false],
      ['~0:r0=1', false], ['~(0:r0=5 \\/ y=1)', true], ['0:r0=5 => y=9', true], ['0:r0=1 => y=9', false],
      ['true', true], ['false', false], ['x=2 /\\ (y=1 \\/ 0:r1=x)', true], ['[x]=2', true], ['y=-0', true],
    ];
    for (const [text, want] of cases) expect(evalProp(prop(text), S), text).toBe(want);
  });

  it('parse with herd7 precedence (~ over /\\ over \\/ over =>) and print back with the parentheses it needs', () => {
    const p = prop('x=1 /\\ y=1 \\/ ~x=2 => y=2 => x=3');
    expect(p).toMatchObject({ k: 'imp', l: { k: 'or', l: { k: 'and' }, r: { k: 'not' } }, r: { k: 'imp' } });
    expect(printProp(p)).toBe('x=1 /\\ y=1 \\/ ~x=2 => y=2 => x=3');
    expect(printProp(prop('(x=1 \\/ y=1) /\\ ~(x=2 /\\ y=2)'))).toBe('(x=1 \\/ y=1) /\\ ~(x=2 /\\ y=2)');
    expect(printProp(prop('(x=1 => y=1) => x=2'))).toBe('(x=1 => y=1) => x=2');
  });
});

describe('herd7 verdicts', () => {
  it('Observation counts the outcomes where the proposition holds', () => {
    expect(verdictOf(0, 3)).toBe('Never');
    expect(verdictOf(2, 1)).toBe('Sometimes');
    expect(verdictOf(3, 0)).toBe('Always');
    expect(verdictOf(0, 0)).toBe('Never');
  });

  it('Ok/No and Positive/Negative depend on the quantifier', () => {
    expect([validated('exists', 0, 3), validated('exists', 1, 2)]).toEqual([false, true]);
    expect([validated('~exists', 0, 3), validated('~exists', 1, 2)]).toEqual([true, false]);
    expect([validated('forall', 3, 0), validated('forall', 2, 1)]).toEqual([true, false]);
    expect(witnessCounts('exists', 1, 2)).toEqual([1, 2]);
    expect(witnessCounts('forall', 1, 2)).toEqual([1, 2]);
    expect(witnessCounts('~exists', 1, 2)).toEqual([2, 1]);
  });

  it('orders keys and states as herd7 prints them', () => {
    expect(['y', '1:r0', 'x', '0:r2', '0:r10', '0:r1'].sort(keyOrder)).toEqual(['0:r1', '0:r10', '0:r2', '1:r0', 'x', 'y']);
    const t = parseLitmus('C k\n{}\nP0(int *x, int *y) { int r2; int r1; }\nP1(int *x) { int r0; }\nlocations [y; 0:r1]\nexists (x=1 /\\ 1:r0=0 \\/ 0:r2=1)\n', 'k');
    expect(displayKeys(t)).toEqual(['0:r1', '0:r2', '1:r0', 'x', 'y']);
    const a: FinalState = new Map<string, number | string>([['0:r0', 42], ['x', 'z']]);
    const b: FinalState = new Map<string, number | string>([['0:r0', 1], ['x', 'x']]);
    const c: FinalState = new Map([['0:r0', 1], ['x', 3]]);
    expect([a, b, c].sort(stateOrder(['0:r0', 'x'])).map((s) => formatState(['0:r0', 'x'], s))).toEqual(['0:r0=1; x=3;', '0:r0=1; x=x;', '0:r0=42; x=z;']);
  });
});

const TWO_WRITERS = 'C w\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nP1(int *x) { WRITE_ONCE(*x, 2); }\n';

describe('quantifiers and filter end to end (SC)', () => {
  it('exists: Sometimes and Ok when some outcome satisfies it', () => {
    const r = runLitmusText(`${TWO_WRITERS}exists (x=2)\n`, 'w');
    expect([r.verdict, r.validated, r.positive, r.negative, r.witnesses]).toEqual(['Sometimes', true, 1, 1, ['x=2;']]);
  });

  it('~exists: the verdict is about the proposition; Ok when no outcome satisfies it', () => {
    const never = runLitmusText(`${TWO_WRITERS}~exists (x=3)\n`, 'w');
    expect([never.verdict, never.validated]).toEqual(['Never', true]);
    const some = runLitmusText(`${TWO_WRITERS}~exists (x=1)\n`, 'w');
    expect([some.verdict, some.validated, some.witnesses]).toEqual(['Sometimes', false, ['x=1;']]);
  });

  it('forall: Always and Ok when every outcome satisfies it; the refuting states are the witnesses', () => {
    const all = runLitmusText(`${TWO_WRITERS}forall (x=1 \\/ x=2)\n`, 'w');
    expect([all.verdict, all.validated, all.witnesses]).toEqual(['Always', true, []]);
    const not = runLitmusText(`${TWO_WRITERS}forall (x=1)\n`, 'w');
    expect([not.verdict, not.validated, not.witnesses]).toEqual(['Sometimes', false, ['x=2;']]);
  });

  it('filter drops executions before anything is counted', () => {
    const r = runLitmusText(`${TWO_WRITERS}filter (x=2)\nexists (x=2)\n`, 'w');
    expect([r.verdict, r.states.length, r.filtered]).toEqual(['Always', 1, 1]);
  });
});
