/**
 * No thread ceiling below 256 (issue 11): a model with 256 threads from the start, and one whose
 * starter spawns 200 threads mid-execution (the engine's per-thread arrays grow and the enabled set
 * switches to scan mode while it runs), explored by random, PCT, POS, DFS with a small preemption
 * bound and delay bounding; every execution's schedule round-trips through a token (thread ids past
 * 255 need 9 bits) and replays strictly to the same schedule; a bug among the high thread ids is
 * found, replayed, minimized and rendered. The limit itself is MAX_THREADS, refused with a one-line
 * error one thread past it.
 * Leaves out: DPOR (its own 32-thread limit is its own affair) and the enabled set's agreement with
 * a recomputation (enabled-set.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  Atomic, Cell, MAX_THREADS, Mutex, type Op, check, decodeToken, defineModel, encodeToken, explore, join, makeStrategy, minimize, op, renderText,
  buildReport, replay, spawn, thread,
} from '../../src/index.js';

interface S { m: Mutex[]; sum: Atomic; flag: Atomic; racy: Cell<number>; workers: number }

/** Lock one of four mutexes, add to the sum, unlock; every 16th thread first waits for the flag. */
function* worker(s: S, i: number, racy: boolean): Generator<Op, void, unknown> {
  if (i % 16 === 15) yield op.wait(s.flag.id, 'wait flag', () => s.flag.value === 1);
  const m = s.m[i % 4] as Mutex;
  yield* m.lock();
  yield* s.sum.add(1);
  yield* m.unlock();
  // The bug: the last two threads write a plain cell without the lock.
  if (racy) yield* s.racy.set(i, 'unlocked write');
}

const setup = (workers: number): S => ({
  m: [0, 1, 2, 3].map((k) => new Mutex(`m${k}`)), sum: new Atomic(0, 'sum'), flag: new Atomic(0, 'flag'), racy: new Cell(0, 'racy'), workers,
});

/** `n` threads from the start; thread 0 sets the flag; with `bug`, the last two race. */
const wide = defineModel<S, { n: number; bug: boolean }>({
  name: 'test/wide-threads',
  scenarios: { n256: { n: 256, bug: false }, n300: { n: 300, bug: false }, bug: { n: 256, bug: true } },
  setup: (p) => setup(p.n - 1),
  threads: (s, p) => [
    thread('setter', function* () { yield* s.flag.store(1); }),
    ...Array.from({ length: p.n - 1 }, (_, i) => thread(`w${i + 1}`, () => worker(s, i + 1, p.bug && i + 1 >= p.n - 2))),
  ],
  final: [{ name: 'every worker added', check: (s) => s.sum.value === s.workers }],
});

/** One starter spawns `n` workers, sets the flag, and joins them all. */
const spawner = defineModel<S, { n: number }>({
  name: 'test/spawned-threads',
  scenarios: { n200: { n: 200 } },
  setup: (p) => setup(p.n),
  threads: (s, p) => [thread('starter', function* () {
    const kids: number[] = [];
    for (let i = 0; i < p.n; i++) kids.push(yield* spawn(() => worker(s, i, false), `k${i}`));
    yield* s.flag.store(1);
    for (const k of kids) yield* join(k);
  })],
  final: [{ name: 'every child added', check: (s) => s.sum.value === s.workers }],
});

const STRATEGIES: readonly [string, Parameters<typeof makeStrategy>[1]][] = [
  ['random', { seed: 3 }], ['pct', { seed: 3, depth: 3 }], ['pos', { seed: 3 }], ['dfs', { preemptionBound: 1 }], ['delay', { delayBound: 2 }],
];

/** Run a few executions; check each one's token round-trips and replays to the same schedule. */
function exploreAndReplay(model: typeof wide | typeof spawner, scenario: string, strategy: string, opts: Parameters<typeof makeStrategy>[1], executions: number): number {
  let maxThread = 0;
  let replayed = 0;
  const sched = makeStrategy(strategy, opts);
  const r = explore(model as typeof wide, sched, {
    scenario, maxExecutions: executions,
    onExecution: (e, i) => {
      for (const t of e.schedule) maxThread = Math.max(maxThread, t);
      if (i > 3 && i !== executions) return;
      const token = encodeToken({ model: model.name, hash: model.hash, scenario, strategy: sched.name, seed: sched.seed, steps: e.schedule });
      expect(decodeToken(token).steps).toEqual(e.schedule);
      const rep = replay(model as typeof wide, token);
      expect(rep.violation).toBeNull();
      expect(rep.exec.schedule).toEqual(e.schedule);
      replayed++;
    },
  });
  expect(r.finding, `${strategy}: ${r.finding?.violation.message ?? ''}`).toBeNull();
  expect(r.executions).toBe(executions);
  expect(replayed).toBeGreaterThanOrEqual(2);
  return maxThread;
}

describe('models with hundreds of threads', () => {
  for (const [name, opts] of STRATEGIES) {
    it(`256 threads from the start under ${name}: runs, tokens round-trip and replay`, () => {
      expect(exploreAndReplay(wide, 'n256', name, opts, 6)).toBe(255);
    }, 60_000);

    it(`200 spawned threads under ${name}: runs, tokens round-trip and replay`, () => {
      // Thread ids 0..200: the starter and its children.
      expect(exploreAndReplay(spawner, 'n200', name, opts, 6)).toBe(200);
    }, 60_000);
  }

  it('300 threads: ids past 255 take 9 bits in the token and still replay', () => {
    expect(exploreAndReplay(wide, 'n300', 'random', { seed: 1 }, 3)).toBe(299);
  }, 60_000);

  it('a race between threads 254 and 255 is found, replayed, minimized and reported', () => {
    for (const strategy of ['random', 'delay', 'portfolio']) {
      const r = check(wide, { strategy, scenario: 'bug', maxExecutions: 50 });
      expect(r.finding?.violation.kind, strategy).toBe('data-race');
      expect([...(r.finding?.violation.threads ?? [])].sort()).toEqual([254, 255]);
      expect(replay(wide, r.finding?.token ?? '').violation?.kind).toBe('data-race');
    }
    const r = check(wide, { strategy: 'random', scenario: 'bug', maxExecutions: 50 });
    const min = minimize(wide, r.finding?.token ?? '', { timeMs: 20_000, scenario: false });
    expect(min.violation.kind).toBe('data-race');
    expect(min.steps).toBeLessThanOrEqual(r.finding?.steps ?? 0);
    const text = renderText(buildReport(wide, min.token));
    expect(text).toContain('T254');
    expect(text).toContain('T255');
  }, 120_000);

  it(`MAX_THREADS (${MAX_THREADS}) threads run; one more is refused in one line`, () => {
    expect(MAX_THREADS).toBeGreaterThanOrEqual(256);
    const flat = (n: number) => defineModel({
      name: `test/flat-${n}`, scenarios: { d: {} },
      setup: () => ({ a: new Atomic(0, 'a') }),
      threads: (s) => Array.from({ length: n }, (_, i) => thread(`t${i}`, function* () { yield* s.a.add(1); })),
      final: [{ name: 'all added', check: (s) => s.a.value === n }],
    });
    const ok = check(flat(MAX_THREADS), { strategy: 'random', maxExecutions: 2 });
    expect(ok.finding).toBeNull();
    // Too many threads from setup: a usage violation naming the limit.
    const over = check(flat(MAX_THREADS + 1), { strategy: 'random', maxExecutions: 1 });
    expect(over.finding?.violation.kind).toBe('usage');
    expect(over.finding?.violation.message).toMatch(new RegExp(`at most ${MAX_THREADS} threads \\(creating 't${MAX_THREADS}'\\)$`));
    // Too many spawned: a usage violation at the spawn that passes the limit, naming it.
    const spawned = check(spawner, { strategy: 'random', scenario: { n: MAX_THREADS }, maxExecutions: 1 });
    expect(spawned.finding?.violation.kind).toBe('usage');
    expect(spawned.finding?.violation.message).toMatch(new RegExp(`at most ${MAX_THREADS} threads \\(creating '`));
    expect(check(spawner, { strategy: 'random', scenario: { n: MAX_THREADS - 1 }, maxExecutions: 1, maxSteps: 100_000 }).finding).toBeNull();
  }, 60_000);
});
