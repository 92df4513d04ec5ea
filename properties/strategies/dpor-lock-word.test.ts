/**
 * DPOR and reads of a lock word: `spin_is_locked()` is a read of the lock object, and an acquire
 * of the lock by another thread does not commute with it (before the acquire it reads "free",
 * after it "held"). DPOR must reverse that pair as exhaustive DFS does; the random programs of
 * dpor-differential.test.ts never read a lock word, so this regression test does (the litmus test
 * MP+polockonce+poacquiresilsil of tools/memory-model reads one twice).
 * Leaves out: mutex_is_locked and rwlocks (the same read of the lock object).
 */
import { describe, expect, it } from 'vitest';
import { SpinlockT, WRITE_ONCE, Field, READ_ONCE, defineModel, explore, spin_is_locked, spin_lock, spin_unlock, thread } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';

const finals = new Set<string>();
const model = defineModel<{ l: SpinlockT; x: Field<number>; seen: number[] }, Record<string, never>>({
  name: 'test/lock-word',
  scenarios: { default: {} },
  setup: () => ({ l: new SpinlockT('l'), x: new Field(0, 'x'), seen: [] }),
  threads: (s) => [
    thread('reader', function* () {
      s.seen.push((yield* spin_is_locked(s.l)) ? 1 : 0);
      s.seen.push(yield* READ_ONCE(s.x));
      s.seen.push((yield* spin_is_locked(s.l)) ? 1 : 0);
    }),
    thread('locker', function* () {
      yield* spin_lock(s.l);
      yield* WRITE_ONCE(s.x, 1);
      yield* spin_unlock(s.l);
    }),
  ],
  final: [{ name: 'record', check: (s) => { finals.add(s.seen.join(',')); return true; } }],
});

function outcomes(dpor: boolean): string[] {
  finals.clear();
  const r = explore(model, dpor ? new DporScheduler() : new DfsScheduler(), { maxExecutions: 10_000 });
  expect(r.exhaustive).toBe(true);
  return [...finals].sort();
}

describe('DPOR: spin_is_locked against lock acquires', () => {
  it('reaches every outcome DFS reaches, including "held" seen between the acquire and the release', () => {
    const dfs = outcomes(false);
    expect(dfs).toContain('1,0,1');
    expect(dfs).toContain('0,1,0');
    expect(outcomes(true)).toEqual(dfs);
  });
});
