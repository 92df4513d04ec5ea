/**
 * Seed 001 (IOVA range extension) models: every expected bug of the posted variant is found by
 * DPOR as a checker violation of an expected kind, and its token replays to the same kind; every
 * proved scenario of the fixed variant is exhausted by DPOR with no violation (execution counts
 * printed); fast-check generates mapping geometries and map / unmap workloads that PCT runs on the
 * fixed variant (no violation) and on the posted one (a failing workload is found, shrunk, and
 * still fails). Also pins the kernel bitmap semantics the seed relies on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, check, currentExecution, defineModel, join, replay } from '../../src/index.js';
import { findModel } from '../../models/index.js';
import { findBug } from './find-bug.js';
import { bitmap_find_next_zero_area, bitmap_set } from '../../models/iova-extend/bitmap.js';
import { iovaFixed, iovaFixedSimple, iovaPosted } from '../../models/iova-extend/index.js';
import { fixedVariant } from '../../models/iova-extend/fixed.js';
import { type IovaParams, type IovaStep, iovaScenarios, map, unmap } from '../../models/iova-extend/scenarios.js';
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
});

describe('iova-extend/posted: the review\'s bugs are found (DPOR, then the portfolio), in keep-going mode', () => {
  for (const bug of iovaPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = findBug(iovaPosted, bug, -1, 5_000);
      expect(f, `${bug.id}: neither DPOR nor the portfolio found a matching violation`).not.toBeNull();
      if (f === null) return;
      console.log(`[iova-extend/posted] ${bug.id}: ${f.v.kind} at execution ${f.execution} of ${f.by}: ${f.v.title}`);
      expect(bug.kinds).toContain(f.v.kind);
      if (bug.match !== undefined) expect(`${f.v.title} ${f.v.message}`).toContain(bug.match);
      const again = replay(iovaPosted, f.token);
      expect(again.exec.violations.some((v) => v.kind === f.v.kind && v.message === f.v.message)).toBe(true);
    });
  }

  it('is registered for the CLI under its name', () => {
    expect(findModel('iova-extend/posted')).toBe(iovaPosted);
    expect(findModel('iova-extend/fixed')).toBe(iovaFixed);
    expect(findModel('iova-extend/fixed-simple')).toBe(iovaFixedSimple);
  });
});

for (const model of [iovaFixed, iovaFixedSimple]) {
  describe(`${model.name}: DPOR exhausts the proved scenarios`, () => {
    for (const sc of model.provedScenarios ?? []) {
      it(sc, () => {
        const r = check(model, { strategy: 'dpor', scenario: sc, maxExecutions: 30_000 });
        console.log(`[${model.name}] ${sc}: ${r.executions} DPOR executions, exhaustive=${r.exhaustive}, ${r.elapsedMs} ms`);
        expect(r.finding?.violation ?? null).toBeNull();
        expect(r.exhaustive).toBe(true);
      });
    }
  });
}

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
    const bad = check(freeModel(true), { strategy: 'dpor', maxExecutions: 2_000 });
    expect(bad.finding?.violation.kind).toBe('invariant');
    expect(bad.finding?.violation.message).toContain('live allocation a.buf0 at IOVA 0x80000000 has no bit set: freeing b.buf0 cleared it');
    const good = check(freeModel(false), { strategy: 'dpor', maxExecutions: 2_000 });
    expect(good.finding?.violation ?? null).toBeNull();
    expect(good.exhaustive).toBe(true);
  });
});

const stepsArb: fc.Arbitrary<IovaStep[]> = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 4 }).map((p) => map(p)), fc.integer({ min: 0, max: 1 }).map((k) => unmap(k))),
  { minLength: 1, maxLength: 3 },
);

const paramsArb: fc.Arbitrary<IovaParams> = fc.record({
  base: fc.constant(0x80000000),
  reservedPages: fc.constantFrom(0, 28, 30, 31),
  initialPages: fc.constant(32),
  growPages: fc.constant(32),
  maxPages: fc.constantFrom(64, 96, 128),
  order: fc.constant(0),
  failAllocs: fc.boolean(),
  dma: fc.boolean(),
  threads: fc.array(stepsArb, { minLength: 2, maxLength: 3 }).map((ts) => ts.map((steps, i) => ({ name: `drv${i}`, steps }))),
  createRelease: fc.boolean(),
});

const PCT = { strategy: 'pct', depth: 3, seed: 5, maxExecutions: 120 } as const;

describe('iova-extend: generated workloads under PCT', () => {
  it('fixed and fixed-simple: no violation on any generated workload', () => {
    fc.assert(fc.property(paramsArb, (p) => {
      for (const m of [iovaFixed, iovaFixedSimple]) {
        const r = check(m, { ...PCT, scenario: p });
        if (r.finding) throw new Error(`${m.name}: ${r.finding.violation.title}: ${r.finding.violation.message}`);
      }
    }), { numRuns: 15, seed: 9 });
  });

  it('posted: a failing workload is found, shrunk, and the shrunk workload still fails', () => {
    const fails = (p: IovaParams): boolean => check(iovaPosted, { ...PCT, scenario: p }).finding !== null;
    const out = fc.check(fc.property(paramsArb, (p) => !fails(p)), { numRuns: 40, seed: 9 });
    expect(out.failed).toBe(true);
    const p = out.counterexample?.[0] as IovaParams;
    expect(p).toBeDefined();
    const steps = p.threads.reduce((n, t) => n + t.steps.length, 0);
    console.log(`[iova-extend/posted] shrunk failing workload: ${p.threads.length} threads, ${steps} steps: ${JSON.stringify(p)}`);
    expect(fails(p)).toBe(true);
    expect(steps).toBeLessThanOrEqual(4);
  });
});
