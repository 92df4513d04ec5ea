/**
 * Delay bounding (src/strategies/delay.ts) against a brute-force enumeration of delay-bounded
 * schedules (delay-bounded.ts): within bound k it runs exactly the schedules with at most k delays,
 * each once, cheaper ones first; bounds are monotone; `choose` values are explored at every bound
 * without costing a delay; the memory-bounded deepening mode reaches the same set; every schedule
 * replays from its token; and the CLI-facing verdict says "within k delays" exactly when the bound
 * cut something off.
 * Leaves out: time to first bug on the seed models (delay-seeds.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check, decodeToken, encodeToken, explore, replay } from '../../src/index.js';
import { DelayScheduler } from '../../src/strategies/delay.js';
import { type Enumerated, enumerate, progModel } from './delay-bounded.js';

/** The enumeration of a program small enough to enumerate. */
function schedulesOf(progs: readonly string[], bound: number): Enumerated[] {
  const r = enumerate(progs, bound);
  if (r === null) throw new Error('too many schedules to enumerate');
  return r;
}

interface Run {
  readonly schedules: string[];
  /** The most preemptions (engine's count) of any schedule run. */
  readonly maxPreemptions: number;
  readonly exhaustive: boolean;
  readonly within: string | undefined;
  readonly repeats: number;
}

function runDelay(progs: readonly string[], bound: number | undefined, queueCap?: number, maxExecutions = 100_000): Run {
  const sched = new DelayScheduler(bound, queueCap);
  const schedules: string[] = [];
  let maxPreemptions = 0;
  const r = explore(progModel, sched, {
    scenario: { progs: [...progs] }, maxExecutions, continueAfterViolation: true,
    onExecution: (e) => {
      schedules.push(e.schedule.join(','));
      maxPreemptions = Math.max(maxPreemptions, e.preemptions);
    },
  });
  return { schedules, maxPreemptions, exhaustive: r.exhaustive, within: r.within, repeats: sched.stats()['repeats'] ?? 0 };
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const costOf = (all: readonly Enumerated[]): Map<string, number> => new Map(all.map((e) => [e.schedule, e.delays]));

/** Random small programs: 2-3 threads of well-nested lock sections, independent ops, chooses and a spawn. */
const progsArb = fc.array(
  fc.array(fc.constantFrom('x', 'x', 'AxaL', 'BxbL', 'ABbaL', 'BAabL', '2', 'S'), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join('').replace(/L/g, '')),
  { minLength: 2, maxLength: 3 },
);

describe('delay bounding counts', () => {
  const independent: [string, readonly string[]][] = [
    ['2 threads x 3 ops', ['xxx', 'xxx']],
    ['3 threads x 2 ops', ['xx', 'xx', 'xx']],
    ['4 threads x 1 op', ['x', 'x', 'x', 'x']],
    ['3 threads x 3 ops', ['xxx', 'xxx', 'xxx']],
  ];
  for (const [what, progs] of independent) {
    it(`${what}: bound k runs exactly the schedules with <= k delays (k = 0..4), each once`, () => {
      const total = schedulesOf(progs, Infinity).length;
      const steps = progs.join('').length;
      const multisets = (k: number): number => { let c = 1; for (let i = 1; i <= k; i++) c = (c * (steps + i - 1)) / i; return c; };
      let below = 0;
      for (let k = 0; k <= 4; k++) {
        const want = schedulesOf(progs, k).map((e) => e.schedule);
        // Exactly k delays: at most the ways of placing k delays on the steps (delay.ts header).
        expect(want.length - below).toBeLessThanOrEqual(multisets(k));
        below = want.length;
        const got = runDelay(progs, k);
        expect(new Set(got.schedules).size).toBe(got.schedules.length);
        expect(sorted(got.schedules)).toEqual(sorted(want));
        expect(got.exhaustive).toBe(true);
        // "within k delays" only when the bound left some schedule out.
        expect(got.within).toBe(want.length < total ? `${k} delay${k === 1 ? '' : 's'}` : undefined);
      }
    });
  }

  it('2 threads x 1 op: the base schedule and one delay (closed form)', () => {
    expect(runDelay(['x', 'x'], 0).schedules).toEqual(['0,1']);
    expect(runDelay(['x', 'x'], 1).schedules).toEqual(['0,1', '1,0']);
  });

  it('4 independent threads of one op, unbounded: all 4! = 24 interleavings, each once, exhaustive without a bound', () => {
    const got = runDelay(['x', 'x', 'x', 'x'], undefined);
    expect(got.schedules).toHaveLength(24);
    expect(got.exhaustive).toBe(true);
    expect(got.within).toBeUndefined();
  });

  it('random programs with locks, deadlocks, chooses and spawns: the same set as the enumeration, cheapest first', () => {
    fc.assert(fc.property(progsArb, fc.integer({ min: 0, max: 3 }), (progs, k) => {
      const all = enumerate(progs, Infinity, 3000);
      fc.pre(all !== null);
      if (all === null) return;
      const cost = costOf(all);
      const want = all.filter((e) => e.delays <= k).map((e) => e.schedule);
      const got = runDelay(progs, k);
      expect(new Set(got.schedules).size).toBe(got.schedules.length);
      expect(sorted(got.schedules)).toEqual(sorted(want));
      const costs = got.schedules.map((s) => cost.get(s) as number);
      for (let i = 1; i < costs.length; i++) expect(costs[i]).toBeGreaterThanOrEqual(costs[i - 1] as number);
      expect(got.exhaustive).toBe(true);
      expect(got.within !== undefined).toBe(want.length < all.length);
      // A preemption costs a delay: within k delays is within k preemptions (docs/soundness.md).
      expect(got.maxPreemptions).toBeLessThanOrEqual(k);
      // Unbounded: every schedule, each once.
      const full = runDelay(progs, undefined);
      expect(sorted(full.schedules)).toEqual(sorted(all.map((e) => e.schedule)));
      expect(full.exhaustive).toBe(true);
    }), { numRuns: 150, seed: 11 });
  });

  it('bounds are monotone: the schedules of bound k are those of bound k + 1 with <= k delays, run first', () => {
    const progs = ['xAxa', 'Axxa', 'x2x'];
    let prev: string[] = [];
    for (let k = 0; k <= 5; k++) {
      const got = runDelay(progs, k).schedules;
      expect(got.length).toBeGreaterThanOrEqual(prev.length);
      expect(got.slice(0, prev.length)).toEqual(prev);
      prev = got;
    }
    expect(prev.length).toBeGreaterThan(runDelay(progs, 0).schedules.length);
  });

  it('choose values are explored at every bound, at no delay: bound 0 runs one schedule per value combination', () => {
    const got = runDelay(['2x', '3x'], 0);
    expect(sorted(got.schedules)).toEqual(sorted(schedulesOf(['2x', '3x'], 0).map((e) => e.schedule)));
    expect(got.schedules).toHaveLength(6);
  });

  it('past its queue cap it deepens from the root: the same schedules, the cheaper ones re-run and counted', () => {
    const progs = ['xAxa', 'Axxa', 'xx'];
    for (const k of [2, 3, undefined]) {
      const want = schedulesOf(progs, k ?? Infinity).map((e) => e.schedule);
      const got = runDelay(progs, k, 4);
      expect(sorted([...new Set(got.schedules)])).toEqual(sorted(want));
      expect(got.schedules.length - new Set(got.schedules).size).toBe(got.repeats);
      expect(got.repeats).toBeGreaterThan(0);
      expect(got.exhaustive).toBe(true);
    }
  });

  it('a budget that ends exactly on the last schedule still reports exhaustive', () => {
    const n = schedulesOf(['xx', 'xx'], 2).length;
    const r = explore(progModel, new DelayScheduler(2), { scenario: { progs: ['xx', 'xx'] }, maxExecutions: n });
    expect(r.executions).toBe(n);
    expect(r.exhaustive).toBe(true);
    const short = explore(progModel, new DelayScheduler(2), { scenario: { progs: ['xx', 'xx'] }, maxExecutions: n - 1 });
    expect(short.exhaustive).toBe(false);
  });
});

describe('delay bounding replay', () => {
  it('every schedule it runs replays from its token to the same schedule and outcome', () => {
    const progs = ['ABba', 'BAab', 'x2'];
    const scenario = JSON.stringify({ progs });
    let runs = 0;
    explore(progModel, new DelayScheduler(3), {
      scenario: { progs }, maxExecutions: 10_000, continueAfterViolation: true,
      onExecution: (e) => {
        runs++;
        const token = encodeToken({ model: progModel.name, hash: progModel.hash, scenario, strategy: 'delay', seed: 0, steps: e.schedule });
        const r = replay(progModel, token);
        expect(r.exec.schedule).toEqual(e.schedule);
        expect(r.violation?.kind ?? null).toBe(e.violation?.kind ?? null);
      },
    });
    expect(runs).toBeGreaterThan(20);
  });

  it("a finding's token names the strategy, and check() takes delayBound", () => {
    const r = check(progModel, { strategy: 'delay', delayBound: 2, scenario: { progs: ['ABba', 'BAab'] } });
    expect(r.finding?.violation.kind).toBe('deadlock');
    expect(decodeToken(r.finding?.token ?? '').strategy).toBe('delay');
    // The deadlock needs a delay: T0 runs A then B to completion at bound 0.
    expect(r.finding?.execution).toBeGreaterThan(1);
    const clean = check(progModel, { strategy: 'delay', delayBound: 1, scenario: { progs: ['xx', 'Axa'] } });
    expect(clean.finding).toBeNull();
    expect(clean.exhaustive).toBe(true);
    expect(clean.within).toBe('1 delay');
  });

  it('a bound that is not a whole number >= 0 is a usage error, for delay and DFS alike', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => check(progModel, { strategy: 'delay', delayBound: bad })).toThrow(/delayBound must be a whole number >= 0/);
      expect(() => check(progModel, { strategy: 'dfs', preemptionBound: bad })).toThrow(/preemptionBound must be a whole number >= 0/);
    }
  });

  it('a model that diverges on replay is reported as nondeterministic, not explored on', () => {
    // From the second execution on, thread 0 takes mutex B where the first execution saw A.
    let runs = 0;
    const flaky = { ...progModel, threads: (s: never, p: { progs: string[] }) => progModel.threads(s, { progs: runs++ === 0 ? p.progs : ['xBb', 'x'] }) };
    const r = explore(flaky as typeof progModel, new DelayScheduler(2), { scenario: { progs: ['xAa', 'x'] }, maxExecutions: 100 });
    expect(r.finding?.violation.kind).toBe('nondeterminism');
    expect(r.exhaustive).toBe(false);
  });
});
