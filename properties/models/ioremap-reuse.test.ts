/**
 * Seed 000 (ioremap reuse) models: every expected bug of the posted variant is found by DPOR as a
 * checker violation of an expected kind, and its token replays to the same kind; every proved
 * scenario of the fixed variants is exhausted by DPOR with no violation (execution counts are
 * printed); fast-check generates driver workloads that PCT runs on the fixed variants (no
 * violation) and on the posted one (a failing workload is found, shrunk, and still fails).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyModel, type MemType, check, replay } from '../../src/index.js';
import { ioremapFixed, ioremapFixedFresh, ioremapPosted } from '../../models/ioremap-reuse/index.js';
import { DEV1, DEV2, DEV3, type IoSession, type IoremapParams } from '../../models/ioremap-reuse/scenarios.js';
import { findModel } from '../../models/index.js';
import { findBug } from './find-bug.js';

describe('ioremap-reuse/posted: the review\'s bugs are found (DPOR, then the portfolio), in keep-going mode', () => {
  for (const bug of ioremapPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = findBug(ioremapPosted, bug, -1, 5_000);
      expect(f, `${bug.id}: neither DPOR nor the portfolio found a matching violation`).not.toBeNull();
      if (f === null) return;
      console.log(`[ioremap-reuse/posted] ${bug.id}: ${f.v.kind} at execution ${f.execution} of ${f.by}: ${f.v.title}`);
      expect(bug.kinds).toContain(f.v.kind);
      if (bug.match !== undefined) expect(`${f.v.title} ${f.v.message}`).toContain(bug.match);
      const again = replay(ioremapPosted, f.token);
      expect(again.exec.violations.some((v) => v.kind === f.v.kind && v.message === f.v.message)).toBe(true);
    });
  }

  it('every expected bug names a scenario of the model', () => {
    for (const bug of ioremapPosted.expectedBugs ?? []) expect(Object.keys(ioremapPosted.scenarios)).toContain(bug.scenario);
    expect((ioremapPosted.expectedBugs ?? []).map((b) => b.id)).toEqual(expect.arrayContaining(['morton-race', 'sub-then-read']));
  });

  it('every per-step invariant says what it observes, so DPOR never falls back to ordering every write', () => {
    for (const m of [ioremapPosted, ioremapFixed, ioremapFixedFresh]) {
      expect(m.invariants?.length ?? 0).toBeGreaterThan(0);
      for (const c of m.invariants ?? []) expect(c.observes, `${m.name}: ${c.name}`).toBeDefined();
    }
  });

  it('is registered for the CLI under its name', () => {
    expect(findModel('ioremap-reuse/posted')).toBe(ioremapPosted);
    expect(findModel('ioremap-reuse/fixed')).toBe(ioremapFixed);
    expect(findModel('ioremap-reuse/fixed-fresh')).toBe(ioremapFixedFresh);
  });
});

function proves(model: AnyModel): void {
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
proves(ioremapFixed);
proves(ioremapFixedFresh);

const sessionArb: fc.Arbitrary<IoSession> = fc.record({
  paddr: fc.constantFrom(DEV1, DEV2, DEV3),
  size: fc.constant(0x400),
  type: fc.constantFrom<MemType>('device', 'wc'),
  premapped: fc.boolean(),
  accesses: fc.integer({ min: 0, max: 1 }),
});

const paramsArb: fc.Arbitrary<IoremapParams> = fc.record({
  threads: fc.array(fc.array(sessionArb, { minLength: 1, maxLength: 2 }), { minLength: 2, maxLength: 3 })
    .map((ts) => ts.map((sessions, i) => ({ name: `drv${i}`, sessions, holdUntilOthersDone: false }))),
  vmallocThread: fc.boolean(),
  markedReads: fc.boolean(),
  watchResurrection: fc.constant(true),
  barrier: fc.boolean(),
});

const PCT = { strategy: 'pct', depth: 3, seed: 7, maxExecutions: 150 } as const;

describe('ioremap-reuse: generated workloads under PCT', () => {
  it('fixed and fixed-fresh: no violation on any generated workload', () => {
    fc.assert(fc.property(paramsArb, (p) => {
      for (const m of [ioremapFixed, ioremapFixedFresh]) {
        const r = check(m, { ...PCT, scenario: p });
        if (r.finding) throw new Error(`${m.name}: ${r.finding.violation.title}: ${r.finding.violation.message}`);
      }
    }), { numRuns: 12, seed: 42 });
  });

  it('posted: a failing workload is found, shrunk, and the shrunk workload still fails', () => {
    const fails = (p: IoremapParams): boolean => check(ioremapPosted, { ...PCT, scenario: p }).finding !== null;
    const out = fc.check(fc.property(paramsArb, (p) => !fails(p)), { numRuns: 40, seed: 42 });
    expect(out.failed).toBe(true);
    const shrunk = out.counterexample?.[0];
    expect(shrunk).toBeDefined();
    const p = shrunk as IoremapParams;
    const sessions = p.threads.reduce((n, t) => n + t.sessions.length, 0);
    console.log(`[ioremap-reuse/posted] shrunk failing workload: ${p.threads.length} threads, ${sessions} sessions: ${JSON.stringify(p)}`);
    expect(fails(p)).toBe(true);
    expect(p.threads.length).toBe(2);
    expect(sessions).toBeLessThanOrEqual(3);
  });
});
