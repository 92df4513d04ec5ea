// Differential property for lockdep (fast-check): on random programs where each thread nests a few
// spinlocks and releases them in reverse, (1) if some interleaving deadlocks (found with lockdep
// off), lockdep reports a lock-order inversion; (2) if every thread takes its locks in one global
// order, lockdep reports nothing and no interleaving deadlocks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpinlockT, check, defineModel, spin_lock, spin_unlock, thread } from '../../src/index.js';

type Prog = number[][];

function progModel(prog: Prog) {
  return defineModel<{ locks: SpinlockT[] }, Record<string, never>>({
    name: 'linux-test/lockdep-random',
    scenarios: { default: {} },
    setup: () => ({ locks: [0, 1, 2].map((i) => new SpinlockT(`L${i}`)) }),
    threads: (s) => prog.map((seq, t) => thread(`t${t}`, function* () {
      for (const i of seq) yield* spin_lock(s.locks[i] as SpinlockT, `t${t}: lock L${i}`);
      for (let k = seq.length - 1; k >= 0; k--) yield* spin_unlock(s.locks[seq[k] as number] as SpinlockT);
    })),
  });
}

const seqArb = fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 });

function run(prog: Prog, sanitize: boolean) {
  // 2 threads: plain DFS (at most 12 ops); 3 threads: DPOR (exclusive locks only, which it handles).
  return check(progModel(prog), { strategy: prog.length === 2 ? 'dfs' : 'dpor', sanitize, maxExecutions: 50_000 });
}

describe('lockdep vs exhaustive exploration (fast-check)', () => {
  it('every possible deadlock is reported by lockdep as a lock-order inversion', () => {
    let deadlocks = 0;
    fc.assert(fc.property(fc.oneof(fc.array(seqArb, { minLength: 2, maxLength: 2 }), fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }), { minLength: 3, maxLength: 3 })), (prog) => {
      const off = run(prog, false);
      expect(off.exhaustive || off.finding !== null).toBe(true);
      const on = run(prog, true);
      if (off.finding?.violation.kind === 'deadlock') {
        deadlocks++;
        expect(on.finding?.violation.kind).toBe('lock-order');
      }
    }), { numRuns: 80, seed: 42 });
    // The property is not vacuous: the generated programs include deadlocking ones.
    expect(deadlocks).toBeGreaterThan(5);
  });
  it('programs that respect one global lock order are clean, with lockdep on and off', () => {
    const sorted = fc.array(seqArb.map((s) => [...s].sort()), { minLength: 2, maxLength: 2 });
    fc.assert(fc.property(sorted, (prog) => {
      const on = run(prog, true);
      expect(on.finding).toBeNull();
      expect(on.exhaustive).toBe(true);
    }), { numRuns: 60, seed: 42 });
  });
});
