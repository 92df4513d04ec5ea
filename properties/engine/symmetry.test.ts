// Symmetry reduction (src/engine/symmetry.ts): threads declared interchangeable start only in
// creation order. It must cut executions (up to K!) without changing any verdict: the same
// violations as the unreduced exploration on generated programs whose first threads are copies,
// bugs still found, and a false declaration (threads that differ by their id or their code) is a
// usage finding, never an "exhaustive, no violation".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Atomic, type Json, type Model, Mutex, type ThreadSpec, assert, check, defineModel, self, thread,
} from '../../src/index.js';
import { type Program, programArb, programModel } from '../strategies/random-program.js';

interface S { lock: Mutex; users: Atomic; freed: Atomic; order: number[] }

/** K callers: lock; take a user count; unlock; use; lock; drop; unlock (the fixed seed shape). */
function callers(k: number, variant: 'fixed' | 'racy' | 'by-id' | 'by-code'): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `symmetry/${variant}-${k}`,
    scenarios: { default: {} },
    setup: () => ({ lock: new Mutex('lock'), users: new Atomic(0, 'users'), freed: new Atomic(1, 'freed'), order: [] }),
    threads: (s) => Array.from({ length: k }, (_, i) => thread(`caller${i}`, function* () {
      if (variant !== 'racy') yield* s.lock.lock(`caller${i}: lock`);
      const n = yield* s.users.add(1, `caller${i}: get`);
      // The first user allocates (freed = 0), the last one frees (freed = 1).
      if (n === 1) yield* s.freed.store(0, `caller${i}: allocate`);
      if (variant !== 'racy') yield* s.lock.unlock(`caller${i}: unlock`);
      // by-id: only thread 0 checks; by-code: thread 0 runs one op more than the others.
      if (variant === 'by-id' && self() === 0) assert(n === 1, 'caller0 came second');
      if (variant === 'by-code' && i === 0) yield* s.freed.load(`caller${i}: peek freed`);
      assert((yield* s.freed.load(`caller${i}: use`)) === 0, `caller${i} used freed memory`);
      if (variant !== 'racy') yield* s.lock.lock(`caller${i}: lock`);
      const left = yield* s.users.add(-1, `caller${i}: put`);
      if (left === 0) yield* s.freed.store(1, `caller${i}: free`);
      if (variant !== 'racy') yield* s.lock.unlock(`caller${i}: unlock`);
    }, { symmetry: 'caller' })),
  });
}

describe('symmetry reduction for interchangeable threads', () => {
  it('cuts DPOR executions by the orders of starts and keeps the verdict (K = 2..4)', () => {
    let prev = 1;
    for (const k of [2, 3, 4]) {
      const on = check(callers(k, 'fixed'), { strategy: 'dpor', maxExecutions: 100_000 });
      const off = check(callers(k, 'fixed'), { strategy: 'dpor', maxExecutions: 100_000, symmetry: false });
      expect(on.exhaustive && off.exhaustive).toBe(true);
      expect(on.finding?.violation.kind ?? null).toBe(off.finding?.violation.kind ?? null);
      // At least half the K! factor (the gate steps add a few executions of their own).
      prev *= k;
      expect(on.executions * prev / 2, `k=${k}: ${on.executions} vs ${off.executions}`).toBeLessThanOrEqual(off.executions);
    }
  });

  it('a bug of the callers is still found under every strategy', () => {
    // The racy variant: a caller can use the memory after the last put freed it.
    for (const strategy of ['dpor', 'dfs', 'random', 'pct'] as const) {
      const r = check(callers(3, 'racy'), { strategy, maxExecutions: 20_000, seed: 3 });
      expect(r.finding?.violation.kind, strategy).toBe('assertion');
    }
  });

  it('threads that differ by their id or their code are refused, never called exhaustive', () => {
    for (const variant of ['by-id', 'by-code'] as const) {
      for (const strategy of ['dpor', 'dfs'] as const) {
        const r = check(callers(2, variant), { strategy, maxExecutions: 20_000 });
        const usage = r.findings.find((f) => f.violation.kind === 'usage');
        expect(usage?.violation.message, `${variant} ${strategy}`).toContain('are declared interchangeable');
        expect(r.exhaustive).toBe(false);
      }
    }
  });

  it('on generated programs whose first threads are copies, DPOR and DFS find the same violations with symmetry as without', () => {
    const copies = (p: Program, k: number): Program => ({ ...p, threads: [...Array<Program['threads'][number]>(k).fill(p.threads[0] ?? []), ...p.threads.slice(1)] });
    const sym = (k: number): Model<unknown, Json> => defineModel<unknown, Json>({
      ...(programModel as unknown as Model<unknown, Json>),
      name: `symmetry/program-${k}`,
      threads: (s, p) => (programModel as unknown as Model<unknown, Json>).threads(s, p).map((t: ThreadSpec, i) => (i < k ? { ...t, symmetry: 'copy' } : t)),
    });
    const kinds = (r: ReturnType<typeof check>): string => [...new Set(r.findings.map((f) => f.violation.kind))].sort().join(',');
    let compared = 0;
    fc.assert(fc.property(programArb(1000, { maxThreads: 3, maxOps: 4 }), fc.integer({ min: 2, max: 3 }), (p0, k) => {
      const p = copies(p0, k);
      const params = p as unknown as Json;
      const opts = { scenario: params, maxExecutions: 60_000, continueAfterViolation: true } as const;
      for (const strategy of ['dpor', 'dfs'] as const) {
        const ref = check(programModel, { ...opts, strategy, symmetry: false });
        if (!ref.exhaustive) continue;
        compared++;
        const r = check(sym(k), { ...opts, strategy });
        expect(r.findings.filter((f) => f.violation.kind === 'usage').map((f) => f.violation.message), JSON.stringify(p)).toEqual([]);
        expect(kinds(r), `${strategy} ${JSON.stringify(p)}`).toBe(kinds(ref));
        expect(r.exhaustive, strategy).toBe(true);
      }
    }), { numRuns: 15, seed: 11 });
    expect(compared).toBeGreaterThan(15);
  });
});
