/**
 * Randomized strategies are deterministic given their seed (same seed, same schedules, so a
 * campaign's finding can be re-found), differ across seeds, and keep their defining properties:
 * PCT with depth d preempts at most d - 1 times on programs that never block and calibrates k as
 * the number of steps with more than one enabled thread; POS and random reach every trace of a
 * small program; the portfolio is check()'s default and proves small models exhaustively.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atomic, check, defineModel, makeStrategy, thread } from '../../src/index.js';
import { lastzero, readers, storeBuffering } from '../../models/litmus/index.js';
import { PctScheduler } from '../../src/strategies/pct.js';

/** lastzero-5 has 64 traces: the portfolio's DPOR half (every other run) is not done in 60 runs. */
function schedules(strategy: string, seed: number, runs = 60): string[] {
  const out: string[] = [];
  check(lastzero, { strategy, seed, scenario: { n: 5 }, maxExecutions: runs, onExecution: (e) => { out.push(e.schedule.join('')); } });
  return out;
}

const independent = defineModel<{ c: Atomic[] }, { k: number; n: number }>({
  name: 'test/independent-pct',
  scenarios: { k2n2: { k: 2, n: 2 } },
  setup: (p) => ({ c: Array.from({ length: p.k }, (_, i) => new Atomic(0, `c${i}`)) }),
  threads: (s, p) => Array.from({ length: p.k }, (_, t) => thread(`T${t}`, function* () {
    for (let i = 0; i < p.n; i++) yield* (s.c[t] as Atomic).add(1);
  })),
});

describe('same seed, same schedules', () => {
  for (const strategy of ['random', 'pct', 'pos', 'portfolio']) {
    it(`${strategy}: two runs with seed 42 agree execution by execution; seed 43 differs`, () => {
      const a = schedules(strategy, 42);
      expect(a.length).toBe(60);
      expect(schedules(strategy, 42)).toEqual(a);
      expect(schedules(strategy, 43)).not.toEqual(a);
      expect(new Set(a).size).toBeGreaterThan(1);
    });
  }
});

describe('PCT', () => {
  it('depth d never preempts more than d - 1 times when nothing blocks', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.nat(1000), (k, n, d, seed) => {
      const pre: number[] = [];
      check(independent, { strategy: new PctScheduler(seed, d), scenario: { k, n }, maxExecutions: 40, onExecution: (e) => { pre.push(e.preemptions); } });
      expect(Math.max(...pre)).toBeLessThanOrEqual(d - 1);
      if (d === 1) expect(pre.every((p) => p === 0)).toBe(true);
    }), { numRuns: 40, seed: 11 });
  });

  it('calibrates k as the number of steps with more than one enabled thread', () => {
    for (const [k, n] of [[2, 3], [3, 4], [4, 2]] as const) {
      const r = check(independent, { strategy: new PctScheduler(5, 1), scenario: { k, n }, maxExecutions: 3 });
      // Depth 1 runs each thread to its end: only the last thread's n ops run alone.
      expect(r.stats['k']).toBe((k - 1) * n);
    }
  });

  it('depth 2 finds some preemption on store buffering within 50 executions', () => {
    const pre: number[] = [];
    check(storeBuffering, { strategy: new PctScheduler(9, 2), maxExecutions: 50, onExecution: (e) => { pre.push(e.preemptions); } });
    expect(pre.some((p) => p === 1)).toBe(true);
  });
});

describe('sampling strategies reach every trace of readers-3', () => {
  // A readers-N trace is fixed by which readers read before the writer (thread 0) wrote.
  const traceOf = (schedule: readonly number[]): string => schedule.slice(0, schedule.indexOf(0)).sort().join('');
  for (const strategy of ['random', 'pos', 'pct']) {
    it(`${strategy}: all 8 traces within 300 executions`, () => {
      const seen = new Set<string>();
      check(readers, { strategy, seed: 1, scenario: 'n3', maxExecutions: 300, onExecution: (e) => { seen.add(traceOf(e.schedule)); } });
      expect(seen.size).toBe(8);
    });
  }
});

describe('portfolio', () => {
  it('is the default strategy of check() and proves the litmus models that pass', () => {
    for (const m of [readers, lastzero, storeBuffering]) {
      const r = check(m);
      expect(r.strategy).toBe('portfolio');
      expect(r.finding).toBeNull();
      expect(r.exhaustive).toBe(true);
      // DPOR gets every other execution, so the run is about twice DPOR's.
      const dpor = check(m, { strategy: 'dpor' }).executions;
      expect(r.executions).toBeGreaterThanOrEqual(2 * dpor - 1);
      expect(r.executions).toBeLessThanOrEqual(2 * dpor + 1);
    }
  });

  it('with more threads than DPOR handles, dpor refuses with a UsageError and the portfolio samples on', () => {
    const wide = defineModel({
      name: 'test/wide', scenarios: { default: {} },
      setup: () => ({ a: new Atomic(0, 'a') }),
      threads: (s) => Array.from({ length: 34 }, (_, i) => thread(`t${i}`, function* () { yield* s.a.add(1); })),
      final: [{ name: 'all added', check: (s) => s.a.value === 34 }],
    });
    expect(() => check(wide, { strategy: 'dpor' })).toThrow(/at most 32 threads/);
    const r = check(wide, { maxExecutions: 20 });
    expect(r.finding).toBeNull();
    expect(r.executions).toBe(20);
    expect(r.exhaustive).toBe(false);
  });

  it('registry builds every strategy by name', () => {
    for (const name of ['random', 'pct', 'pos', 'dfs', 'delay', 'dpor', 'portfolio']) expect(makeStrategy(name, { seed: 1 }).name).toBe(name);
    expect(() => makeStrategy('nope')).toThrow(/unknown strategy 'nope'/);
  });
});
