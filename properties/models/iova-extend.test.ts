/**
 * Seed 001 (IOVA range extension) models: every expected bug of the posted variant is found
 * (keep-going, DPOR then the portfolio) as a violation of an expected kind at its real site, and
 * its token replays to it; every CI-tier proof of the fixed variants holds (design-suite.ts);
 * every scenario the arbitrary generates (zero-length maps, wrong-length and foreign frees,
 * windows at the top of the 32-bit space, failures injected) runs to a verdict on every variant;
 * the fixed variants find nothing under PCT and POS on generated workloads with three or more
 * drivers, two or more maps each and failures on; posted fails one that is shrunk; a scenario the
 * design cannot run is a one-line usage error. Also pins the kernel bitmap semantics and the
 * v3.14 get_order(0) the seed relies on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ExpectedBug, PAGE_SIZE, check, currentExecution, defineModel, join, replay } from '../../src/index.js';
import { findModel } from '../../models/index.js';
import { ciProofs, everyScenarioRunsToVerdict, fixedHoldOnWorkloads, refusalOf, twoFindings } from './design-suite.js';
import { type Found, findBug } from './find-bug.js';
import { bitmap_clear, bitmap_find_next_zero_area, bitmap_set } from '../../models/iova-extend/bitmap.js';
import { iovaFixed, iovaFixedSimple, iovaPosted } from '../../models/iova-extend/index.js';
import { fixedVariant } from '../../models/iova-extend/fixed.js';
import { allocGeometry, get_order } from '../../models/iova-extend/posted.js';
import { type IovaParams, type IovaStep, iovaScenarios, map, unmap, unmapForeign } from '../../models/iova-extend/scenarios.js';
import { buildWorld } from '../../models/iova-extend/world.js';

describe('kernel bitmap helpers', () => {
  it('bitmap_find_next_zero_area returns index + nr (> size) when nothing fits, as lib/bitmap.c does', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 1, 3, 7), (size, used, nr, align) => {
      const words = new Uint32Array(2);
      bitmap_set(words, 0, Math.min(used, size));
      const r = bitmap_find_next_zero_area(words, size, 0, nr, align);
      const fits = r <= size;
      if (fits) {
        expect(r & align).toBe(0);
        expect(r + nr).toBeLessThanOrEqual(size);
        expect(r).toBeGreaterThanOrEqual(Math.min(used, size));
      } else {
        expect(r).toBeGreaterThan(size);
        let firstFree = Math.min(used, size);
        firstFree = (firstFree + align) & ~align;
        expect(firstFree + nr).toBeGreaterThan(size);
      }
    }), { numRuns: 300, seed: 1 });
  });

  it('bitmap_set / bitmap_clear report the bits they would write past the array (KASAN), not write them', () => {
    const words = new Uint32Array(1);
    expect(bitmap_set(words, 30, 4)).toBe(2);
    expect(words[0]).toBe(0xc0000000);
    expect(bitmap_clear(words, 31, 3)).toBe(2);
    expect(words[0]).toBe(0x40000000);
  });

  it('v3.14 get_order(0) is 20 on a 32-bit kernel (__get_order: fls((0 - 1) >> PAGE_SHIFT)), clamped to 8: count 0, align 255', () => {
    expect(get_order(0)).toBe(20);
    expect(get_order(1)).toBe(0);
    expect(get_order(PAGE_SIZE + 1)).toBe(1);
    expect(allocGeometry(0, 0)).toEqual({ count: 0, align: 255 });
  });
});

describe('iova-extend/posted: the review\'s bugs are found at their real site (keep-going)', () => {
  const hits = new Map<string, Found | null>();
  const search = (bug: ExpectedBug): Found | null => {
    if (!hits.has(bug.id)) hits.set(bug.id, findBug(iovaPosted, bug, -1, 2_000));
    return hits.get(bug.id) ?? null;
  };
  for (const bug of iovaPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = search(bug);
      expect(f, `${bug.id}: neither DPOR nor the portfolio found a matching violation`).not.toBeNull();
      if (f === null) return;
      console.log(`[iova-extend/posted] ${bug.id}: ${f.v.kind} at execution ${f.execution} of ${f.by}: ${f.v.title}: ${f.v.message.slice(0, 160)}`);
      expect(bug.kinds).toContain(f.v.kind);
      expect(`${f.v.title} ${f.v.message}`).toContain(bug.match);
      const again = replay(iovaPosted, f.token);
      expect(again.exec.violations.some((v) => v.kind === f.v.kind && v.message === f.v.message)).toBe(true);
    });
  }

  // Bugs a campaign once filed under one signature (same site, same title) are titled by their own
  // failure now: each found witness is its own campaign finding.
  twoFindings(iovaPosted, [['extend-wraps-4g', 'bits-rounding'], ['cross-range-free', 'oversized-free']], search);

  it('every expected bug is matched on the function where it goes wrong', () => {
    for (const bug of iovaPosted.expectedBugs ?? []) expect(bug.match, bug.id).toMatch(/__alloc_iova|__free_iova|extend_iommu_mapping/);
    expect((iovaPosted.expectedBugs ?? []).map((b) => b.id)).toEqual(expect.arrayContaining(['bits-rounding', 'extend-wraps-4g', 'oversized-free', 'cross-range-free', 'zero-length-alias']));
  });

  it('is registered for the CLI under its name', () => {
    expect(findModel('iova-extend/posted')).toBe(iovaPosted);
    expect(findModel('iova-extend/fixed')).toBe(iovaFixed);
    expect(findModel('iova-extend/fixed-simple')).toBe(iovaFixedSimple);
  });
});

ciProofs([iovaFixed, iovaFixedSimple]);

/**
 * A fixed-variant workload where thread b frees the IOVA at the window's base whatever it got
 * itself (`wrongFree`), or its own IOVA: the under-the-lock bookkeeping must report the first
 * (thread a's allocation is left with no bit set) in the orderings where a holds that IOVA, and
 * nothing for the second.
 */
function freeModel(wrongFree: boolean) {
  const p = iovaScenarios['three-small'];
  return defineModel({
    name: `iova-extend/test-free-${wrongFree ? 'other' : 'own'}`,
    scenarios: { two: p },
    setup: (q: IovaParams) => buildWorld(q, fixedVariant),
    threads: (w) => [
      {
        name: 'a',
        body: function* () {
          w.ghost.asking.set(currentExecution().running, 'a.buf0');
          const iova = yield* w.variant.alloc(w, PAGE_SIZE);
          yield* w.variant.free(w, iova, PAGE_SIZE);
        },
      },
      {
        name: 'b',
        body: function* () {
          w.ghost.asking.set(currentExecution().running, 'b.buf0');
          const iova = yield* w.variant.alloc(w, PAGE_SIZE);
          yield* w.variant.free(w, wrongFree ? p.base : iova, PAGE_SIZE);
          yield* join(0, 'b: wait for a');
          yield* w.variant.release(w);
        },
      },
    ],
    invariants: [{ name: 'no allocation failure the mapping could avoid', observes: 'ops', check: (w) => w.ghost.badFailures.length === 0 }],
  });
}

describe('iova-extend: the checks moved out of the per-step invariants', () => {
  it('every per-step invariant says what it observes, so DPOR never falls back to ordering every write', () => {
    for (const m of [iovaPosted, iovaFixed, iovaFixedSimple]) {
      expect(m.invariants?.length ?? 0).toBeGreaterThan(0);
      for (const c of m.invariants ?? []) expect(c.observes, `${m.name}: ${c.name}`).toBeDefined();
    }
  });

  it('a free that clears another buffer\'s bit is found by DPOR; a correct free is not reported', () => {
    const bad = check(freeModel(true), { strategy: 'dpor', maxExecutions: 2_000, keepGoing: true });
    const msgs = bad.findings.map((f) => `${f.violation.kind}: ${f.violation.message}`);
    expect(msgs.some((m) => m.startsWith('invariant') && m.includes('freeing b.buf0 in __free_iova cleared the bit of live allocation a.buf0 at IOVA 0x80000000')), msgs.join('\n')).toBe(true);
    const good = check(freeModel(false), { strategy: 'dpor', maxExecutions: 2_000 });
    expect(good.finding?.violation ?? null).toBeNull();
    expect(good.exhaustive).toBe(true);
  });
});

const stepsArb = (minMaps: number): fc.Arbitrary<IovaStep[]> => fc.tuple(
  fc.array(fc.integer({ min: 0, max: 3 }), { minLength: minMaps, maxLength: 3 }),
  fc.array(fc.oneof(
    fc.record({ k: fc.integer({ min: 0, max: 2 }), pages: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }).map((u) => ({ kind: 'unmap' as const, ...u })),
    fc.constantFrom(0x7fff0000, 0xffffe000, 0x100).map((iova) => ({ kind: 'unmap-foreign' as const, iova })),
  ), { maxLength: 2 }),
).map(([maps, extra]) => {
  // Maps first, then unmaps of earlier maps (by index) and foreign handles, interleaved in order.
  const steps: IovaStep[] = [];
  maps.forEach((pages, i) => {
    steps.push(map(pages));
    const e = extra[i];
    if (e === undefined) return;
    if (e.kind === 'unmap-foreign') steps.push(unmapForeign(e.iova, 1));
    else steps.push(unmap(Math.min(e.k, i), e.pages));
  });
  return steps;
});

const geometryArb = fc.constantFrom(
  { base: 0x80000000, initialPages: 32, growPages: 32, maxPages: 128, reservedPages: 30 },
  { base: 0x80000000, initialPages: 32, growPages: 32, maxPages: 64, reservedPages: 0 },
  { base: 0x80000000, initialPages: 8, growPages: 8, maxPages: 32, reservedPages: 4 },
  { base: 0xfffe0000, initialPages: 32, growPages: 32, maxPages: 32, reservedPages: 29 },
  { base: 0xfffe0000, initialPages: 32, growPages: 32, maxPages: 128, reservedPages: 31 },
);

function paramsArb(minThreads: number, minMaps: number, failures: boolean): fc.Arbitrary<IovaParams> {
  return fc.record({
    g: geometryArb,
    failAllocs: failures ? fc.constant(true) : fc.boolean(),
    dma: fc.boolean(),
    threads: fc.array(stepsArb(minMaps), { minLength: minThreads, maxLength: 3 }).map((ts) => ts.map((steps, i) => ({ name: `drv${i}`, steps }))),
    createRelease: fc.boolean(),
  }).map((r) => ({ ...r.g, order: 0, failAllocs: r.failAllocs, dma: r.dma, threads: r.threads, createRelease: r.createRelease }));
}

describe('iova-extend: generated scenarios', () => {
  it('the arbitrary generates only scenarios the schema and the relation check accept', () => {
    fc.assert(fc.property(paramsArb(1, 1, false), (p) => { expect(refusalOf(iovaFixed, p)).toBeNull(); }), { numRuns: 300, seed: 5 });
  });
  everyScenarioRunsToVerdict([iovaPosted, iovaFixed, iovaFixedSimple], paramsArb(1, 1, false), 40, 13);
  fixedHoldOnWorkloads([iovaFixed, iovaFixedSimple], paramsArb(3, 2, true), '3 drivers x 2 maps, wrong-length and foreign frees, zero lengths, 4 GiB windows, failures');

  it('posted: a failing workload is found, shrunk, and the shrunk workload still fails', () => {
    const PCT = { strategy: 'pct', depth: 3, seed: 5, maxExecutions: 120 } as const;
    const fails = (p: IovaParams): boolean => check(iovaPosted, { ...PCT, scenario: p }).finding !== null;
    const out = fc.check(fc.property(paramsArb(2, 1, false), (p) => !fails(p)), { numRuns: 40, seed: 9 });
    expect(out.failed).toBe(true);
    const p = out.counterexample?.[0] as IovaParams;
    expect(p).toBeDefined();
    const steps = p.threads.reduce((n, t) => n + t.steps.length, 0);
    console.log(`[iova-extend/posted] shrunk failing workload: ${p.threads.length} threads, ${steps} steps: ${JSON.stringify(p)}`);
    expect(fails(p)).toBe(true);
    expect(steps).toBeLessThanOrEqual(4);
  });
});

describe('iova-extend: a scenario the design cannot run is a one-line usage error naming the field', () => {
  const base = iovaScenarios['small-dma'];
  const cases: [string, unknown, RegExp][] = [
    ['a negative page count', { ...base, threads: [{ name: 'drv-a', steps: [{ kind: 'map', pages: -1 }] }] }, /params\.threads\[0\]\.steps\[0\]\.pages: got -1; allowed: a whole number in 0\.\.32/],
    ['an unknown field', { ...base, grow: 3 }, /params: unknown field "grow" \(fields: base, reservedPages/],
    ['a wrong type', { ...base, dma: 1 }, /params\.dma: got 1; allowed: true or false/],
    ['an unknown step kind', { ...base, threads: [{ name: 'drv-a', steps: [{ kind: 'remap', pages: 1 }] }] }, /kind: got "remap"; allowed: one of "map", "unmap", "unmap-foreign"/],
    ['an unmap of a buffer never mapped', { ...base, threads: [{ name: 'drv-a', steps: [{ kind: 'map', pages: 1 }, { kind: 'unmap', which: 1 }] }] }, /params\.threads\[0\]\.steps\[1\]\.which: got 1; allowed: the index of an earlier map step of this thread \(0\.\.0\)/],
    ['a base past 4 GiB', { ...base, base: 2 ** 32 }, /params\.base: got 4294967296; allowed: a whole number in 0\.\.0xfffff000, a multiple of 4096/],
    ['max below initial', { ...base, maxPages: 16 }, /params\.maxPages: got 16; allowed: at least initialPages \(32\)/],
  ];
  for (const [what, p, re] of cases) {
    it(what, () => {
      const why = refusalOf(iovaFixed, p);
      expect(why).toMatch(re);
      expect(why?.split('\n')).toHaveLength(1);
    });
  }
});
