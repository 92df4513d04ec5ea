/**
 * Seed 004 (VCM) models: every expected bug of vcm/posted is found (DPOR, then bounded DFS, then the
 * portfolio, in keep-going mode) as a violation of an expected kind matching its site, and its token
 * replays to it; every stated proof of vcm/fixed is exhaustive with no violation; vcm/fixed passes
 * every scenario with no finding at all, and on the misuse scenarios both variants answer the
 * caller with the WARNs the API documents (kept in the model's facts: misuse is not a finding);
 * fast-check generates driver workloads (one or two contexts, sharing memory and reservations,
 * reuse, misuse, failing allocation sites, up to four drivers) that always run to a verdict, that vcm/fixed survives under PCT and POS, and on which vcm/posted fails (shrunk, the
 * shrunk workload still fails); bad scenario JSON is refused with one line; the per-thread checks
 * still catch a broken core under DPOR.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyModel, Execution, type ExpectedBug, atomic_set, check, deref, isValidPtr, makeStrategy, proofsOf, replay, scenarioParams } from '../../src/index.js';
import { findModel } from '../../models/index.js';
import { vcmFixed, vcmPosted } from '../../models/vcm/index.js';
import { MISUSE_STEPS, type VcmParams, type VcmStep } from '../../models/vcm/scenarios.js';
import { fixedCore } from '../../models/vcm/fixed-core.js';
import { callFree, vcm_free as postedFree } from '../../models/vcm/posted-core.js';
import { vcmModel } from '../../models/vcm/model.js';
import type { VcmCore } from '../../models/vcm/structs.js';
import { fixedHolds, proofSuite, runsToVerdict, refusalOf } from './design-suite.js';
import { type Found, findBug } from './find-bug.js';

const misuses = (p: VcmParams): boolean => p.threads.some((t) => t.some((x) => MISUSE_STEPS.includes(x)));

/** One search per expected bug (the headline test reuses the activation race's). */
const found = new Map<string, Found | null>();
function search(bug: ExpectedBug): Found | null {
  if (!found.has(bug.id)) found.set(bug.id, findBug(vcmPosted, bug, 2));
  return found.get(bug.id) ?? null;
}

describe('vcm/posted: the bugs of seed 004 are found at their sites', () => {
  for (const bug of vcmPosted.expectedBugs ?? []) {
    it(`${bug.id} in scenario ${bug.scenario}`, () => {
      const f = search(bug);
      expect(f, `${bug.id}: no matching violation`).not.toBeNull();
      const hit = f!;
      console.log(`[vcm/posted] ${bug.id}: ${hit.v.kind} at execution ${hit.execution} of ${hit.by}: ${hit.v.title}`);
      const again = replay(vcmPosted, hit.token);
      expect(again.exec.violations.some((v) => v.kind === hit.v.kind && v.message === hit.v.message)).toBe(true);
    });
  }

  it('lists the bugs of the review, each on a scenario of the model and matched on a site', () => {
    const ids = (vcmPosted.expectedBugs ?? []).map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining([
      'activation-counter-as-lock', 'make-binding-uninit-res', 'unreserve-err-ptr', 'phys-err-ptr-deref',
      'shared-free-warns-and-leaks', 'shared-map-vs-free', 'bind-one-res-race', 'destroy-null-deactivate',
    ]));
    for (const bug of vcmPosted.expectedBugs ?? []) {
      expect(Object.keys(vcmPosted.scenarios)).toContain(bug.scenario);
      expect(bug.match, bug.id).toBeDefined();
    }
  });

  it('the headline bug is an IOMMU fault of a DMA issued after vcm_activate returned 0', () => {
    const bug = (vcmPosted.expectedBugs ?? []).find((b) => b.id === 'activation-counter-as-lock')!;
    const f = search(bug)!;
    const trace = replay(vcmPosted, f.token).exec.traceOps.map((o) => o.label);
    // Both activators incremented the count (two atomic_inc_return ops) before the fault ...
    expect(trace.filter((l) => l.startsWith('vcm_activate: atomic_inc_return')).length).toBe(2);
    // ... and the faulting DMA is the second activator's, issued while the driver was still programming.
    expect(trace.some((l) => l.includes('DMA write'))).toBe(true);
  });

  it('is registered for the CLI under its name, with the headline bug as default scenario', () => {
    expect(findModel('vcm/posted')).toBe(vcmPosted);
    expect(findModel('vcm/fixed')).toBe(vcmFixed);
    expect(vcmPosted.defaultScenario).toBe('activate-race');
  });
});

describe('vcm/fixed: the stated proofs', () => {
  proofSuite(vcmFixed);

  it('proves three concurrent drivers and reuse, and no proof is a single execution', () => {
    const shape = (sc: string) => vcmFixed.scenarioShape!(vcmFixed.scenarios[sc] as VcmParams);
    const proofs = proofsOf(vcmFixed);
    expect(proofs.some((p) => shape(p.scenario).threads >= 3)).toBe(true);
    expect(proofs.some((p) => (vcmFixed.scenarios[p.scenario] as VcmParams).threads.some((t) => t.includes('undo')))).toBe(true);
    for (const p of proofs) expect(p.executions ?? 0, p.scenario).toBeGreaterThan(1);
  });
});

/**
 * The kernel's answers to the misuse of one execution of `scenario` (the WARNs its misuse steps
 * earned, as the model's inspect facts list them), from a run with the facts observed.
 */
function misuseAnswers(model: AnyModel, scenario: string | VcmParams, seed: number): string {
  const { params } = scenarioParams(model, scenario);
  const sched = makeStrategy('random', { seed });
  sched.beginExecution();
  const r = new Execution().run(model, sched, { params, observe: true, keepGoing: true });
  return String(r.facts?.['kernel answers to caller misuse'] ?? '');
}

describe('vcm/fixed passes every scenario of its design', () => {
  for (const [sc, p] of Object.entries(vcmFixed.scenarios as Record<string, VcmParams>)) {
    it(`${sc}${misuses(p) ? ' (misuse: WARNed about, not a finding)' : ''}`, () => {
      const r = check(vcmFixed, { strategy: 'pct', seed: 5, scenario: sc, maxExecutions: 150, keepGoing: true });
      expect(r.findings.map((f) => `${f.violation.title}: ${f.violation.message}`)).toEqual([]);
    });
  }

  // The misuse steps run inside misuse(): their WARNs are the kernel's answer to the caller, kept in
  // the model's facts, where both variants must show the ones the API documents.
  const documented: [string, VcmStep, string][] = [
    ['o2o-activation-leak', 'leak_activation', 'vcm_destroy: WARN_ON('],
    ['zero-sizes', 'make_binding0', 'vcm_make_binding: WARN_ON(!vcm || !size || size & ~PAGE_MASK)'],
  ];
  for (const [sc, step, warn] of documented) {
    for (const m of [vcmFixed, vcmPosted]) {
      it(`${m.name} ${sc}: the misuse (${step}) is WARNed about (${warn}...)`, () => {
        expect((m.scenarios[sc] as VcmParams).threads.some((t) => t.includes(step))).toBe(true);
        for (const seed of [1, 2, 3]) expect(misuseAnswers(m, sc, seed), 'the misuse is WARNed about').toContain(warn);
      });
    }
  }

  it('a driver that deactivates once more than it activated: its own later deactivate WARNs as the answer, not a finding', () => {
    const p: VcmParams = { driver: 'iommu', iovaPages: 4, ramPages: 4, faults: [], threads: [['make_binding', 'activate', 'dma', 'extra_deactivate']] };
    const r = check(vcmFixed, { strategy: 'dpor', scenario: p, maxExecutions: 100, keepGoing: true });
    expect(r.findings.map((f) => f.violation.title)).toEqual([]);
    expect(misuseAnswers(vcmFixed, p, 1)).toContain('vcm_deactivate: WARN_ON(!vcm->activation_count)');
  });

  it('a correct caller earns no misuse answer', () => {
    expect(misuseAnswers(vcmFixed, 'doc-share', 1)).toBe('');
  });
});

/** A driver program: how it gets a buffer, whether it uses it, and what else it does. */
const takeArb = fc.constantFrom<VcmStep[]>(['make_binding'], ['alloc', 'reserve', 'bind'], ['alloc', 'map'], ['reserve'], ['alloc']);
const programArb: fc.Arbitrary<VcmStep[]> = fc.record({
  take: takeArb,
  use: fc.boolean(),
  reuse: fc.boolean(),
  misuse: fc.constantFrom<VcmStep[]>([], [], [], ['make_binding0'], ['alloc0'], ['reserve0'], ['leak_activation'], ['extra_deactivate']),
}).map(({ take, use, reuse, misuse }) => [
  ...take, ...(use ? ['activate', 'dma'] as VcmStep[] : []), ...(reuse && take.includes('map') ? ['undo', 'map', 'dma'] as VcmStep[] : []), ...misuse,
]);

/** Workloads: one or two contexts, 1-4 drivers, optionally the first sharing its memory with the others. */
export const vcmParamsArb: fc.Arbitrary<VcmParams> = fc.record({
  driver: fc.constantFrom<VcmParams['driver']>('iommu', 'o2o'),
  second: fc.boolean(),
  iovaPages: fc.integer({ min: 1, max: 6 }),
  ramPages: fc.integer({ min: 1, max: 6 }),
  faults: fc.subarray(['res', 'phys', 'pages', 'iommu_map', 'o2o_phys', 'o2o_res']),
  threads: fc.array(programArb, { minLength: 1, maxLength: 4 }),
  share: fc.boolean(),
  ctxPick: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 4 }),
}).map(({ driver, second, iovaPages, ramPages, faults, threads, share, ctxPick }) => {
  const progs = threads.map((t) => [...t]);
  if (share && progs.length >= 2) {
    progs[0] = [...(progs[0] ?? []), 'publish'];
    for (let i = 1; i < progs.length; i++) progs[i] = ['take', 'map', 'activate', 'dma', ...(progs[i] ?? []).filter((x) => x !== 'undo')];
  }
  const other: VcmParams['driver'] = driver === 'iommu' ? 'o2o' : 'iommu';
  return {
    driver, iovaPages, ramPages, faults, threads: progs,
    ...(second ? { second: other, threadCtx: progs.map((_, i) => ctxPick[i] ?? 0) } : {}),
  };
});

/** Workloads without misuse, at least three drivers, failure injection on (the long-test shape). */
const busyArb: fc.Arbitrary<VcmParams> = vcmParamsArb
  .map((p) => ({ ...p, threads: p.threads.map((t) => t.filter((x) => !MISUSE_STEPS.includes(x))), faults: p.faults.length ? p.faults : ['res', 'pages'] }))
  .filter((p) => p.threads.length >= 3);

describe('vcm: generated workloads', () => {
  it('every generated workload passes validation and runs to a verdict on both variants', () => {
    fc.assert(fc.property(vcmParamsArb, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
      expect(() => scenarioParams(vcmFixed as AnyModel, JSON.stringify(p))).not.toThrow();
      runsToVerdict([vcmPosted, vcmFixed], p, seed);
    }), { seed: 4006, numRuns: 40 });
  });

  it('vcm/fixed survives them under PCT and POS (misuse WARNs are answers to the caller, not findings)', () => {
    fixedHolds(vcmFixed, vcmParamsArb, { seed: 4004, numRuns: 12, executions: 40 });
  });

  it('vcm/fixed survives three or more drivers with failure injection under PCT and POS', () => {
    fixedHolds(vcmFixed, busyArb, { seed: 4007, numRuns: 6, executions: 40 });
  });

  it('vcm/posted fails on some workload, which shrinks to a smaller one that still fails', () => {
    const violates = (p: VcmParams): boolean => check(vcmPosted, { strategy: 'pct', seed: 7, scenario: p, maxExecutions: 150 }).finding !== null;
    const out = fc.check(fc.property(vcmParamsArb, (p) => !violates(p)), { seed: 4004, numRuns: 60 });
    expect(out.failed).toBe(true);
    const p = (out.counterexample ?? [])[0] as VcmParams;
    console.log(`[vcm/posted] shrunk failing workload after ${out.numShrinks} shrinks: ${JSON.stringify(p)}`);
    expect(violates(p)).toBe(true);
  });
});

describe('vcm: scenario validation', () => {
  const good = vcmFixed.scenarios['doc-share'] as VcmParams;
  const bad: [string, unknown, RegExp][] = [
    ['negative window', { ...good, iovaPages: -1 }, /params\.iovaPages: got -1; allowed: a whole number in 0\.\.30/],
    ['unknown field', { ...good, colour: 'red' }, /params: unknown field "colour"/],
    ['wrong type', { ...good, threads: 'all' }, /params\.threads: got "all"; allowed: an array/],
    ['unknown step', { ...good, threads: [['fly']] }, /params\.threads\[0\]\[0\]: got "fly"; allowed: one of "make_binding"/],
    ['take without publish', { ...good, threads: [['take', 'map']] }, /'take' without 'publish'/],
    ['a shared reservation released before its takers are done', { ...good, threads: [['reserve', 'publish_res'], ['alloc', 'take_res', 'bind']] },
      /'publish_res' without 'join_others'/],
    ['two IOMMU contexts', { ...good, driver: 'iommu', second: 'iommu' }, /one IOMMU and one one-to-one context/],
  ];
  for (const [what, p, msg] of bad) {
    it(`refuses ${what} with one line naming the field`, () => {
      const why = refusalOf(vcmFixed as AnyModel, p);
      expect(why).toMatch(msg);
      expect(why).not.toContain('\n');
    });
  }

  it('accepts every named scenario', () => {
    for (const p of Object.values(vcmFixed.scenarios)) expect(() => scenarioParams(vcmFixed as AnyModel, p as VcmParams)).not.toThrow();
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

  it('the fixed core with the posted vcm_free (no kref) uses shared memory after the free again', () => {
    const noKref: VcmCore = { ...fixedCore, vcm_free: postedFree };
    const r = check(mutant('mutant-no-kref', noKref), { strategy: 'dpor', scenario: 'share-map-vs-free', maxExecutions: 5_000, keepGoing: true });
    expect(r.findings.some((f) => f.violation.kind === 'use-after-free')).toBe(true);
  });
});
