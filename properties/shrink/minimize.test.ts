import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abba, lostUpdate, messagePassingPlain } from '../../models/litmus/classic.js';
import { decodeToken, replay } from '../../src/index.js';
import { jsonShrinks, jsonSize, minimize, violationSignature } from '../../src/shrink/index.js';
import { failingToken, faultyAlloc } from './fixtures.js';

describe('minimize', () => {
  it('reaches the known optimum of lost-update from any random counterexample, scenario included', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
      const token = failingToken(lostUpdate, seed, 't3');
      const r = minimize(lostUpdate, token);
      // Two threads, load/load/store/store: 4 steps, one preemption.
      expect(JSON.parse(r.scenario)).toEqual({ threads: 2 });
      expect(r.steps).toBe(4);
      expect(r.preemptions).toBe(1);
      expect(r.steps).toBeLessThanOrEqual(r.before.steps);
      const again = replay(lostUpdate, r.token);
      expect(again.violation?.kind).toBe('invariant');
    }), { numRuns: 8 });
  });

  it('keeps the same violation (kind, title and site labels) and never grows the schedule', () => {
    for (const model of [abba, messagePassingPlain, lostUpdate]) {
      for (const seed of [3, 17]) {
        const token = failingToken(model, seed);
        const orig = replay(model, token).violation;
        const r = minimize(model, token);
        expect(orig).not.toBeNull();
        expect(violationSignature(r.violation, model)).toBe(violationSignature(orig!, model));
        expect(r.steps).toBeLessThanOrEqual(r.before.steps);
        expect(r.preemptions).toBeLessThanOrEqual(r.before.preemptions);
        const again = replay(model, r.token).violation;
        expect(again && violationSignature(again, model)).toBe(violationSignature(orig!, model));
      }
    }
  });

  it('finds the two-step ABBA deadlock', () => {
    const r = minimize(abba, failingToken(abba, 5));
    expect(r.violation.kind).toBe('deadlock');
    expect(r.steps).toBe(2);
    expect(r.preemptions).toBe(1);
  });

  it('leaves exactly the one allocation failure the bug needs', () => {
    const token = failingToken(faultyAlloc, 11);
    const before = decodeToken(token);
    const r = minimize(faultyAlloc, token);
    expect(r.before.faults).toBeGreaterThanOrEqual(1);
    expect(r.faults).toBe(1);
    // worker0 alone: kmalloc #0 ok, atomic_inc, kmalloc #1 fails: 3 steps, no other thread needed.
    expect(r.steps).toBe(3);
    expect(JSON.parse(r.scenario)).toEqual({ threads: 1, allocs: 2 });
    expect(r.schedule.steps.length).toBeLessThan(before.steps.length);
  });

  it('with an execution budget the result does not depend on the clock', () => {
    const token = failingToken(faultyAlloc, 23);
    const a = minimize(faultyAlloc, token, { maxRuns: 150, timeMs: 60_000 });
    const b = minimize(faultyAlloc, token, { maxRuns: 150, timeMs: 60_000 });
    expect(a.token).toBe(b.token);
    expect(a.runs).toBeLessThanOrEqual(152);
    const full = minimize(faultyAlloc, token, { timeMs: 60_000 });
    expect(full.runs).toBeGreaterThan(150);
  });

  it('says whether it reached the fixed point: minimizing its own result again changes nothing', () => {
    const token = failingToken(faultyAlloc, 31);
    const full = minimize(faultyAlloc, token, { timeMs: 60_000 });
    expect(full.fixedPoint).toBe(true);
    const again = minimize(faultyAlloc, full.token, { timeMs: 60_000 });
    expect(again.fixedPoint).toBe(true);
    expect([again.steps, again.preemptions, again.faults]).toEqual([full.steps, full.preemptions, full.faults]);
    const starved = minimize(faultyAlloc, token, { maxRuns: 5, timeMs: 60_000 });
    expect(starved.fixedPoint).toBe(false);
  });

  it('accepts only candidates that also pass `keep`', () => {
    const token = failingToken(lostUpdate, 9, 't3');
    const free = minimize(lostUpdate, token);
    expect(JSON.parse(free.scenario)).toEqual({ threads: 2 });
    // Keep every thread of the original scenario: the scenario cannot shrink to two threads.
    const kept = minimize(lostUpdate, token, { keep: (_v, threads) => threads.length === 3 });
    expect(kept.scenario).toBe('t3');
    expect(replay(lostUpdate, kept.token).threadNames).toHaveLength(3);
    expect(() => minimize(lostUpdate, token, { keep: () => false })).toThrow(/keep condition/);
  });

  it('refuses a token that does not fail, and a token of another model, with a usage error', () => {
    const ok = failingToken(lostUpdate, 2);
    expect(() => minimize(abba, ok)).toThrow(/recorded for model/);
    const s = decodeToken(ok);
    // The non-preemptive schedule of lost-update passes.
    expect(() => minimize(lostUpdate, { ...s, steps: [0, 0, 1, 1] })).toThrow(/without a violation/);
  });
});

describe('jsonShrinks', () => {
  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, fc.integer({ min: -50, max: 50 }), fc.boolean(), fc.constant(null),
      fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 })),
  })).v;
  it('only proposes strictly smaller values, and proposes some for every non-minimal value', () => {
    fc.assert(fc.property(json, (v) => {
      const j = v as Parameters<typeof jsonSize>[0];
      const cands = jsonShrinks(j);
      for (const c of cands) expect(jsonSize(c)).toBeLessThan(jsonSize(j));
      if (jsonSize(j) > 0) expect(cands.length).toBeGreaterThan(0);
    }));
  });
});
