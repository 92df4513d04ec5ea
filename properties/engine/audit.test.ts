// The run's audit (src/engine/audit.ts): a model that is not deterministic is never called
// exhaustive, under any strategy (DPOR included); a model that shares state the checker cannot see
// (a JavaScript variable written after ops on different objects) breaks DPOR's independence, which
// the audit notices, and check() then explores with DFS and finds what DPOR alone would miss.
// Deterministic models with honest ops are never flagged (the whole suite runs with the audit on).
import { describe, expect, it } from 'vitest';
import { Atomic, type Model, check, defineModel, thread } from '../../src/index.js';

interface S { a: Atomic; b: Atomic; ghost: number[]; coin: number }

const coin: Model<S, Record<string, never>> = defineModel<S, Record<string, never>>({
  name: 'audit/math-random',
  scenarios: { default: {} },
  setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b'), ghost: [], coin: Math.random() < 0.5 ? 1 : 2 }),
  threads: (s) => [thread('T0', function* () { yield* s.a.add(s.coin); })],
  final: [{ name: 'a is 1', check: (s) => s.a.value === 1 || s.a.value === 2 }],
});

let counter = 0;
const moduleState: Model<S, Record<string, never>> = defineModel<S, Record<string, never>>({
  name: 'audit/module-counter',
  scenarios: { default: {} },
  setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b'), ghost: [], coin: counter++ }),
  threads: (s) => [thread('T0', function* () { yield* s.a.add(1); }), thread('T1', function* () { yield* s.b.add(1); })],
});

// Two threads log into a shared JavaScript array right after ops on different atomics, and the
// final check reads the order: DPOR treats the two ops as independent and runs one order only.
const ghost: Model<S, Record<string, never>> = defineModel<S, Record<string, never>>({
  name: 'audit/ghost-state',
  scenarios: { default: {} },
  setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b'), ghost: [], coin: 0 }),
  threads: (s) => [
    thread('T0', function* () { yield* s.a.add(1); s.ghost.push(0); }),
    thread('T1', function* () { yield* s.b.add(1); s.ghost.push(1); }),
  ],
  final: [{ name: 'T0 logged first', check: (s) => s.ghost[0] === 0 }],
});

describe('the audit', () => {
  for (const strategy of ['dpor', 'dfs', 'portfolio', 'random', 'pct'] as const) {
    it(`${strategy}: a Math.random() model is reported nondeterministic, never exhaustive (20 runs)`, () => {
      for (let i = 0; i < 20; i++) {
        const r = check(coin, { strategy, maxExecutions: 200, seed: i + 1 });
        expect(r.exhaustive).toBe(false);
        expect(r.finding?.violation.kind).toBe('nondeterminism');
      }
    });
  }

  it('state kept between executions (a module-level counter in setup) is nondeterminism', () => {
    const r = check(moduleState, { strategy: 'dpor', maxExecutions: 100 });
    expect(r.finding?.violation.kind).toBe('nondeterminism');
    expect(r.finding?.violation.message).toContain('setup()');
  });

  it('DPOR alone would call the ghost-state model clean; the audit sends the run to DFS, which finds the bug', () => {
    const blind = check(ghost, { strategy: 'dpor', maxExecutions: 100, audit: false });
    expect(blind.finding).toBeNull();
    expect(blind.exhaustive).toBe(true);
    const r = check(ghost, { strategy: 'dpor', maxExecutions: 100 });
    expect(r.brokenAssumption).toContain('shares state the checker cannot see');
    expect(r.notes.join(' ')).toContain('explored with dfs instead');
    expect(r.finding?.violation.kind).toBe('invariant');
  });

  it('an honest model passes every audit and stays exhaustive', () => {
    const honest = defineModel<S, Record<string, never>>({
      ...ghost,
      name: 'audit/honest',
      threads: (s) => [thread('T0', function* () { yield* s.a.add(1); }), thread('T1', function* () { yield* s.b.add(1); })],
      final: [],
    });
    const r = check(honest, { strategy: 'dpor', maxExecutions: 100 });
    expect(r.exhaustive).toBe(true);
    expect(r.audits).toBeGreaterThan(0);
    expect(r.brokenAssumption).toBeNull();
  });
});
