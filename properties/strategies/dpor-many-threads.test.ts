/**
 * DPOR past 32 threads (issue 11: no thread ceiling below 256). Its thread sets (thread-set.ts)
 * agree with a plain Set on random operations across the 32-thread word boundary; models of 40 and
 * 256 threads are explored exhaustively with their known Mazurkiewicz trace counts (independent
 * threads: one trace; k threads adding to one atomic among independent ones: k! traces), with the
 * conflicting threads at the highest ids, where only the extra words hold them; random programs
 * (locks, waits, trylock, reader sections, choose, spawn, kfree) whose threads are pushed to ids 37+
 * and 252+ by idle threads (which end without an op) reach under DPOR exactly the violation kinds and final states DFS
 * reaches on the same program without the idle threads; and a bug between threads 254 and 255 is
 * found by DPOR and by the portfolio.
 * Leaves out: MAX_THREADS itself (the engine refuses one more thread for every strategy alike:
 * properties/engine/many-threads.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atomic, Cell, type Json, check, defineModel, explore, thread } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';
import { ThreadSet } from '../../src/strategies/thread-set.js';
import { type Program, finalStates, programArb, programModel } from './random-program.js';

describe('ThreadSet', () => {
  it('agrees with a Set<number> on add/delete/clear/copy/and/andNot/anyOutside/first/next (property)', () => {
    const id = fc.oneof(fc.nat(40), fc.nat(300), fc.constantFrom(0, 31, 32, 63, 64, 255, 256, 4095));
    const cmd = fc.oneof(
      fc.tuple(fc.constant('add' as const), id), fc.tuple(fc.constant('del' as const), id), fc.tuple(fc.constant('clear' as const), fc.constant(0)),
      fc.tuple(fc.constant('copy' as const), fc.constant(0)), fc.tuple(fc.constant('and' as const), fc.constant(0)),
      fc.tuple(fc.constant('andNot' as const), fc.constant(0)), fc.tuple(fc.constant('swap' as const), fc.constant(0)),
    );
    fc.assert(fc.property(fc.array(cmd, { maxLength: 60 }), fc.array(id, { maxLength: 20 }), (cmds, other) => {
      let a = new ThreadSet();
      let b = new ThreadSet();
      let ra = new Set<number>();
      let rb = new Set<number>(other);
      for (const t of other) b.add(t);
      for (const [c, t] of cmds) {
        if (c === 'add') { a.add(t); ra.add(t); }
        if (c === 'del') { a.delete(t); ra.delete(t); }
        if (c === 'clear') { a.clear(); ra.clear(); }
        if (c === 'copy') { a.copy(b); ra = new Set(rb); }
        if (c === 'and') { a.and(b); ra = new Set([...ra].filter((x) => rb.has(x))); }
        if (c === 'andNot') { a.andNot(b); ra = new Set([...ra].filter((x) => !rb.has(x))); }
        if (c === 'swap') { [a, b] = [b, a]; [ra, rb] = [rb, ra]; }
        const want = [...ra].sort((x, y) => x - y);
        expect(a.toArray()).toEqual(want);
        expect(a.isEmpty()).toBe(want.length === 0);
        expect(a.first()).toBe(want[0] ?? -1);
        for (const x of [0, 31, 32, 33, 64, 255, 256, 4095]) {
          expect(a.has(x)).toBe(ra.has(x));
          expect(a.next(x)).toBe(want.find((y) => y >= x) ?? -1);
        }
        const empty = new ThreadSet();
        expect(a.anyOutside(b, empty)).toBe(want.some((x) => !rb.has(x)));
      }
    }), { numRuns: 300, seed: 11 });
  });
});

/** `n` threads, each storing to its own atomic; the last `k` instead add 1 to one shared atomic. */
function crowd(n: number, k: number) {
  return defineModel({
    name: `test/dpor-crowd-${n}-${k}`, scenarios: { d: {} },
    setup: () => ({ own: Array.from({ length: n }, (_, i) => new Atomic(0, `own${i}`)), shared: new Atomic(0, 'shared') }),
    threads: (s) => Array.from({ length: n }, (_, i) => thread(`t${i}`, function* () {
      if (i >= n - k) yield* s.shared.add(1);
      else yield* (s.own[i] as Atomic).store(1);
    })),
    final: [{ name: 'every add landed', check: (s) => s.shared.value === k }],
  });
}

describe('DPOR with 40 and 256 threads: known trace counts', () => {
  for (const n of [40, 256]) {
    for (const [k, traces] of [[0, 1], [2, 2], [3, 6], [4, 24]] as const) {
      it(`${n} threads, ${k} of them (the highest ids) adding to one atomic: ${traces} execution(s), exhaustive`, () => {
        const r = explore(crowd(n, k), new DporScheduler(), { maxExecutions: 1000 });
        expect(r.finding).toBeNull();
        expect(r.exhaustive).toBe(true);
        expect(r.executions).toBe(traces);
        expect(r.stats['sleepBlocked']).toBe(0);
      }, 60_000);
    }
  }

  it('a race between threads 254 and 255 of 256 is found by dpor and by the portfolio', () => {
    const racy = defineModel({
      name: 'test/dpor-racy-256', scenarios: { d: {} },
      setup: () => ({ own: Array.from({ length: 256 }, (_, i) => new Atomic(0, `own${i}`)), c: new Cell(0, 'c') }),
      threads: (s) => Array.from({ length: 256 }, (_, i) => thread(`t${i}`, function* () {
        yield* (s.own[i] as Atomic).store(1);
        if (i >= 254) yield* s.c.set(i, `t${i}: c = ${i}`);
      })),
    });
    for (const strategy of ['dpor', 'portfolio']) {
      const r = check(racy, { strategy, maxExecutions: 50 });
      expect(r.finding?.violation.kind, strategy).toBe('data-race');
      expect([...(r.finding?.violation.threads ?? [])].sort()).toEqual([254, 255]);
    }
  }, 60_000);
});

interface Outcome { exhaustive: boolean; executions: number; kinds: string[]; finals: string[] }

function outcome(prog: Program, strategy: 'dfs' | 'dpor'): Outcome {
  const key = JSON.stringify(prog);
  finalStates.delete(key);
  const kinds = new Set<string>();
  const r = explore(programModel, strategy === 'dfs' ? new DfsScheduler() : new DporScheduler(), {
    // The audit (which re-runs sampled executions) is tested elsewhere; at 256 threads it would
    // cost ten times DPOR's own time here.
    scenario: prog as unknown as Json, maxExecutions: 100_000, continueAfterViolation: true, audit: false,
    onExecution: (e) => { for (const v of e.violations) kinds.add(v.kind); },
  });
  const finals = [...(finalStates.get(key) ?? [])].sort();
  finalStates.delete(key);
  return { exhaustive: r.exhaustive, executions: r.executions, kinds: [...kinds].sort(), finals };
}

describe('DPOR on random programs whose threads sit past id 32 (idle threads first) vs DFS without them', () => {
  for (const [idle, runs] of [[37, 150], [252, 60]] as const) {
    it(`${idle} idle threads: same violation kinds and final states as DFS (${runs} programs)`, () => {
      let withBug = 0;
      fc.assert(fc.property(programArb(1500), (prog) => {
        const a = outcome(prog, 'dfs');
        const b = outcome({ ...prog, idle, idleOps: false }, 'dpor');
        expect(a.exhaustive).toBe(true);
        expect(b.exhaustive).toBe(true);
        expect(b.kinds).toEqual(a.kinds);
        expect(b.finals).toEqual(a.finals);
        if (a.kinds.length > 0) withBug++;
      }), { numRuns: runs, seed: 0x1d1e + idle });
      expect(withBug).toBeGreaterThan(0);
    }, 300_000);
  }
});
