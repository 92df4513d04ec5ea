/**
 * Seed 002 (kiobuf kvmap mmap) models: every expected bug of the posted variant is found by DPOR
 * (or, where DPOR misses it, by DFS within a preemption bound) as a violation of an expected kind,
 * and its token replays to the same kind; every proved scenario of the fixed variant is exhausted by
 * DPOR with no violation and cross-checked by bounded DFS (execution counts are printed);
 * fast-check generates user-process workloads (open / mmap / fork / touch / munmap / mprotect /
 * close, with rmmod never, at the end, racing, or as soon as the count drops to 0) that PCT runs on the fixed variant (no violation)
 * and on the posted one (a failing workload is found, shrunk, and the shrunk one still fails).
 *
 * Posted scenarios usually show several bugs (every rmmod also leaks the kiobuf), so the search
 * keeps exploring past violations until it meets the one the expected bug names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyModel, type ExpectedBug, check, replay } from '../../src/index.js';
import { type Found, findBug } from './find-bug.js';
import { kvmapFixed, kvmapPosted } from '../../models/kiobuf-kvmap/index.js';
import { findModel } from '../../models/index.js';
import type { KvmapParams, UAct } from '../../models/kiobuf-kvmap/state.js';


/** Cross-check bound for DFS (two-procs-fork needs 1 to stay within a few seconds). */
const dfsBound = (sc: string): number => (sc === 'two-procs-fork' ? 1 : 2);

function search(model: AnyModel, bug: ExpectedBug): Found | null {
  return findBug(model, bug, dfsBound(bug.scenario));
}

describe('kiobuf-kvmap/posted: the bugs are found by systematic exploration', () => {
  for (const bug of kvmapPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = search(kvmapPosted, bug);
      expect(f, `${bug.id}: neither DPOR nor DFS found a matching violation`).not.toBeNull();
      const hit = f!;
      console.log(`[kiobuf-kvmap/posted] ${bug.id}: ${hit.v.kind} at execution ${hit.execution} of ${hit.by}: ${hit.v.title}`);
      const again = replay(kvmapPosted, hit.token);
      expect(again.exec.violations.some((v) => v.kind === hit.v.kind && v.message === hit.v.message)).toBe(true);
    });
  }

  it('declares the issue\'s bugs, each on a scenario of the model, and is registered', () => {
    const ids = (kvmapPosted.expectedBugs ?? []).map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining(['nopage-bound', 'unload-races-open', 'unload-after-last-dec', 'exit-leaks-kiobuf']));
    for (const bug of kvmapPosted.expectedBugs ?? []) expect(Object.keys(kvmapPosted.scenarios)).toContain(bug.scenario);
    expect(findModel('kiobuf-kvmap/posted')).toBe(kvmapPosted);
    expect(findModel('kiobuf-kvmap/fixed')).toBe(kvmapFixed);
  });

  it('the default scenario shows the nopage bound on the first check', () => {
    const r = check(kvmapPosted, { strategy: 'dpor' });
    expect(r.scenario).toBe('nopage-bound');
    expect(r.finding?.violation.title).toContain('out-of-bounds in kvmap_nopage');
  });
});

describe('kiobuf-kvmap/fixed: DPOR exhausts the proved scenarios (DFS within a preemption bound agrees)', () => {
  for (const sc of kvmapFixed.provedScenarios ?? []) {
    it(sc, () => {
      const r = check(kvmapFixed, { strategy: 'dpor', scenario: sc, maxExecutions: 20_000 });
      const d = check(kvmapFixed, { strategy: 'dfs', preemptionBound: dfsBound(sc), scenario: sc, maxExecutions: 20_000 });
      console.log(`[kiobuf-kvmap/fixed] ${sc}: ${r.executions} DPOR executions (exhaustive=${r.exhaustive}); DFS(pb ${dfsBound(sc)}) ${d.executions} (exhaustive=${d.exhaustive})`);
      expect(r.finding?.violation ?? null).toBeNull();
      expect(r.exhaustive).toBe(true);
      expect(d.finding?.violation ?? null).toBeNull();
      expect(d.exhaustive).toBe(true);
    });
  }
});

describe('kiobuf-kvmap/fixed: scenarios beyond DPOR\'s budget', () => {
  it('two-procs-fork: no violation in every schedule with at most 1 preemption (DFS, exhaustive within the bound)', () => {
    const d = check(kvmapFixed, { strategy: 'dfs', preemptionBound: 1, scenario: 'two-procs-fork', maxExecutions: 20_000 });
    console.log(`[kiobuf-kvmap/fixed] two-procs-fork: DFS(pb 1) ${d.executions} executions (exhaustive=${d.exhaustive})`);
    expect(d.finding?.violation ?? null).toBeNull();
    expect(d.exhaustive).toBe(true);
  });
});

const simpleAct: fc.Arbitrary<UAct> = fc.oneof(
  fc.constant<UAct>({ op: 'open' }),
  fc.constant<UAct>({ op: 'close' }),
  fc.record({ op: fc.constant('mmap' as const), pages: fc.integer({ min: 1, max: 3 }), pgoff: fc.integer({ min: 0, max: 2 }), shared: fc.boolean(), write: fc.boolean() }),
  fc.record({ op: fc.constant('touch' as const), page: fc.integer({ min: 0, max: 2 }), write: fc.boolean() }),
  fc.record({ op: fc.constant('munmap' as const), page: fc.integer({ min: 0, max: 1 }), pages: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ op: fc.constant('mprotect' as const), page: fc.integer({ min: 0, max: 1 }), pages: fc.integer({ min: 1, max: 2 }), write: fc.boolean() }),
);
const actArb: fc.Arbitrary<UAct> = fc.oneof(
  { weight: 5, arbitrary: simpleAct },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fork' as const), child: fc.array(simpleAct, { maxLength: 2 }) }) },
);
/** A process opens the device first (otherwise nothing reaches the driver) and then does 1-4 things. */
const procArb: fc.Arbitrary<UAct[]> = fc.array(actArb, { minLength: 1, maxLength: 4 }).map((a) => [{ op: 'open' } as UAct, ...a]);

const paramsArb: fc.Arbitrary<KvmapParams> = fc.record({
  dataPages: fc.constant(2),
  kioStaticPages: fc.constant(1),
  ptrsPerPte: fc.constant(1024),
  heapPage: fc.constant(0),
  procs: fc.array(procArb, { minLength: 1, maxLength: 2 }),
  unload: fc.constantFrom<KvmapParams['unload']>('none', 'end', 'concurrent', 'when-idle'),
  failAllocs: fc.constant(false),
  miscFail: fc.boolean(),
});

describe('kiobuf-kvmap: generated workloads under PCT', () => {
  it('fixed: no violation on any generated workload', () => {
    fc.assert(fc.property(paramsArb, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
      const r = check(kvmapFixed, { strategy: 'pct', seed, scenario: p, maxExecutions: 40 });
      expect(r.finding?.violation ?? null).toBeNull();
    }), { numRuns: 30, seed: 3 });
  });

  it('posted: a failing workload is found and shrunk, and the shrunk one still fails', () => {
    const run = (p: KvmapParams): boolean => check(kvmapPosted, { strategy: 'pct', seed: 9, scenario: p, maxExecutions: 60 }).finding === null;
    const out = fc.check(fc.property(paramsArb, run), { numRuns: 60, seed: 13 });
    expect(out.failed).toBe(true);
    const shrunk = out.counterexample?.[0];
    expect(shrunk).toBeDefined();
    console.log(`[kiobuf-kvmap/posted] shrunk failing workload after ${out.numShrinks} shrinks: ${JSON.stringify(shrunk)}`);
    expect(run(shrunk as KvmapParams)).toBe(false);
  });
});
