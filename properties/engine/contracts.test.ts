/**
 * Engine contracts on the litmus models and on tiny purpose-built models: each violation class the
 * engine promises (deadlock with its wait-for cycle, KCSAN data race, broken final check, step
 * bound with the repeating cycle, a thread that throws, choose(0) misuse, nondeterminism on
 * replay) is produced by an explored interleaving, and the correct litmus programs pass
 * exhaustively.
 */
import { describe, expect, it } from 'vitest';
import {
  Atomic, Cell, Mutex, check, choose, defineModel, join, replay, runSchedule, spawn, thread, yieldNow,
} from '../../src/index.js';
import { abba, lostUpdate, messagePassing, messagePassingPlain, storeBuffering } from '../../models/litmus/index.js';

const none = { default: {} } as const;

describe('litmus models under the systematic strategies', () => {
  it('abba deadlocks with a 2-thread wait-for cycle (dfs and dpor)', () => {
    for (const strategy of ['dfs', 'dpor'] as const) {
      const r = check(abba, { strategy });
      const v = r.finding?.violation;
      expect(v?.kind).toBe('deadlock');
      expect(v?.waits?.length).toBe(2);
      const holders = (v?.waits ?? []).map((w) => [w.thread, w.holder]);
      expect(holders.sort()).toEqual([[0, 1], [1, 0]]);
      expect(v?.title).toMatch(/wait-for cycle/);
    }
  });

  it('message passing with release/acquire passes exhaustively; with a plain flag it is a data race', () => {
    for (const strategy of ['dfs', 'dpor'] as const) {
      const ok = check(messagePassing, { strategy });
      expect(ok.finding).toBeNull();
      expect(ok.exhaustive).toBe(true);
      const bad = check(messagePassingPlain, { strategy });
      expect(bad.finding?.violation.kind).toBe('data-race');
      expect(bad.finding?.violation.title).toMatch(/^BUG: KCSAN: data-race/);
    }
  });

  it('lost-update breaks its final check with 2 and 3 threads', () => {
    for (const scenario of ['t2', 't3']) {
      for (const strategy of ['dfs', 'dpor', 'random'] as const) {
        const r = check(lostUpdate, { strategy, scenario, seed: 3 });
        expect(r.finding?.violation.kind).toBe('invariant');
        expect(r.finding?.facts?.['count']).toBeLessThan(scenario === 't2' ? 2 : 3);
      }
    }
  });

  it('store buffering passes under DFS exhaustively (6 interleavings)', () => {
    const r = check(storeBuffering, { strategy: 'dfs' });
    expect(r.finding).toBeNull();
    expect(r.exhaustive).toBe(true);
    expect(r.executions).toBe(6);
  });
});

describe('violation classes from purpose-built models', () => {
  it('a thread spinning forever gives step-bound with the repeating cycle', () => {
    const spin = defineModel({
      name: 'test/spin', scenarios: none, maxSteps: 200,
      setup: () => ({ flag: new Atomic(0, 'flag') }),
      threads: (s) => [
        thread('spinner', function* () { while ((yield* s.flag.load('spin: READ_ONCE(flag)')) === 0) yield* yieldNow('spin: cpu_relax()'); }),
      ],
    });
    const v = check(spin, { strategy: 'dfs' }).finding?.violation;
    expect(v?.kind).toBe('step-bound');
    expect(v?.cycle?.length).toBe(2);
    expect(v?.cycle?.join(' ')).toMatch(/cpu_relax/);
  });

  it('a thread that throws is an exception violation, not a crash', () => {
    const boom = defineModel({
      name: 'test/throws', scenarios: none,
      setup: () => ({ a: new Atomic(0, 'a') }),
      threads: (s) => [thread('t', function* () { yield* s.a.add(1); throw new TypeError('boom'); })],
    });
    const r = check(boom, { strategy: 'dpor' });
    expect(r.finding?.violation.kind).toBe('exception');
    expect(r.finding?.violation.message).toMatch(/TypeError: boom/);
  });

  it('choose(0) is a usage violation', () => {
    const bad = defineModel({
      name: 'test/choose0', scenarios: none, setup: () => ({}),
      threads: () => [thread('t', function* () { yield* choose(0, 'pick'); })],
    });
    for (const strategy of ['dfs', 'dpor', 'random'] as const) {
      const v = check(bad, { strategy }).finding?.violation;
      expect(v?.kind).toBe('usage');
      expect(v?.message).toMatch(/choose\(0\)/);
    }
  });

  it('two atomic loads do not order plain accesses (no release on a load)', () => {
    const m = defineModel({
      name: 'test/load-load', scenarios: none,
      setup: () => ({ a: new Atomic(0, 'a'), c: new Cell(0, 'c') }),
      threads: (s) => [
        thread('reader', function* () { yield* s.a.load('reader: ld a'); yield* s.c.get('reader: r c'); }),
        thread('writer', function* () { yield* s.c.set(1, 'writer: c = 1'); yield* s.a.load('writer: ld a'); }),
      ],
    });
    const kinds: string[] = [];
    const r = check(m, { strategy: 'dfs', continueAfterViolation: true, onExecution: (e) => kinds.push(e.violation?.kind ?? 'none') });
    expect(r.executions).toBe(6);
    expect(kinds).toEqual(Array(6).fill('data-race'));
  });

  it('join orders a child before its parent; without the join the child races', () => {
    const mk = (withJoin: boolean) => defineModel({
      name: withJoin ? 'test/join' : 'test/no-join', scenarios: none,
      setup: () => ({ c: new Cell(0, 'c') }),
      threads: (s) => [thread('parent', function* () {
        const child = yield* spawn(function* () { yield* s.c.set(1, 'child: c = 1'); }, 'child');
        if (withJoin) yield* join(child);
        yield* s.c.get('parent: r c');
      })],
    });
    for (const strategy of ['dfs', 'dpor'] as const) {
      const ok = check(mk(true), { strategy });
      expect(ok.finding).toBeNull();
      expect(ok.exhaustive).toBe(true);
      expect(check(mk(false), { strategy }).finding?.violation.kind).toBe('data-race');
    }
  });
});

describe('nondeterministic models', () => {
  // The first execution after `runs = 0` runs two increments in t0, every later one only one.
  let runs = 0;
  const nondet = defineModel({
    name: 'test/nondet', scenarios: none,
    setup: () => ({ a: new Atomic(0, 'a'), twice: runs++ === 0 }),
    threads: (s) => [
      thread('t0', function* () { yield* s.a.add(1); if (s.twice) yield* s.a.add(1); }),
      thread('t1', function* () { yield* s.a.load(); }),
    ],
  });

  it('replaying a recorded schedule detects a model that keeps state outside setup', () => {
    runs = 0;
    const schedule = { model: nondet.name, hash: nondet.hash, scenario: 'default', strategy: 'test', seed: 0, steps: [0, 0, 1] };
    const kinds = [runSchedule(nondet, schedule), runSchedule(nondet, schedule)].map((r) => r.violation?.kind ?? 'none');
    expect(kinds).toEqual(['none', 'nondeterminism']);
  });

  it('dfs and dpor detect it while replaying their own prefixes', () => {
    for (const strategy of ['dfs', 'dpor'] as const) {
      runs = 0;
      const r = check(nondet, { strategy });
      expect(r.finding?.violation.kind).toBe('nondeterminism');
    }
  });

  it('a token replays through the public replay() to the same violation', () => {
    const r = check(lostUpdate, { strategy: 'dpor', scenario: 't3' });
    const token = r.finding?.token ?? '';
    expect(replay(lostUpdate, token).violation?.kind).toBe('invariant');
  });
});

describe('mutex hand-off', () => {
  it('a mutex-protected counter never loses an update (dpor, exhaustive)', () => {
    const m = defineModel({
      name: 'test/locked-counter', scenarios: none,
      setup: () => ({ m: new Mutex('m'), c: new Cell(0, 'count') }),
      threads: (s) => [0, 1, 2].map((i) => thread(`inc${i}`, function* () {
        yield* s.m.lock();
        const v = yield* s.c.get();
        yield* s.c.set(v + 1);
        yield* s.m.unlock();
      })),
      final: [{ name: 'count is 3', check: (s) => s.c.value === 3 }],
    });
    const r = check(m, { strategy: 'dpor' });
    expect(r.finding).toBeNull();
    expect(r.exhaustive).toBe(true);
    expect(r.executions).toBe(6);
  });
});
