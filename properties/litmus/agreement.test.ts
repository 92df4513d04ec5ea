/**
 * Agreement suites. Under SC: the exact final states and verdict of every kernel litmus test, of the
 * listings of Documentation/litmus-tests.txt and of the hand-written programs (every primitive of
 * linux-kernel.def among them) equal those of an independent brute-force SC enumerator
 * (sc-oracle.ts), with DPOR and with DFS; `runLitmusDirectory` compares with INDEX.tsv (under SC
 * exactly the Never rows agree). Under the LKMM: the whole kernel directory must agree with
 * INDEX.tsv; until the engine has the LKMM, `memoryModel: 'lkmm'` must be refused with one line
 * (the test switches itself on when the engine lands).
 * Leaves out: herd7 itself (not installed here); its verdicts come from the tests' Result lines.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/index.js';
import { type LitmusStrategy, parseLitmus, runLitmusDirectory, runLitmusText } from '../../src/litmus/index.js';
import { TESTS_DIR, docExamples, indexRows, kernelTests } from './corpus.js';
import { PROGRAMS, allPrimitives } from './programs.js';
import { scOracle } from './sc-oracle.js';

function sameAsOracle(file: string, text: string, strategy: LitmusStrategy): void {
  const o = scOracle(parseLitmus(text, file));
  const r = runLitmusText(text, file, { memoryModel: 'sc', strategy });
  expect(r.exhaustive, file).toBe(true);
  expect(r.outcomes, `${file} (${strategy})`).toEqual(o.outcomes);
  expect(r.verdict, `${file} (${strategy})`).toBe(o.verdict);
  expect(r.deadlocked > 0, file).toBe(o.deadlocks > 0);
}

describe('SC: mapcheck agrees with a brute-force SC enumerator', () => {
  for (const strategy of ['dpor', 'dfs'] as const) {
    it(`every kernel litmus test (${strategy})`, () => {
      for (const { file, text } of kernelTests()) sameAsOracle(file, text, strategy);
    });
  }

  it('the listings of Documentation/litmus-tests.txt and the hand-written programs (dpor and dfs)', () => {
    const all = [
      ...docExamples().filter((e) => !e.text.includes('RCU+sync+free')).map((e) => ({ file: `doc:${e.line}`, text: e.text })),
      ...Object.entries(PROGRAMS).map(([file, text]) => ({ file, text })),
      { file: 'all-primitives', text: allPrimitives() },
    ];
    expect(all.length).toBe(17);
    for (const { file, text } of all) for (const s of ['dpor', 'dfs'] as const) sameAsOracle(file, text, s);
  });

  it('the one-process test of every primitive ends in the state sequential C gives (checked by value)', () => {
    const r = runLitmusText(allPrimitives(), 'all');
    expect(r.outcomes).toHaveLength(1);
    const o = r.outcomes[0] ?? '';
    // A few values worked out by hand: READ_ONCE(*x) of x=1, smp_load_acquire after the release of 3,
    // rcu_dereference(*p) of p=x, xchg(x, 10) after smp_store_mb(*x, 4), a failed cmpxchg.
    expect(o).toMatch(/(^| )0:r0=1;/);
    expect(o).toMatch(/ 0:r1=3;/);
    expect(o).toMatch(/ 0:r2=x;/);
    expect(o).toMatch(/ 0:r3=4;/);
    expect(o).toMatch(/ 0:r4=10;/);
    expect(o).toMatch(/ 0:r5=20;/);
  });
});

describe('runLitmusDirectory and INDEX.tsv', () => {
  it('under SC: finds the index, and exactly the Never rows agree', () => {
    const rep = runLitmusDirectory(TESTS_DIR, { memoryModel: 'sc' });
    expect(rep.index).toMatch(/INDEX\.tsv$/);
    expect(rep.errors).toBe(0);
    const index = new Map(indexRows().map((r) => [r.file, r.result]));
    for (const row of rep.rows) {
      const base = row.file.replace(/^.*\//, '');
      expect(row.indexed, base).toBe(index.get(base));
      expect(row.expected, base).toBe(index.get(base));
      expect(row.agrees, base).toBe(index.get(base) === 'Never');
    }
    expect([rep.agree, rep.differ]).toEqual([30, 13]);
  });
});

/** Does the engine run `memoryModel: 'lkmm'` yet? (It refuses it with a UsageError until it does.) */
function lkmm(): { available: true } | { available: false; message: string } {
  try {
    runLitmusText('C probe\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n', 'probe', { memoryModel: 'lkmm' });
    return { available: true };
  } catch (e) {
    if (e instanceof UsageError) return { available: false, message: e.message };
    throw e;
  }
}

describe('LKMM agreement with the kernel tests', () => {
  it("under 'lkmm' every kernel test agrees with INDEX.tsv (until the engine has the LKMM: refused with one line)", () => {
    const probe = lkmm();
    if (!probe.available) {
      expect(probe.message).toMatch(/memory model 'lkmm'/);
      expect(probe.message.split('\n')).toHaveLength(1);
      return;
    }
    const rep = runLitmusDirectory(TESTS_DIR, { memoryModel: 'lkmm' });
    const differing = rep.rows.filter((r) => r.agrees !== true).map((r) => `${r.file}: ${r.result?.verdict ?? r.error} (expected ${r.expected})`);
    expect(differing).toEqual([]);
    expect(rep.agree).toBe(43);
  });
});
