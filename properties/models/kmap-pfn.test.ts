/**
 * Seed 003 (kmap of page-less pfns) models: every expected bug of the posted variant is found
 * (DPOR, bounded DFS, portfolio; keep-going) as a violation of an expected kind at its site and its
 * token replays to it; every stated proof of the fixed variant is exhaustive with no violation, and
 * the fixed variant passes every scenario of the design (sleeping and user-copying DAX readers,
 * nested kmaps, unbind and rebind, three readers, allocation and memremap failure); fast-check
 * generates reader / driver workloads that always run to a verdict, that the fixed variant survives
 * under PCT and POS, and on which the posted one fails (shrunk, the shrunk one still fails); the
 * pfn encodings round-trip as the C does; bad scenario JSON is refused with one line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyModel, check, proofsOf, replay, scenarioParams } from '../../src/index.js';
import { findBug } from './find-bug.js';
import { fixedHolds, proofSuite, runsToVerdict, refusalOf } from './design-suite.js';
import { kmapPfnFixed, kmapPfnPosted } from '../../models/kmap-pfn/index.js';
import { findModel } from '../../models/index.js';
import { HIGH_PFN, LOW_PFN, PMEM_PAGES, PMEM_PFN } from '../../models/kmap-pfn/scenarios.js';
import type { KmapPfnParams, ReaderPfn } from '../../models/kmap-pfn/state.js';
import { mainlinePfnCodec, postedPfnCodec } from '../../models/kmap-pfn/pfn-t.js';

describe('kmap-pfn/posted: the bugs are found at their sites', () => {
  for (const bug of kmapPfnPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = findBug(kmapPfnPosted, bug, 3);
      expect(f, `${bug.id}: no matching violation`).not.toBeNull();
      const hit = f!;
      console.log(`[kmap-pfn/posted] ${bug.id}: ${hit.v.kind} at execution ${hit.execution} of ${hit.by}: ${hit.v.title}`);
      const again = replay(kmapPfnPosted, hit.token);
      expect(again.exec.violations.some((v) => v.kind === hit.v.kind && v.message === hit.v.message)).toBe(true);
    });
  }

  it('declares the review\'s bugs, each on a scenario of the model and matched on a site, and is registered', () => {
    const ids = (kmapPfnPosted.expectedBugs ?? []).map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining(['kunmap-after-list-del', 'unmap-before-teardown', 'pfn-t-32bit', 'pfn-t-32bit-dev', 'sleep-in-dax-clear', 'sleep-in-dax-io']));
    for (const bug of kmapPfnPosted.expectedBugs ?? []) {
      expect(Object.keys(kmapPfnPosted.scenarios)).toContain(bug.scenario);
      expect(bug.match, bug.id).toBeDefined();
    }
    expect(findModel('kmap-pfn/posted')).toBe(kmapPfnPosted);
    expect(findModel('kmap-pfn/fixed')).toBe(kmapPfnFixed);
  });
});

describe('kmap-pfn/fixed: the stated proofs', () => {
  proofSuite(kmapPfnFixed);

  it('proves three concurrent readers, sleeping readers and a rebind, and no proof is a single execution', () => {
    const sc = (name: string) => kmapPfnFixed.scenarios[name] as KmapPfnParams;
    const proofs = proofsOf(kmapPfnFixed);
    expect(proofs.some((p) => sc(p.scenario).readers.length >= 3)).toBe(true);
    expect(proofs.some((p) => (sc(p.scenario).cycles ?? 1) >= 2)).toBe(true);
    expect(proofs.some((p) => sc(p.scenario).readers.some((r) => r.some((x) => x.between === 'cond_resched')))).toBe(true);
    for (const p of proofs) expect(p.executions ?? 0, p.scenario).toBeGreaterThan(1);
  });
});

describe('kmap-pfn/fixed passes every scenario of its design', () => {
  for (const sc of Object.keys(kmapPfnFixed.scenarios)) {
    it(sc, () => {
      const r = check(kmapPfnFixed, { strategy: 'pct', seed: 3, scenario: sc, maxExecutions: 150, keepGoing: true });
      expect(r.findings.map((f) => `${f.violation.title}: ${f.violation.message}`)).toEqual([]);
    });
  }
});

describe('pfn encodings', () => {
  it('posted __pfn_t loses pfn bits above 2^20 on a 32-bit kernel, mainline pfn_t keeps them', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 36 }), (pfn) => {
      expect(postedPfnCodec(64).toPfn(postedPfnCodec(64).fromPage(pfn))).toBe(pfn);
      expect(mainlinePfnCodec().toPfn(mainlinePfnCodec().fromPage(pfn))).toBe(pfn);
      const p32 = postedPfnCodec(32);
      expect(p32.toPfn(p32.fromPage(pfn))).toBe(pfn % 2 ** 20);
      expect(p32.hasPage(p32.fromPage(pfn))).toBe(true);
      expect(p32.hasPage(p32.fromDevPhys(pfn * 4096))).toBe(false);
    }));
  });
});

const ramArb = fc.constantFrom<ReaderPfn>({ pfn: LOW_PFN, dev: false }, { pfn: HIGH_PFN, dev: false });
const devArb = fc.record({
  pfn: fc.constantFrom(PMEM_PFN, PMEM_PFN + PMEM_PAGES - 1),
  between: fc.constantFrom<NonNullable<ReaderPfn['between']>>('nothing', 'nothing', 'cond_resched', 'copy_to_user'),
}).map(({ pfn, between }): ReaderPfn => ({ pfn, dev: true, between }));
/** A pfn to read: RAM (never sleeping), or pmem (maybe sleeping), maybe with nested kmaps inside. */
const readerPfnArb: fc.Arbitrary<ReaderPfn> = fc.record({
  outer: fc.oneof(ramArb, devArb),
  inner: fc.array(fc.oneof(ramArb, devArb), { maxLength: 1 }),
}).map(({ outer, inner }): ReaderPfn => {
  // Nothing sleeps inside a page-backed kmap_atomic (validation refuses it: the caller's bug in every design).
  const nested = outer.dev ? inner : inner.map((x) => ({ pfn: x.pfn, dev: x.dev }));
  return nested.length ? { ...outer, inner: nested } : outer;
});

export const kmapParamsArb: fc.Arbitrary<KmapPfnParams> = fc.record({
  bits: fc.constantFrom<32 | 64>(32, 64),
  pmemPfn: fc.constant(PMEM_PFN),
  pmemPages: fc.constant(PMEM_PAGES),
  ramPfns: fc.constant([LOW_PFN, HIGH_PFN]),
  unmapIn: fc.constantFrom<'remove' | 'devm'>('remove', 'devm'),
  remove: fc.constantFrom<'concurrent' | 'after'>('concurrent', 'after'),
  readersStart: fc.constantFrom<'after-probe' | 'any-time'>('after-probe', 'any-time'),
  readers: fc.array(fc.array(readerPfnArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
  failAllocs: fc.boolean(),
  cycles: fc.integer({ min: 1, max: 2 }),
});
/** At least three readers, two pfns each, failure injection on. */
const busyArb = kmapParamsArb.map((p) => ({ ...p, failAllocs: true, readers: [...p.readers, ...p.readers, ...p.readers].slice(0, 3).map((r) => [...r, ...r].slice(0, 2)) }));

describe('kmap-pfn: generated workloads', () => {
  it('every generated workload passes validation and runs to a verdict on both variants', () => {
    fc.assert(fc.property(kmapParamsArb, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
      expect(() => scenarioParams(kmapPfnFixed as AnyModel, JSON.stringify(p))).not.toThrow();
      runsToVerdict([kmapPfnPosted, kmapPfnFixed], p, seed);
    }), { seed: 3003, numRuns: 40 });
  });

  it('fixed survives them under PCT and POS', () => {
    fixedHolds(kmapPfnFixed, kmapParamsArb, { seed: 7, numRuns: 12, executions: 40 });
  });

  it('fixed survives three readers with two pfns each and failure injection under PCT and POS', () => {
    fixedHolds(kmapPfnFixed, busyArb, { seed: 8, numRuns: 6, executions: 40 });
  });

  it('posted: a failing workload is found and shrunk, and the shrunk one still fails', () => {
    const run = (p: KmapPfnParams): boolean => check(kmapPfnPosted, { strategy: 'pct', seed: 5, scenario: p, maxExecutions: 150 }).finding === null;
    const out = fc.check(fc.property(kmapParamsArb, run), { numRuns: 60, seed: 11 });
    expect(out.failed).toBe(true);
    const shrunk = out.counterexample?.[0];
    expect(shrunk).toBeDefined();
    console.log(`[kmap-pfn/posted] shrunk failing workload after ${out.numShrinks} shrinks: ${JSON.stringify(shrunk)}`);
    expect(run(shrunk as KmapPfnParams)).toBe(false);
  });
});

describe('kmap-pfn: scenario validation', () => {
  const good = kmapPfnFixed.scenarios['sleeping-reader'] as KmapPfnParams;
  const bad: [string, unknown, RegExp][] = [
    ['a zero-page range', { ...good, pmemPages: 0 }, /params\.pmemPages: got 0; allowed: a whole number in 1\.\.8/],
    ['an unknown field', { ...good, speed: 3 }, /params: unknown field "speed"/],
    ['a wrong type', { ...good, bits: '64' }, /params\.bits: got "64"; allowed: one of 32, 64/],
    ['sleeping in a kmap_atomic', { ...good, readers: [[{ pfn: LOW_PFN, dev: false, between: 'cond_resched' }]] }, /params\.readers\[0\]\[0\]\.between: got "cond_resched"; allowed: "nothing" inside a page-backed kmap_atomic/],
    ['a RAM pfn without a struct page', { ...good, readers: [[{ pfn: 0x999, dev: false }]] }, /params\.readers\[0\]\[0\]\.pfn: got 2457; allowed: one of ramPfns/],
  ];
  for (const [what, p, msg] of bad) {
    it(`refuses ${what} with one line naming the field`, () => {
      const why = refusalOf(kmapPfnFixed as AnyModel, p);
      expect(why).toMatch(msg);
      expect(why).not.toContain('\n');
    });
  }

});
