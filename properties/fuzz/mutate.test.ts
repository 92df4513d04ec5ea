/**
 * The coverage-guided mutation strategy: deterministic for a seed and a seed list, every schedule
 * it produces is a valid execution, mutants keep a prefix of their seed schedule and differ from
 * it, and on a model with many interleavings it reaches fingerprints its seed alone does not.
 */
import { describe, expect, it } from 'vitest';
import { lastzero, lostUpdate } from '../../models/litmus/index.js';
import { explore } from '../../src/index.js';
import { MutateScheduler } from '../../src/strategies/mutate.js';

function schedules(seed: number, seeds: number[][], n: number, model = lastzero): number[][] {
  const out: number[][] = [];
  explore(model, new MutateScheduler(seed, seeds), { scenario: 'n3', maxExecutions: n, continueAfterViolation: true, onExecution: (r) => void out.push(r.schedule) });
  return out;
}

describe('mutate strategy', () => {
  it('is deterministic given its seed and seed schedules', () => {
    const base = schedules(3, [], 1)[0] as number[];
    expect(schedules(7, [base], 50)).toEqual(schedules(7, [base], 50));
    expect(schedules(7, [base], 50)).not.toEqual(schedules(8, [base], 50));
  });

  it('mutants share a prefix with the seed and most differ from it', () => {
    const base = schedules(3, [], 1)[0] as number[];
    const runs = schedules(11, [base], 200);
    let differ = 0;
    for (const s of runs) {
      let common = 0;
      while (common < s.length && s[common] === base[common]) common++;
      if (common < s.length || s.length !== base.length) differ++;
    }
    expect(differ).toBeGreaterThan(runs.length / 2);
    // Some mutants keep a long prefix (cuts are uniform over the seed).
    const longPrefix = runs.filter((s) => s.slice(0, base.length / 2).join() === base.slice(0, base.length / 2).join());
    expect(longPrefix.length).toBeGreaterThan(0);
  });

  it('reaches new fingerprints from one seed, and finds the lost update from a passing seed', () => {
    const fps = new Set<number>();
    const base = schedules(3, [], 1)[0] as number[];
    explore(lastzero, new MutateScheduler(5, [base]), { scenario: 'n3', maxExecutions: 300, fingerprint: true, continueAfterViolation: true, onExecution: (r) => void fps.add(r.fingerprint) });
    expect(fps.size).toBeGreaterThan(10);
    // A serial (passing) schedule of lost-update t2: T0 runs to completion, then T1.
    const serial: number[] = [];
    explore(lostUpdate, new MutateScheduler(1, []), { maxExecutions: 200, continueAfterViolation: true, onExecution: (r) => { if (!r.violation && serial.length === 0) serial.push(...r.schedule); } });
    expect(serial.length).toBeGreaterThan(0);
    const r = explore(lostUpdate, new MutateScheduler(9, [serial]), { maxExecutions: 200 });
    expect(r.finding?.violation.kind).toBe('invariant');
  });
});
