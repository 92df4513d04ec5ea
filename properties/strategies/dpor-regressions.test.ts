// DPOR against exhaustive DFS on the programs where they once disagreed: the two of
// reviews/dpor-disagreements.md (a use-after-free behind a halting race, and final states behind a
// per-step invariant, both exploring past violations), and waits whose condition reads another
// object (declared in `reads`, or not declared at all), which DPOR once treated as reading only
// their own object. Each program is run with continueAfterViolation off and on.
import { describe, expect, it } from 'vitest';
import { type AnyModel, explore } from '../../src/index.js';
import type { Json } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';
import { type Program, finalStates, programModel, programModelStep } from './random-program.js';

interface Out { kinds: string[]; finals: string[]; exhaustive: boolean; first: boolean }

function run(m: AnyModel, prog: Program, strategy: 'dfs' | 'dpor', continueAfterViolation: boolean): Out {
  const key = JSON.stringify(prog);
  finalStates.delete(key);
  const kinds = new Set<string>();
  const r = explore(m, strategy === 'dfs' ? new DfsScheduler() : new DporScheduler(), {
    scenario: prog as unknown as Json, maxExecutions: 1_000_000, continueAfterViolation,
    onExecution: (e) => { for (const v of e.violations) kinds.add(v.kind); },
  });
  const finals = [...(finalStates.get(key) ?? [])].sort();
  finalStates.delete(key);
  return { kinds: [...kinds].sort(), finals, exhaustive: r.exhaustive || r.finding !== null, first: r.finding !== null };
}

function agree(m: AnyModel, prog: Program): void {
  // Exploring past violations: same violation kinds and the same final states.
  const a = run(m, prog, 'dfs', true);
  const b = run(m, prog, 'dpor', true);
  expect(a.exhaustive && b.exhaustive).toBe(true);
  expect(b.kinds).toEqual(a.kinds);
  expect(b.finals).toEqual(a.finals);
  // Stopping at the first violation: DPOR finds one iff DFS does.
  expect(run(m, prog, 'dpor', false).first).toBe(run(m, prog, 'dfs', false).first);
}

describe('DPOR regressions (DPOR must reach what DFS reaches)', () => {
  it('review program 1: a use-after-free behind racing writes that halted executions', () => {
    const prog: Program = { threads: [[['w', 0, 3], ['w', 0, 3]], [['w', 0, 3]], [['rs', 1, [['st', 1, 1]]]], [['fr']]], forbid: [1, 1] };
    agree(programModel, prog);
    expect(run(programModel, prog, 'dpor', true).kinds).toContain('use-after-free');
  });

  it('review program 2: every final state with a per-step invariant', () => {
    const prog: Program = {
      threads: [[['cs', 0, [['ch', 3]]]], [['add', 1, 1], ['add', 0, 2], ['wt', 0, 2]], [['sp', [['ld', 1]]], ['add', 1, 2]]], forbid: [0, 1],
    };
    agree(programModelStep, prog);
    expect(run(programModelStep, prog, 'dpor', true).finals.length).toBe(18);
  });

  for (const w of ['wx', 'wa'] as const) {
    it(`a wait whose condition reads another atomic (${w === 'wx' ? 'declared in reads' : 'undeclared'})`, () => {
      // T1 waits on a0's object until a1 >= 1, then sets a0 = 2 (forbidden). T0 sets a1 = 1 and
      // back to 0: the forbidden state needs T1's wait to run between T0's two stores.
      const prog: Program = { threads: [[['st', 1, 1], ['st', 1, 0]], [[w, 0, 1, 1], ['st', 0, 2]]], forbid: [2, 2] };
      agree(programModel, prog);
      expect(run(programModel, prog, 'dpor', true).kinds).toEqual(['deadlock', 'invariant']);
    });
  }

  for (const w of ['wt', 'wx', 'wa'] as const) {
    it(`a wait enabled, disabled and enabled again before it ran (${w}; kiobuf close-vs-unload's shape)`, () => {
      // T1 waits until a0 >= 1 (on a0's object, or on a1's reading a0: declared or not), then sets
      // a1 = 2. T0 sets a0 = 1, back to 0, reads a1, sets a0 = 1. T0 reads 2 only when T1's wait
      // runs in the first window, between T0's first two stores: from an execution where the wait
      // ran last, no reversal can start (the wait is disabled at every point in between), so DPOR
      // must also try the wait where it was enabled earlier.
      const wait = w === 'wt' ? (['wt', 0, 1] as const) : ([w, 1, 0, 1] as const);
      const prog: Program = { threads: [[['st', 0, 1], ['st', 0, 0], ['ld', 1], ['st', 0, 1]], [wait, ['st', 1, 2]]], forbid: [0, 5] };
      agree(programModel, prog);
      const dfs = run(programModel, prog, 'dfs', true).finals;
      expect(dfs.length).toBeGreaterThan(1);
      expect(run(programModel, prog, 'dpor', true).finals).toEqual(dfs);
    });
  }

  it('long-run seed 14525: a wait left pending at the end of every DPOR execution is tried where it was enabled', () => {
    // Found by the long differential check (npm run test:long): T0 waits until a1 >= 2, which holds
    // only between T2's a1 = 3 and a1 = 1; DPOR left T0 deadlocked in every execution (its probe at
    // the end races only with events where the wait is disabled) while DFS let it pass.
    const prog: Program = { threads: [[['wa', 1, 1, 2], ['w', 0, 3], ['ch', 2]], [['ch', 2], ['ld', 0], ['w', 1, 2]], [['st', 1, 3], ['st', 1, 1], ['ld', 0], ['r', 1]]], forbid: [1, 3] };
    agree(programModel, prog);
    expect(run(programModel, prog, 'dpor', true).finals.length).toBeGreaterThan(0);
  });

  // Two more of that run (seeds 11368, 15131): the window opens only if an earlier op of the
  // waiting thread also runs earlier, before the wait is its pending op.
  const earlier: [number, Program][] = [
    [11368, { threads: [[['cs', 1, [['w', 1, 1]]], ['ch', 2], ['st', 0, 3], ['st', 0, 1], ['r', 1], ['ld', 0]], [['w', 0, 1], ['wa', 1, 0, 2], ['fr']]], forbid: [2, 1] }],
    [15131, { threads: [[['st', 1, 1], ['ch', 2], ['ld', 1]], [['w', 0, 1], ['st', 1, 3], ['ld', 0]], [['st', 0, 1], ['wa', 1, 1, 2], ['add', 0, 2], ['fr']]], forbid: [0, 2] }],
  ];
  for (const [seed, prog] of earlier) {
    it(`long-run seed ${seed}: a pending wait whose window needs its thread's earlier op earlier`, () => {
      agree(programModel, prog);
    });
  }
});
