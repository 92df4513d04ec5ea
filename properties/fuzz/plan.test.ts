/**
 * Campaign planning: shards run disjoint seeds whatever their number, every target meets every
 * strategy, shard indices come from the flag or the batch system's environment, and bad input
 * (unknown model globs, malformed shards) is a UsageError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/index.js';
import { chunkSpec, resolveShard, selectModels, targetsOf } from '../../src/cli/fuzz/plan.js';

describe('campaign plan', () => {
  it('shards of one campaign never share a seed, and each shard covers every target x strategy', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 }), (shards, targets, nStrat, base) => {
      const strategies = ['a', 'b', 'c', 'd'].slice(0, nStrat);
      const owner = new Map<number, number>();
      for (let i = 0; i < shards; i++) {
        const pairs = new Set<string>();
        for (let n = 0; n < targets * nStrat * 3; n++) {
          const c = chunkSpec(n, targets, strategies, { index: i, count: shards, source: 'flag' }, base);
          expect(owner.get(c.seed) ?? i).toBe(i);
          owner.set(c.seed, i);
          pairs.add(`${c.target}/${c.strategy}`);
        }
        expect(pairs.size).toBe(targets * nStrat);
      }
    }));
  });

  it('chunk specs are a pure function of the chunk number', () => {
    const s = { index: 1, count: 3, source: 'flag' };
    expect(chunkSpec(17, 5, ['x', 'y'], s, 9)).toEqual(chunkSpec(17, 5, ['x', 'y'], s, 9));
    expect(chunkSpec(17, 5, ['x', 'y'], s, 9).seed).toBe(9 + 17 * 3 + 1);
  });

  it('reads the shard from --shard, Kubernetes Indexed Jobs and Slurm arrays', () => {
    expect(resolveShard('2/5', undefined, {})).toMatchObject({ index: 2, count: 5, source: 'flag' });
    expect(resolveShard(undefined, undefined, {})).toMatchObject({ index: 0, count: 1 });
    expect(resolveShard(undefined, 4, { JOB_COMPLETION_INDEX: '3' })).toMatchObject({ index: 3, count: 4, source: 'kubernetes' });
    expect(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '1', MAPCHECK_SHARD_COUNT: '2' })).toMatchObject({ index: 1, count: 2 });
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_COUNT: '3' }))
      .toMatchObject({ index: 2, count: 3, source: 'slurm' });
    // The flag wins over the environment.
    expect(resolveShard('0/2', undefined, { JOB_COMPLETION_INDEX: '1', MAPCHECK_SHARD_COUNT: '2' })).toMatchObject({ index: 0, count: 2 });
  });

  it('rejects malformed or out-of-range shards with a UsageError', () => {
    for (const bad of ['3/3', '1/0', 'x/2', '1-2']) expect(() => resolveShard(bad, undefined, {})).toThrow(UsageError);
    expect(() => resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/shard-count/);
    expect(() => resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '0' })).toThrow(UsageError);
    expect(() => resolveShard(undefined, 3, {})).toThrow(UsageError);
  });

  it('selects models by glob, every scenario of each is a target, unknown globs are refused', () => {
    const lit = selectModels('litmus/*');
    expect(lit.length).toBeGreaterThan(3);
    expect(lit.every((m) => m.name.startsWith('litmus/'))).toBe(true);
    const targets = targetsOf(lit);
    expect(targets.length).toBe(lit.reduce((a, m) => a + Object.keys(m.scenarios).length, 0));
    expect(selectModels('litmus/abba,litmus/abba').map((m) => m.name)).toEqual(['litmus/abba']);
    expect(() => selectModels('no-such-model*')).toThrow(/matches no model/);
  });
});
