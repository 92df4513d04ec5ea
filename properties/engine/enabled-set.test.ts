/**
 * The incremental enabled set (src/engine/enabled.ts) against a from-scratch recomputation at every
 * step: on random programs with locks, shared reader sections, trylock, waits, spawn/join and
 * kfree (the strategies' random-program generator), and on models of 31 to 291 threads whose spawns
 * drive the set past 32 threads into its scan mode and past 64 and 256 (where its per-thread arrays
 * grow) mid-execution, with mutexes, a wait and joins.
 * A wrapping scheduler recomputes the set from each thread's pending op, the lock table, the wait
 * conditions and the threads' ends, and records any disagreement with `view.enabled` or
 * `view.isEnabled` before delegating the pick to the random strategy; after the step runs it checks
 * that the set the scheduler saw has not changed (a spawn, a lock hand-off or the switch to scan
 * mode take effect at the next step, as DPOR's `afterStep` expects).
 * Leaves out: strategies' use of the set (their own suites).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Atomic, Execution, Mutex, OpKind, type Op, type Scheduler, type SchedulerView, defineModel, explore, join, makeStrategy, op, spawn, thread,
} from '../../src/index.js';
import { programArb, programModel } from '../strategies/random-program.js';

/** Recompute which threads may run, from scratch. */
function bruteForce(e: Execution): number[] {
  const out: number[] = [];
  for (let t = 0; t < e.threadCount; t++) {
    const o = e.pending(t);
    if (o === undefined) continue;
    let ok = true;
    if (o.kind === OpKind.Acquire) ok = e.lockOwner(o.obj) < 0 && (o.n === 1 || e.lockReaders(o.obj) === 0);
    else if (o.kind === OpKind.Wait) ok = (o.until as () => boolean)();
    else if (o.kind === OpKind.Join) ok = e.threads[o.n ?? -1]?.done ?? true;
    if (ok) out.push(t);
  }
  return out;
}

/** Random picks, checking the view's enabled set at every step. */
class CheckingScheduler implements Scheduler {
  readonly name = 'random';
  readonly seed: number;
  readonly mismatches: string[] = [];
  steps = 0;
  private readonly inner: Scheduler;
  /** The set at this step's pick: it must not change until the next step (afterStep checks). */
  private atPick: number[] = [];
  private threadsAtPick = 0;
  constructor(seed: number) {
    this.seed = seed;
    this.inner = makeStrategy('random', { seed });
  }
  beginExecution(): boolean {
    return this.inner.beginExecution();
  }
  pickThread(view: SchedulerView): number {
    this.steps++;
    const want = bruteForce(view as Execution);
    const got = Array.from(view.enabled.subarray(0, view.enabledCount));
    if (want.join() !== got.join()) this.mismatches.push(`step ${view.stepIndex}: enabled ${got.join()} but should be ${want.join()}`);
    for (let t = -1; t <= view.threadCount; t++) {
      if (view.isEnabled(t) !== want.includes(t)) this.mismatches.push(`step ${view.stepIndex}: isEnabled(${t}) is ${String(view.isEnabled(t))}`);
    }
    this.atPick = want;
    this.threadsAtPick = view.threadCount;
    return this.inner.pickThread(view);
  }
  afterStep(_tid: number, _op: Op, view: SchedulerView): void {
    const got = Array.from(view.enabled.subarray(0, view.enabledCount));
    if (got.join() !== this.atPick.join()) this.mismatches.push(`step ${view.stepIndex - 1}: the enabled list changed within the step to ${got.join()}`);
    for (let t = -1; t <= this.threadsAtPick; t++) {
      if (view.isEnabled(t) !== this.atPick.includes(t)) this.mismatches.push(`step ${view.stepIndex - 1}: isEnabled(${t}) changed within the step`);
    }
  }
  pickValue(n: number, tid: number, view: SchedulerView): number {
    return this.inner.pickValue(n, tid, view);
  }
}

describe('incremental enabled set', () => {
  it('matches a full recomputation at every step of random programs (locks, reader sections, waits, spawn/join, kfree)', () => {
    let steps = 0;
    fc.assert(fc.property(programArb(), fc.nat(1000), (prog, seed) => {
      const s = new CheckingScheduler(seed);
      explore(programModel, s, { scenario: prog as never, maxExecutions: 20, continueAfterViolation: true });
      steps += s.steps;
      expect(s.mismatches.slice(0, 3)).toEqual([]);
    }), { numRuns: 300, seed: 7 });
    expect(steps).toBeGreaterThan(10_000);
  });

  // Initial workers, workers spawned mid-execution, executions: past 32 threads the set switches
  // to scanning mid-execution; past 64 and 256 its per-thread arrays grow mid-execution too.
  const wide: readonly [number, number, number][] = [[30, 8, 200], [60, 20, 60], [250, 40, 8]];
  for (const [n, late, runs] of wide) {
    it(`matches it with ${n + 1} threads growing to ${n + 1 + late} by spawns (mutexes, a wait, joins)`, () => {
      interface S { m: Mutex[]; flag: Atomic; done: Atomic }
      function* worker(s: S, i: number): Generator<Op, void, unknown> {
        const m = s.m[i % 3] as Mutex;
        yield* m.lock();
        yield* s.done.add(1);
        yield* m.unlock();
        if (i % 5 === 0) yield op.wait(s.flag.id, 'wait flag', () => s.flag.value === 1);
      }
      function* starter(s: S, k: number): Generator<Op, void, unknown> {
        const kids: number[] = [];
        for (let i = 0; i < k; i++) kids.push(yield* spawn(() => worker(s, 1000 + i), `late${i}`));
        yield* s.flag.store(1);
        for (const kid of kids) yield* join(kid);
      }
      const model = defineModel<S, { n: number; late: number }>({
        name: 'test/enabled-many', scenarios: { d: { n, late } },
        setup: () => ({ m: [new Mutex('m0'), new Mutex('m1'), new Mutex('m2')], flag: new Atomic(0, 'flag'), done: new Atomic(0, 'done') }),
        threads: (s, p) => [thread('starter', () => starter(s, p.late)), ...Array.from({ length: p.n }, (_, i) => thread(`w${i}`, () => worker(s, i)))],
        final: [{ name: 'every worker ran', check: (s) => s.done.value === n + late }],
      });
      const s = new CheckingScheduler(3);
      const r = explore(model, s, { maxExecutions: runs });
      expect(r.finding).toBeNull();
      expect(r.executions).toBe(runs);
      expect(s.mismatches.slice(0, 3)).toEqual([]);
      expect(s.steps).toBeGreaterThan(runs * 3 * (n + late));
    }, 60_000);
  }
});
