/**
 * DFS self-checks (DESIGN.md §5): on k independent threads of n ops each, exhaustive DFS runs
 * exactly (kn)! / (n!)^k executions, each schedule once; with iterative preemption bounding, the
 * executions run within bound b are exactly the interleavings with at most b preemptions, counted
 * here by brute-force enumeration independently of the strategy; and `choose` points multiply
 * the count by their number of values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atomic, check, choose, defineModel, explore, thread } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { interleavings } from './random-program.js';

/** k threads, each doing n atomic increments of its own counter (all ops independent). */
const independent = defineModel<{ c: Atomic[] }, { k: number; n: number; choices?: number }>({
  name: 'test/independent',
  scenarios: { k2n2: { k: 2, n: 2 } },
  setup: (p) => ({ c: Array.from({ length: p.k }, (_, i) => new Atomic(0, `c${i}`)) }),
  threads: (s, p) => Array.from({ length: p.k }, (_, t) => thread(`T${t}`, function* () {
    if (p.choices !== undefined && t === 0) yield* (s.c[t] as Atomic).add(yield* choose(p.choices));
    for (let i = 0; i < p.n; i++) yield* (s.c[t] as Atomic).add(1);
  })),
});

/** Interleavings of k threads × n ops with at most `bound` preemptions, by enumeration. */
function boundedCount(k: number, n: number, bound: number): number {
  const left = Array<number>(k).fill(n);
  let count = 0;
  const go = (last: number, pre: number, remaining: number): void => {
    if (remaining === 0) {
      count++;
      return;
    }
    for (let t = 0; t < k; t++) {
      if (left[t] === 0) continue;
      const p = pre + (last >= 0 && last !== t && (left[last] as number) > 0 ? 1 : 0);
      if (p > bound) continue;
      left[t]!--;
      go(t, p, remaining - 1);
      left[t]!++;
    }
  };
  go(-1, 0, k * n);
  return count;
}

const cases: [number, number][] = [[2, 1], [2, 3], [3, 2], [2, 5], [4, 1], [4, 2], [3, 3]];

describe('DFS counts on independent threads', () => {
  for (const [k, n] of cases) {
    const expected = interleavings(Array<number>(k).fill(n));
    it(`k=${k} n=${n}: ${expected} executions = (kn)!/(n!)^k`, () => {
      const r = check(independent, { strategy: 'dfs', scenario: { k, n }, maxExecutions: 1e6 });
      expect(r.exhaustive).toBe(true);
      expect(r.finding).toBeNull();
      expect(r.executions).toBe(expected);
    });
  }

  it('choose(3) in one thread triples the count (k=2 n=2: 3 x 15)', () => {
    // T0 runs choose, add(choice) and 2 adds (4 ops), T1 2 adds: 6!/(4!2!) = 15 interleavings x 3 values.
    const r = check(independent, { strategy: 'dfs', scenario: { k: 2, n: 2, choices: 3 } });
    expect(r.exhaustive).toBe(true);
    expect(r.executions).toBe(45);
  });

  it('iterative preemption bounding: bound b runs exactly the schedules with <= b preemptions', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.nat(3), (k, n, bound) => {
      const r = check(independent, { strategy: new DfsScheduler(bound), scenario: { k, n }, maxExecutions: 1e6 });
      expect(r.exhaustive).toBe(true);
      expect(r.executions).toBe(boundedCount(k, n, bound));
      const seen = new Set<string>();
      const pre: number[] = [];
      check(independent, {
        strategy: new DfsScheduler(bound), scenario: { k, n }, maxExecutions: 1e6,
        onExecution: (e) => { seen.add(e.schedule.join(',')); pre.push(e.preemptions); },
      });
      expect(seen.size).toBe(r.executions);
      expect(Math.max(...pre)).toBeLessThanOrEqual(bound);
      // Executions come in order of their preemption count (iterative bounding).
      expect(pre).toEqual([...pre].sort((a, b) => a - b));
    }), { numRuns: 20, seed: 7 });
  });

  it('the verdict says "within b preemptions" exactly when the bound cut schedules off', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.nat(4), fc.boolean(), (k, n, bound, small) => {
      const r = check(independent, { strategy: new DfsScheduler(bound, small ? 3 : undefined), scenario: { k, n }, maxExecutions: 1e6 });
      expect(r.exhaustive).toBe(true);
      const cut = boundedCount(k, n, bound) < interleavings(Array<number>(k).fill(n));
      expect(r.within).toBe(cut ? `${bound} preemption${bound === 1 ? '' : 's'}` : undefined);
    }), { numRuns: 40, seed: 3 });
    expect(check(independent, { strategy: 'dfs', scenario: { k: 2, n: 2 } }).within).toBeUndefined();
  });

  it('bound 0 on k threads runs each thread to completion: k! executions', () => {
    const r = check(independent, { strategy: 'dfs', preemptionBound: 0, scenario: { k: 4, n: 3 } });
    expect(r.exhaustive).toBe(true);
    expect(r.executions).toBe(24);
  });
});

describe('DFS with a full prefix queue (bounded memory)', () => {
  for (const [k, n] of [[2, 3], [3, 2], [3, 3]] as const) {
    const expected = interleavings(Array<number>(k).fill(n));
    it(`k=${k} n=${n}: with room for only 5 queued prefixes it switches to deepening and still runs all ${expected} schedules, bound by bound`, () => {
      const sched = new DfsScheduler(undefined, 5);
      const seen = new Set<string>();
      const byBound = new Map<number, number>();
      const r = explore(independent, sched, {
        scenario: { k, n }, maxExecutions: 1e6,
        onExecution: (x) => {
          seen.add(x.schedule.join());
          byBound.set(x.preemptions, (byBound.get(x.preemptions) ?? 0) + 1);
        },
      });
      expect(r.exhaustive).toBe(true);
      expect(r.stats.deepening).toBe(1);
      expect(seen.size).toBe(expected);
      // Every schedule ran; the extra runs are exactly the lower bounds' schedules run again.
      expect(r.executions).toBe(expected + (r.stats.repeats ?? -1));
      expect(r.stats.repeats).toBeGreaterThan(0);
      for (const b of byBound.keys()) expect(b).toBeLessThanOrEqual(r.stats.bound ?? -1);
    });
  }

  it('a preemption bound still limits a deepening run: pb1 runs exactly the schedules with at most 1 preemption', () => {
    const sched = new DfsScheduler(1, 2);
    const seen = new Set<string>();
    const r = explore(independent, sched, { scenario: { k: 3, n: 2 }, maxExecutions: 1e6, onExecution: (x) => { seen.add(x.schedule.join()); expect(x.preemptions).toBeLessThanOrEqual(1); } });
    expect(r.exhaustive).toBe(true);
    expect(r.stats.deepening).toBe(1);
    expect(seen.size).toBe(boundedCount(3, 2, 1));
  });
});
