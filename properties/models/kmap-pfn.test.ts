/**
 * Seed 003 (kmap of page-less pfns) models: every expected bug of the posted variant is found by
 * DPOR (bounded DFS when DPOR misses it) as a violation of an expected kind and its token replays
 * to the same kind; every proved
 * scenario of the fixed variant is exhausted by DPOR with no violation, and cross-checked by DFS
 * within preemption bound 3 (an earlier RCU encoding -- rcu_read_lock as a shared lock acquire --
 * hid reader/grace-period races from DPOR, so this suite keeps an independent systematic check);
 * fast-check generates reader / driver workloads that PCT runs on the fixed variant (no violation)
 * and on the posted one (a failing workload is found, shrunk, and the shrunk one still fails).
 * Execution counts are printed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyModel, type ExpectedBug, check, replay,
} from '../../src/index.js';
import { type Found, findBug } from './find-bug.js';
import { kmapPfnFixed, kmapPfnPosted } from '../../models/kmap-pfn/index.js';
import { findModel } from '../../models/index.js';
import { HIGH_PFN, LOW_PFN, PMEM_PAGES, PMEM_PFN } from '../../models/kmap-pfn/scenarios.js';
import type { KmapPfnParams, ReaderPfn } from '../../models/kmap-pfn/state.js';
import { mainlinePfnCodec, postedPfnCodec } from '../../models/kmap-pfn/pfn-t.js';

const BOUND = 3;


function search(model: AnyModel, bug: ExpectedBug): Found | null {
  return findBug(model, bug, BOUND);
}

describe('kmap-pfn/posted: the bugs are found as checker violations', () => {
  for (const bug of kmapPfnPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = search(kmapPfnPosted, bug);
      expect(f, `${bug.id}: neither DPOR nor DFS found a matching violation`).not.toBeNull();
      const hit = f!;
      console.log(`[kmap-pfn/posted] ${bug.id}: ${hit.v.kind} at execution ${hit.execution} of ${hit.by}: ${hit.v.title}`);
      const again = replay(kmapPfnPosted, hit.token);
      expect(again.exec.violations.some((v) => v.kind === hit.v.kind && v.message === hit.v.message)).toBe(true);
    });
  }

  it('declares the issue\'s bugs, each on a scenario of the model, and is registered', () => {
    const ids = (kmapPfnPosted.expectedBugs ?? []).map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining(['kunmap-after-list-del', 'unmap-before-teardown', 'pfn-t-32bit', 'pfn-t-32bit-dev']));
    for (const bug of kmapPfnPosted.expectedBugs ?? []) expect(Object.keys(kmapPfnPosted.scenarios)).toContain(bug.scenario);
    expect(findModel('kmap-pfn/posted')).toBe(kmapPfnPosted);
    expect(findModel('kmap-pfn/fixed')).toBe(kmapPfnFixed);
  });
});

describe('kmap-pfn/fixed: DPOR exhausts the proved scenarios (DFS within a preemption bound agrees)', () => {
  for (const sc of kmapPfnFixed.provedScenarios ?? []) {
    it(sc, () => {
      const r = check(kmapPfnFixed, { strategy: 'dpor', scenario: sc, maxExecutions: 20_000 });
      const d = check(kmapPfnFixed, { strategy: 'dfs', preemptionBound: BOUND, scenario: sc, maxExecutions: 50_000 });
      console.log(`[kmap-pfn/fixed] ${sc}: ${r.executions} DPOR executions (exhaustive=${r.exhaustive}); DFS(pb ${BOUND}) ${d.executions} (exhaustive=${d.exhaustive})`);
      expect(r.finding?.violation ?? null).toBeNull();
      expect(r.exhaustive).toBe(true);
      expect(d.finding?.violation ?? null).toBeNull();
      expect(d.exhaustive).toBe(true);
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

const pfnArb: fc.Arbitrary<ReaderPfn> = fc.constantFrom<ReaderPfn>(
  { pfn: LOW_PFN, dev: false }, { pfn: HIGH_PFN, dev: false }, { pfn: PMEM_PFN, dev: true }, { pfn: PMEM_PFN + PMEM_PAGES - 1, dev: true },
);

const paramsArb: fc.Arbitrary<KmapPfnParams> = fc.record({
  bits: fc.constantFrom<32 | 64>(32, 64),
  pmemPfn: fc.constant(PMEM_PFN),
  pmemPages: fc.constant(PMEM_PAGES),
  ramPfns: fc.constant([LOW_PFN, HIGH_PFN]),
  unmapIn: fc.constantFrom<'remove' | 'devm'>('remove', 'devm'),
  remove: fc.constantFrom<'concurrent' | 'after'>('concurrent', 'after'),
  readersStart: fc.constantFrom<'after-probe' | 'any-time'>('after-probe', 'any-time'),
  readers: fc.array(fc.array(pfnArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }),
  failAllocs: fc.boolean(),
});

describe('kmap-pfn: generated workloads under PCT', () => {
  it('fixed: no violation on any generated workload', () => {
    fc.assert(fc.property(paramsArb, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
      const r = check(kmapPfnFixed, { strategy: 'pct', seed, scenario: p, maxExecutions: 60 });
      expect(r.finding?.violation ?? null).toBeNull();
    }), { numRuns: 25, seed: 7 });
  });

  it('posted: a failing workload is found and shrunk, and the shrunk one still fails', () => {
    const run = (p: KmapPfnParams): boolean => check(kmapPfnPosted, { strategy: 'pct', seed: 5, scenario: p, maxExecutions: 150 }).finding === null;
    const out = fc.check(fc.property(paramsArb, run), { numRuns: 60, seed: 11 });
    expect(out.failed).toBe(true);
    const shrunk = out.counterexample?.[0];
    expect(shrunk).toBeDefined();
    console.log(`[kmap-pfn/posted] shrunk failing workload after ${out.numShrinks} shrinks: ${JSON.stringify(shrunk)}`);
    expect(run(shrunk as KmapPfnParams)).toBe(false);
  });
});
