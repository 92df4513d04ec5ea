/**
 * Seed 000 (ioremap reuse) models: every expected bug of the posted variant is found (keep-going,
 * DPOR then the portfolio) as a violation of an expected kind at its real site (each bug names the
 * function or symptom text it must show), and its token replays to it; every CI-tier proof of the
 * fixed variants holds (design-suite.ts); every scenario the arbitrary generates (the whole
 * vocabulary: sharing, reuse, zero sizes, low-PA devices, static mappings, the PCI reservation,
 * alloc_vm_area users, bad iounmaps, allocation and ioremap_page_range failures) runs to a verdict
 * on every variant; the fixed variants find nothing under PCT and POS on generated workloads with
 * three or more drivers, two sessions each and failures injected; posted fails one that is shrunk;
 * a scenario the design cannot run is a one-line usage error naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ExpectedBug, type MemType, check, replay } from '../../src/index.js';
import { ioremapFixed, ioremapFixedFresh, ioremapPosted } from '../../models/ioremap-reuse/index.js';
import { DEV1, DEV2, DEV3, DEV_HI, DEV_LOW, type IoSession, type IoremapParams, ioremapScenarios } from '../../models/ioremap-reuse/scenarios.js';
import { findModel } from '../../models/index.js';
import { ciProofs, everyScenarioRunsToVerdict, fixedHoldOnWorkloads, refusalOf, twoFindings } from './design-suite.js';
import { type Found, findBug } from './find-bug.js';

describe('ioremap-reuse/posted: the review\'s bugs are found at their real site (keep-going)', () => {
  const hits = new Map<string, Found | null>();
  const search = (bug: ExpectedBug): Found | null => {
    if (!hits.has(bug.id)) hits.set(bug.id, findBug(ioremapPosted, bug, -1, 300));
    return hits.get(bug.id) ?? null;
  };
  for (const bug of ioremapPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = search(bug);
      expect(f, `${bug.id}: neither DPOR nor the portfolio found a matching violation`).not.toBeNull();
      if (f === null) return;
      console.log(`[ioremap-reuse/posted] ${bug.id}: ${f.v.kind} at execution ${f.execution} of ${f.by}: ${f.v.title}: ${f.v.message.slice(0, 160)}`);
      expect(bug.kinds).toContain(f.v.kind);
      expect(`${f.v.title} ${f.v.message}`).toContain(bug.match);
      const again = replay(ioremapPosted, f.token);
      expect(again.exec.violations.some((v) => v.kind === f.v.kind && v.message === f.v.message)).toBe(true);
    });
  }

  // Bugs a campaign once filed under one signature (same site, same title) are titled by their own
  // failure now: each found witness is its own campaign finding.
  twoFindings(ioremapPosted, [['half-built-low-pa', 'publish-before-map']], search);

  it('every expected bug names a scenario of the model and the site or symptom it must show', () => {
    for (const bug of ioremapPosted.expectedBugs ?? []) {
      expect(Object.keys(ioremapPosted.scenarios)).toContain(bug.scenario);
      expect(bug.match, bug.id).toMatch(/find_vm_area_paddr|vm_area_used_dec/);
    }
    expect((ioremapPosted.expectedBugs ?? []).map((b) => b.id)).toEqual(expect.arrayContaining([
      'morton-race', 'sub-then-read', 'offset-lost', 'static-area-reused', 'pci-io-reservation', 'half-built-low-pa', 'foreign-vm-area', 'map-fail-leak',
    ]));
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

ciProofs([ioremapFixed, ioremapFixedFresh]);

const DEVS = [DEV1, DEV2, DEV3, DEV_HI, DEV_LOW] as const;

const sessionArb = (premappable: boolean): fc.Arbitrary<IoSession> => fc.record({
  paddr: fc.constantFrom(...DEVS),
  size: fc.constantFrom(0, 0x400, 0x800),
  type: fc.constantFrom<MemType>('device', 'wc', 'cached'),
  premapped: premappable ? fc.boolean() : fc.constant(false),
  accesses: fc.integer({ min: 0, max: 1 }),
}).map((s) => (s.premapped && s.size === 0 ? { ...s, size: 0x400 } : s));

const threadArb = (minSessions: number): fc.Arbitrary<{ sessions: IoSession[]; badIounmap: boolean }> => fc.record({
  sessions: fc.tuple(sessionArb(true), fc.array(sessionArb(false), { minLength: minSessions - 1, maxLength: 1 })).map(([a, rest]) => [a, ...rest]),
  badIounmap: fc.boolean(),
});

function paramsArb(minThreads: number, minSessions: number, failures: boolean): fc.Arbitrary<IoremapParams> {
  return fc.record({
    threads: fc.array(threadArb(minSessions), { minLength: minThreads, maxLength: 3 }),
    holder: fc.integer({ min: -1, max: 2 }),
    vmallocThread: fc.boolean(),
    markedReads: fc.boolean(),
    barrier: fc.boolean(),
    staticMaps: fc.constantFrom([], [{ pa: DEV1, pages: 2, type: 'device' as MemType }], [{ pa: DEV3, pages: 1, type: 'wc' as MemType }]),
    pciIoPages: fc.constantFrom(0, 2),
    allocVmAreaThread: fc.boolean(),
    failAllocs: failures ? fc.constant(true) : fc.boolean(),
    failMap: failures ? fc.constant(true) : fc.boolean(),
  }).map((r) => ({
    threads: r.threads.map((t, i) => ({ name: `drv${i}`, sessions: t.sessions, holdUntilOthersDone: i === r.holder, badIounmap: t.badIounmap })),
    vmallocThread: r.vmallocThread, markedReads: r.markedReads, watchResurrection: true, barrier: r.barrier,
    staticMaps: r.staticMaps, pciIoPages: r.pciIoPages, allocVmAreaThread: r.allocVmAreaThread, failAllocs: r.failAllocs, failMap: r.failMap,
  }));
}

describe('ioremap-reuse: generated scenarios', () => {
  it('the arbitrary generates only scenarios the schema and the relation check accept', () => {
    fc.assert(fc.property(paramsArb(1, 1, false), (p) => { expect(refusalOf(ioremapFixed, p)).toBeNull(); }), { numRuns: 200, seed: 5 });
  });
  everyScenarioRunsToVerdict([ioremapPosted, ioremapFixed, ioremapFixedFresh], paramsArb(1, 1, false), 40, 11);
  fixedHoldOnWorkloads([ioremapFixed, ioremapFixedFresh], paramsArb(3, 2, true), '3 drivers x 2 sessions, allocation and ioremap_page_range failures');

  it('posted: a failing workload is found, shrunk, and the shrunk workload still fails', () => {
    const PCT = { strategy: 'pct', depth: 3, seed: 7, maxExecutions: 150 } as const;
    const arb = paramsArb(2, 1, false).map((p) => ({ ...p, staticMaps: [], pciIoPages: 0, allocVmAreaThread: false }));
    const fails = (p: IoremapParams): boolean => check(ioremapPosted, { ...PCT, scenario: p }).finding !== null;
    const out = fc.check(fc.property(arb, (p) => !fails(p)), { numRuns: 40, seed: 42 });
    expect(out.failed).toBe(true);
    const p = out.counterexample?.[0] as IoremapParams;
    const sessions = p.threads.reduce((n, t) => n + t.sessions.length, 0);
    console.log(`[ioremap-reuse/posted] shrunk failing workload: ${p.threads.length} threads, ${sessions} sessions: ${JSON.stringify(p)}`);
    expect(fails(p)).toBe(true);
    expect(sessions).toBeLessThanOrEqual(3);
  });
});

describe('ioremap-reuse: a scenario the design cannot run is a one-line usage error naming the field', () => {
  const base = ioremapScenarios['shared-page'];
  const cases: [string, unknown, RegExp][] = [
    ['a negative size', { ...base, threads: [{ ...base.threads[0], sessions: [{ ...base.threads[0]?.sessions[0], size: -4 }] }] }, /params\.threads\[0\]\.sessions\[0\]\.size: got -4; allowed: a whole number in 0\.\.16384/],
    ['an unknown field', { ...base, vmalocThread: true }, /params: unknown field "vmalocThread" \(fields: threads, vmallocThread/],
    ['a wrong type', { ...base, markedReads: 'yes' }, /params\.markedReads: got "yes"; allowed: true or false/],
    ['an unknown memory type', { ...base, threads: [{ ...base.threads[0], sessions: [{ ...base.threads[0]?.sessions[0], type: 'uc' }] }] }, /type: got "uc"; allowed: one of "device", "wc", "cached"/],
    ['two holders', { ...base, threads: base.threads.map((t) => ({ ...t, holdUntilOthersDone: true })) }, /params\.threads\[1\]\.holdUntilOthersDone: got true; allowed: true for at most one thread/],
    ['accesses outside every device', { ...base, threads: [{ ...base.threads[0], sessions: [{ ...base.threads[0]?.sessions[0], paddr: 0x30000000 }] }] }, /params\.threads\[0\]\.sessions\[0\]\.paddr: got 805306368; allowed: an address with 4 bytes of a device window/],
  ];
  for (const [what, p, re] of cases) {
    it(what, () => {
      const why = refusalOf(ioremapFixed, p);
      expect(why).toMatch(re);
      expect(why?.split('\n')).toHaveLength(1);
    });
  }
});
