/**
 * Small models for the minimizer and report suites: an allocation-failure bug that needs exactly
 * one injected fault, and a counter whose lost update needs exactly one preemption. Plus a helper
 * that finds a (long, unminimized) failing token with the random strategy.
 * Leaves out: the seed designs (their own suites cover them; the examples suite reuses them).
 */
import { Atomic, type AnyModel, check, choose, defineModel, thread, assert } from '../../src/index.js';

/** Each thread makes `allocs` allocations that may fail; the bug: T0's second allocation failing. */
export const faultyAlloc = defineModel<{ done: Atomic; failed: boolean[] }, { threads: number; allocs: number }>({
  name: 'test/faulty-alloc',
  description: 'the error path of the second allocation of worker 0 forgets to undo the first one',
  scenarios: { default: { threads: 3, allocs: 4 } },
  setup: () => ({ done: new Atomic(0, 'done'), failed: [] }),
  threads: (s, p) => Array.from({ length: p.threads }, (_, t) => thread(`worker${t}`, function* () {
    for (let i = 0; i < p.allocs; i++) {
      const fail = yield* choose(2, `worker${t}: kmalloc #${i} may fail`);
      if (fail === 1 && t === 0 && i === 1) {
        assert(false, 'worker0 returned -ENOMEM without freeing its first buffer', 'worker0: error path of kmalloc #1');
      }
      yield* s.done.add(1, `worker${t}: atomic_inc(&done)`);
    }
  })),
});

/** A token of a failing execution of `model`, found by the random strategy. */
export function failingToken(model: AnyModel, seed: number, scenario?: string): string {
  const r = check(model, { strategy: 'random', seed, maxExecutions: 20_000, ...(scenario !== undefined ? { scenario } : {}) });
  if (!r.finding) throw new Error(`no failing execution of ${model.name} with seed ${seed}`);
  return r.finding.token;
}
