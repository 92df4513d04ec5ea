/**
 * Seed 004 (VCM) models: every expected bug of vcm/posted is found by DPOR as a checker violation
 * of an expected kind (matching its site), and its token replays to the same violation; every
 * proved scenario of vcm/fixed is exhausted by DPOR with no violation (execution counts printed);
 * fast-check generates driver workloads (driver kind, window sizes, failing allocation sites,
 * one to three driver programs) that PCT runs on vcm/fixed (no violation) and on vcm/posted (a
 * failing workload is found, shrunk, and the shrunk workload still fails); the two checks that
 * run at the op instead of after every step (bindings count at a call's return, memory freed while
 * bound at the kfree) catch a core broken that way under DPOR.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atomic_set, check, deref, isValidPtr, replay } from '../../src/index.js';
import { findModel } from '../../models/index.js';
import { vcmFixed, vcmPosted } from '../../models/vcm/index.js';
import type { VcmParams, VcmStep } from '../../models/vcm/scenarios.js';
import { fixedCore } from '../../models/vcm/fixed-core.js';
import { callFree } from '../../models/vcm/posted-core.js';
import { vcmModel } from '../../models/vcm/model.js';
import type { VcmCore } from '../../models/vcm/structs.js';

describe('vcm/posted: the bugs of seed 004 are found by DPOR', () => {
  for (const bug of vcmPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const r = check(vcmPosted, { strategy: 'dpor', scenario: bug.scenario, maxExecutions: 20_000 });
      expect(r.finding, `${bug.id}: DPOR ran ${r.executions} executions without a violation`).not.toBeNull();
      const f = r.finding!;
      console.log(`[vcm/posted] ${bug.id}: ${f.violation.kind} after ${f.execution} DPOR executions: ${f.violation.title}`);
      expect(bug.kinds).toContain(f.violation.kind);
      if (bug.match !== undefined) expect(`${f.violation.title} ${f.violation.message}`).toContain(bug.match);
      const again = replay(vcmPosted, f.token);
      expect(again.violation?.kind).toBe(f.violation.kind);
      expect(again.violation?.message).toBe(f.violation.message);
    });
  }

  it('lists the bugs issue 5 requires, each on a scenario of the model', () => {
    const ids = (vcmPosted.expectedBugs ?? []).map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining(['activation-counter-as-lock', 'make-binding-uninit-res', 'unreserve-err-ptr', 'phys-err-ptr-deref']));
    for (const bug of vcmPosted.expectedBugs ?? []) expect(Object.keys(vcmPosted.scenarios)).toContain(bug.scenario);
  });

  it('the headline bug is an IOMMU fault of a DMA issued after vcm_activate returned 0', () => {
    const r = check(vcmPosted, { strategy: 'dpor', scenario: 'activate-race', maxExecutions: 20_000 });
    const trace = replay(vcmPosted, r.finding!.token).exec.traceOps.map((o) => o.label);
    const faultAt = trace.length - 1;
    expect(trace[faultAt]).toContain('DMA write');
    // Both activators incremented the count (two atomic_inc_return ops) ...
    expect(trace.filter((l) => l.startsWith('vcm_activate: atomic_inc_return')).length).toBe(2);
    // At the fault the count says "active" while the driver has not finished programming.
    expect(r.finding!.facts?.['vcm->activations (atomic_t, posted)']).toBe(2);
    expect(r.finding!.facts?.['vi->active']).toBe(false);
  });

  it('is registered for the CLI under its name, with the headline bug as default scenario', () => {
    expect(findModel('vcm/posted')).toBe(vcmPosted);
    expect(findModel('vcm/fixed')).toBe(vcmFixed);
    expect(vcmPosted.defaultScenario).toBe('activate-race');
  });
});

describe('vcm/fixed: DPOR exhausts the proved scenarios', () => {
  it('proves every scenario the posted variant fails', () => {
    for (const bug of vcmPosted.expectedBugs ?? []) expect(vcmFixed.provedScenarios).toContain(bug.scenario);
  });
  for (const sc of vcmFixed.provedScenarios ?? []) {
    it(sc, () => {
      const r = check(vcmFixed, { strategy: 'dpor', scenario: sc, maxExecutions: 30_000 });
      console.log(`[vcm/fixed] ${sc}: ${r.executions} DPOR executions, exhaustive=${r.exhaustive}, ${r.elapsedMs} ms`);
      expect(r.finding?.violation ?? null).toBeNull();
      expect(r.exhaustive).toBe(true);
    });
  }
});

const programArb: fc.Arbitrary<VcmStep[]> = fc.record({
  take: fc.constantFrom<VcmStep[]>(['make_binding'], ['alloc', 'reserve', 'bind'], ['alloc', 'map']),
  use: fc.boolean(),
}).map(({ take, use }) => (use ? [...take, 'activate', 'dma'] : take));

const paramsArb: fc.Arbitrary<VcmParams> = fc.record({
  driver: fc.constantFrom<VcmParams['driver']>('iommu', 'o2o'),
  iovaPages: fc.integer({ min: 1, max: 4 }),
  ramPages: fc.integer({ min: 1, max: 4 }),
  faults: fc.subarray(['res', 'phys', 'pages', 'iommu_map', 'o2o_phys', 'o2o_res']),
  threads: fc.array(programArb, { minLength: 1, maxLength: 3 }),
});

const violates = (model: typeof vcmPosted, p: VcmParams, seed: number): boolean =>
  check(model, { strategy: 'pct', seed, scenario: p, maxExecutions: 150 }).finding !== null;

describe('vcm: three drivers on one context (beyond DPOR exhaustion) under PCT and random', () => {
  it('vcm/posted: the activation race is found', () => {
    for (const strategy of ['pct', 'random']) {
      const r = check(vcmPosted, { strategy, seed: 3, scenario: 'three-drivers', maxExecutions: 500 });
      expect(r.finding?.violation.kind, `${strategy} found nothing in ${r.executions} executions`).toBe('iommu-fault');
      console.log(`[vcm/posted] three-drivers: ${strategy} found an IOMMU fault after ${r.finding!.execution} executions`);
    }
  });
  it('vcm/fixed: no violation in 300 PCT and 300 random executions', () => {
    for (const strategy of ['pct', 'random']) {
      const r = check(vcmFixed, { strategy, seed: 3, scenario: 'three-drivers', maxExecutions: 300 });
      expect(r.finding?.violation ?? null).toBeNull();
      expect(r.executions).toBe(300);
    }
  });
});

describe('vcm: fast-check generated workloads under PCT', () => {
  it('vcm/fixed never violates', () => {
    fc.assert(fc.property(paramsArb, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
      const r = check(vcmFixed, { strategy: 'pct', seed, scenario: p, maxExecutions: 150 });
      if (r.finding) throw new Error(`${JSON.stringify(p)}: ${r.finding.violation.title}: ${r.finding.violation.message}`);
    }), { seed: 4004, numRuns: 25 });
  });

  it('vcm/posted fails on some workload, which shrinks to a smaller one that still fails', () => {
    const out = fc.check(fc.property(paramsArb, (p) => !violates(vcmPosted, p, 7)), { seed: 4004, numRuns: 60 });
    expect(out.failed).toBe(true);
    const [shrunk] = out.counterexample ?? [];
    expect(shrunk).toBeDefined();
    const p = shrunk as VcmParams;
    console.log(`[vcm/posted] shrunk failing workload after ${out.numShrinks} shrinks: ${JSON.stringify(p)}`);
    expect(violates(vcmPosted, p, 7)).toBe(true);
    expect(p.threads.length).toBeLessThanOrEqual(3);
    const r = check(vcmFixed, { strategy: 'dpor', scenario: p, maxExecutions: 30_000 });
    expect(r.finding?.violation ?? null).toBeNull();
  });

  const racingArb: fc.Arbitrary<VcmParams> = fc.record({
    threads: fc.array(fc.constantFrom<VcmStep[]>(['make_binding'], ['alloc', 'reserve', 'bind'], ['alloc', 'map']), { minLength: 2, maxLength: 3 }),
    iovaPages: fc.integer({ min: 3, max: 4 }),
  }).map(({ threads, iovaPages }) => ({
    driver: 'iommu' as const, iovaPages, ramPages: 4, faults: [],
    threads: threads.map((t) => [...t, 'activate', 'dma', 'barrier'] as VcmStep[]),
  }));

  it('without fault injection, vcm/posted fails on concurrent activators and the shrunk workload still fails', () => {
    const out = fc.check(fc.property(racingArb, (p) => !violates(vcmPosted, p, 11)), { seed: 4005, numRuns: 20 });
    expect(out.failed).toBe(true);
    const p = (out.counterexample ?? [])[0] as VcmParams;
    console.log(`[vcm/posted] shrunk racing workload after ${out.numShrinks} shrinks: ${JSON.stringify(p.threads)}`);
    const r = check(vcmPosted, { strategy: 'pct', seed: 11, scenario: p, maxExecutions: 150 });
    expect(r.finding?.violation.kind).toBe('iommu-fault');
    expect(check(vcmFixed, { strategy: 'pct', seed: 11, scenario: p, maxExecutions: 150 }).finding).toBeNull();
  });
});

describe('vcm: the checks moved out of the per-step invariants still catch a broken core under DPOR', () => {
  const mutant = (name: string, core: VcmCore) => vcmModel({ name: `vcm/${name}`, description: name, core, defaultScenario: 'bind-and-map' });

  it('a vcm_map that loses the bindings count is caught when the call returns', () => {
    const lost: VcmCore = {
      ...fixedCore,
      *vcm_map(vcm, phys, flags) {
        const r = yield* fixedCore.vcm_map(vcm, phys, flags);
        if (isValidPtr(phys)) yield* atomic_set(phys.bindings, 0, 'mutant vcm_map: atomic_set(&phys->bindings, 0)');
        return r;
      },
    };
    const r = check(mutant('mutant-lost-binding', lost), { strategy: 'dpor', scenario: 'bind-and-map', maxExecutions: 2_000 });
    expect(r.finding?.violation.kind).toBe('invariant');
    expect(r.finding?.violation.message).toContain('phys->bindings equals the reservations bound to it');
    expect(r.finding?.violation.sites[0]?.label).toBe('vcm_map() returned');
  });

  it('a vcm_unbind that frees the memory before unbinding is caught at the kfree', () => {
    const early: VcmCore = {
      ...fixedCore,
      *vcm_unbind(res) {
        const p = deref(res, 'mutant vcm_unbind: res').phys.v;
        if (isValidPtr(p)) yield* callFree(p, 'mutant vcm_unbind: phys->free(phys)');
        return yield* fixedCore.vcm_unbind(res);
      },
    };
    const r = check(mutant('mutant-early-free', early), { strategy: 'dpor', scenario: 'bind-and-map', maxExecutions: 2_000 });
    expect(r.finding?.violation.kind).toBe('invariant');
    expect(r.finding?.violation.message).toContain('memory is never freed while bound');
    expect(r.finding?.violation.sites[0]?.label).toContain('kfree(phys)');
  });
});
