/**
 * Differential property (DESIGN.md §5): on random small programs (2–4 threads, ≤ 6 visible ops
 * each, plain cells, atomics, mutexes, trylock, choose, waits, spawn/join, kfree of a heap block,
 * a final-state assertion, optionally a per-step invariant) DPOR
 * reports a violation iff exhaustive DFS does, finds the same violation kinds, and reaches exactly
 * the same set of final states. Both run to exhaustion (continueAfterViolation) so every trace is
 * compared, not only the first bug.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/index.js';
import type { Json } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';
import { type Program, finalStates, programArb, programModel, programModelStep } from './random-program.js';

interface Outcome { exhaustive: boolean; executions: number; kinds: Set<string>; finals: Set<string> }

function outcome(prog: Program, strategy: 'dfs' | 'dpor', model = programModel): Outcome {
  const key = JSON.stringify(prog);
  finalStates.delete(key);
  const kinds = new Set<string>();
  const r = explore(model, strategy === 'dfs' ? new DfsScheduler() : new DporScheduler(), {
    scenario: prog as unknown as Json, maxExecutions: 1_000_000, continueAfterViolation: true,
    onExecution: (e) => { if (e.violation) kinds.add(e.violation.kind); },
  });
  const finals = finalStates.get(key) ?? new Set<string>();
  finalStates.delete(key);
  return { exhaustive: r.exhaustive, executions: r.executions, kinds, finals };
}

describe('DPOR vs exhaustive DFS on random programs', () => {
  it('same violation verdict, same violation kinds, same final states (200 programs)', () => {
    let withBug = 0;
    let dporRuns = 0;
    let dfsRuns = 0;
    fc.assert(fc.property(programArb(3000), (prog) => {
      const a = outcome(prog, 'dfs');
      const b = outcome(prog, 'dpor');
      expect(a.exhaustive).toBe(true);
      expect(b.exhaustive).toBe(true);
      expect(b.kinds.size > 0).toBe(a.kinds.size > 0);
      expect([...b.kinds].sort()).toEqual([...a.kinds].sort());
      expect([...b.finals].sort()).toEqual([...a.finals].sort());
      expect(b.executions).toBeLessThanOrEqual(a.executions);
      if (a.kinds.size > 0) withBug++;
      dporRuns += b.executions;
      dfsRuns += a.executions;
    }), { numRuns: 200, seed: 0x5eed });
    // The generator must produce both buggy and clean programs, or the property says little.
    expect(withBug).toBeGreaterThan(20);
    expect(withBug).toBeLessThan(200);
    expect(dporRuns).toBeLessThan(dfsRuns);
  });

  it('with a per-step invariant too: intermediate states are not reduced away (100 programs)', () => {
    let invariantBugs = 0;
    fc.assert(fc.property(programArb(1500), (prog) => {
      const a = outcome(prog, 'dfs', programModelStep);
      const b = outcome(prog, 'dpor', programModelStep);
      expect(b.exhaustive).toBe(true);
      expect([...b.kinds].sort()).toEqual([...a.kinds].sort());
      expect([...b.finals].sort()).toEqual([...a.finals].sort());
      if (a.kinds.has('invariant')) invariantBugs++;
    }), { numRuns: 100, seed: 0xb10c });
    expect(invariantBugs).toBeGreaterThan(5);
  });
});
