/**
 * Optimal-DPOR at the level of Mazurkiewicz traces (Abdulla et al., POPL 2014, Theorem 7.x: one
 * execution per trace, none sleep-set blocked), checked against exhaustive DFS with the trace
 * recorder of mazurkiewicz.ts, which reduces every execution to its trace.
 *
 * 1. Programs without blocking whose control flow depends on values read (atomics plus `if`, the
 *    lastzero pattern that makes source-DPOR run sleep-set-blocked executions): DPOR runs exactly
 *    one execution per trace DFS reaches, every trace, none blocked.
 * 2. Programs with locks, trylocks, reader sections, waits, choose and `if`, where Optimal-DPOR's
 *    assumptions fail and it falls back (dpor-node.ts): DPOR still reaches every trace DFS reaches,
 *    with the same violation kinds and final states; only sleep-blocked executions are redundant.
 * Leaves out: programs whose violations halt executions (plain-cell races, use-after-free): the
 *    differential test (dpor-differential.test.ts) covers them by verdicts and final states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/index.js';
import type { Json } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';
import { TraceRecorder } from './mazurkiewicz.js';
import { type POp, type Program, finalStates, interleavings, opCount, programModel } from './random-program.js';

const atomic = (values: number): fc.Arbitrary<POp> => fc.oneof(
  fc.tuple(fc.constant('ld' as const), fc.nat(1)),
  fc.tuple(fc.constant('st' as const), fc.nat(1), fc.integer({ min: 1, max: values })),
  fc.tuple(fc.constant('add' as const), fc.nat(1), fc.integer({ min: 1, max: 2 })),
);

/** Branch on a value read: which ops follow depends on the interleaving. */
const branch = (body: fc.Arbitrary<POp>): fc.Arbitrary<POp> =>
  fc.tuple(fc.constant('if' as const), fc.nat(1), fc.nat(2), fc.array(body, { maxLength: 2 }), fc.array(body, { maxLength: 2 }));

function programs(op: fc.Arbitrary<POp>, maxOps: number, limit: number, forbid: fc.Arbitrary<readonly [number, number]>): fc.Arbitrary<Program> {
  return fc.record({
    threads: fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }),
    forbid,
  }).filter((p) => p.threads.every((t) => opCount(t) <= maxOps) && interleavings(p.threads.map(opCount)) <= limit);
}

const valueDependent = programs(
  fc.oneof({ weight: 3, arbitrary: atomic(3) }, { weight: 2, arbitrary: branch(atomic(3)) }),
  5, 1500, fc.constant([0, 9] as const),
);

const blocking = ((): fc.Arbitrary<Program> => {
  const inner = fc.oneof(atomic(2), fc.tuple(fc.constant('ch' as const), fc.constant(2)));
  return programs(fc.oneof(
    { weight: 3, arbitrary: inner },
    { weight: 2, arbitrary: fc.tuple(fc.constant('wt' as const), fc.nat(1), fc.integer({ min: 1, max: 2 })) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('cs' as const), fc.nat(1), fc.array(inner, { maxLength: 2 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('try' as const), fc.nat(1), fc.array(inner, { maxLength: 1 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('rs' as const), fc.nat(1), fc.array(inner, { maxLength: 1 })) },
    { weight: 1, arbitrary: branch(inner) },
  ), 7, 2000, fc.tuple(fc.nat(3), fc.integer({ min: 0, max: 3 })));
})();

interface Run { executions: number; blocked: number; traces: string[]; kinds: string[]; finals: string[]; exhaustive: boolean }

function run(prog: Program, strategy: 'dfs' | 'dpor'): Run {
  const key = JSON.stringify(prog);
  finalStates.delete(key);
  const rec = new TraceRecorder(strategy === 'dfs' ? new DfsScheduler() : new DporScheduler());
  const kinds = new Set<string>();
  const r = explore(programModel, rec, {
    scenario: prog as unknown as Json, maxExecutions: 1_000_000, continueAfterViolation: true,
    onExecution: (e) => { if (e.violation) kinds.add(e.violation.kind); },
  });
  const finals = [...(finalStates.get(key) ?? [])].sort();
  finalStates.delete(key);
  return { executions: r.executions, blocked: r.stats['sleepBlocked'] ?? 0, traces: rec.traces, kinds: [...kinds].sort(), finals, exhaustive: r.exhaustive };
}

describe('Optimal-DPOR: one execution per Mazurkiewicz trace', () => {
  let traces = 0;
  it('value-dependent programs without blocking: exactly the traces DFS reaches, each once, none blocked (150 programs)', () => {
    fc.assert(fc.property(valueDependent, (prog) => {
      const all = new Set(run(prog, 'dfs').traces);
      const d = run(prog, 'dpor');
      expect(d.exhaustive).toBe(true);
      expect(d.blocked).toBe(0);
      expect(new Set(d.traces)).toEqual(all);
      expect(d.executions).toBe(all.size);
      traces += all.size;
    }), { numRuns: 150, seed: 0x0907 });
    expect(traces).toBeGreaterThan(1000);
  });
});

describe('DPOR with locks, waits, trylock, reader sections, choose: every trace, same verdicts', () => {
  it('reaches every trace DFS reaches; same violation kinds and final states; redundant runs only sleep-blocked (150 programs)', () => {
    let blocked = 0;
    let deadlocks = 0;
    fc.assert(fc.property(blocking, (prog) => {
      const a = run(prog, 'dfs');
      const b = run(prog, 'dpor');
      expect(b.exhaustive).toBe(true);
      const all = new Set(a.traces);
      expect(new Set(b.traces)).toEqual(all);
      expect(b.kinds).toEqual(a.kinds);
      expect(b.finals).toEqual(a.finals);
      expect(b.executions - b.blocked).toBe(all.size);
      blocked += b.blocked;
      if (a.kinds.includes('deadlock')) deadlocks++;
    }), { numRuns: 150, seed: 0xb10c4 });
    expect(deadlocks).toBeGreaterThan(10);
    console.log(`[dpor-optimal] blocking programs: ${blocked} sleep-blocked executions over 150 programs`);
  });
});
