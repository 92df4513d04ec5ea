/**
 * Throughput benchmark (issue 2, Performance): the same two workloads measured side by side in one
 * process — 3 threads x 20 atomic increments, and 8 threads x 100 lock/unlock pairs — run by
 * (a) a bare generator-resume loop with a trivial random pick (the limit for JavaScript),
 * (b) mapcheck's random strategy with every check on (happens-before clocks, KASAN object checks,
 *     step bound, schedule recording),
 * (c) fast-check's `fc.scheduler()` running the same workload as async tasks,
 * and, for scale, (a') the model's own thread code (the `yield*` into mapcheck's primitives) driven
 * by the bare loop with no engine at all: the most any engine over this model API can reach.
 * Each figure is the best of several rounds (least disturbed by the shared machine).
 * Leaves out: absolute targets; it prints ratios measured in the same run.
 */
import fc from 'fast-check';
import { Mutex as AsyncMutex } from 'async-mutex';
import { Atomic, Execution, Mutex, type Op, OpKind, Rng, type ThreadGen, defineModel, explore, makeStrategy, thread } from '../src/index.js';

export interface Workload {
  readonly name: string;
  readonly threads: number;
  readonly opsPerThread: number;
  readonly locks: boolean;
}

export const WORKLOADS: readonly Workload[] = [
  { name: '3 threads x 20 atomic incs', threads: 3, opsPerThread: 20, locks: false },
  { name: '8 threads x 100 lock/unlock', threads: 8, opsPerThread: 100, locks: true },
];

/** (a) Bare loop: generators that yield once per op; a lock is an owner variable. */
export function bareStepsPerSec(w: Workload, budgetMs: number): number {
  const rng = new Rng(1);
  let owner = -1;
  let counter = 0;
  function* incs(): Generator<number, void, unknown> {
    for (let i = 0; i < w.opsPerThread; i++) {
      yield 0;
      counter++;
    }
  }
  function* locker(id: number): Generator<number, void, unknown> {
    for (let i = 0; i < w.opsPerThread; i++) {
      yield 1; // acquire: enabled only when free
      owner = id;
      yield 2;
      owner = -1;
    }
  }
  const gens: Generator<number, void, unknown>[] = [];
  const pend: number[] = [];
  const enabled = new Int32Array(w.threads);
  let steps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budgetMs) {
    for (let r = 0; r < 200; r++) {
      gens.length = 0;
      pend.length = 0;
      owner = -1;
      for (let i = 0; i < w.threads; i++) {
        const g = w.locks ? locker(i) : incs();
        const x = g.next();
        gens.push(g);
        pend.push(x.done ? -1 : x.value);
      }
      for (;;) {
        let n = 0;
        for (let i = 0; i < w.threads; i++) {
          const p = pend[i] as number;
          if (p >= 0 && (p !== 1 || owner < 0)) enabled[n++] = i;
        }
        if (n === 0) break;
        const i = enabled[rng.below(n)] as number;
        const x = (gens[i] as Generator<number, void, unknown>).next();
        pend[i] = x.done ? -1 : x.value;
        steps++;
      }
    }
    t = performance.now();
  }
  if (counter < 0) throw new Error('unreachable');
  return steps / ((t - t0) / 1000);
}

interface WState { a: Atomic; m: Mutex }

/*
 * Thread bodies are module-level generator functions, reached through a cheap arrow: V8 gives every
 * new generator *closure* its own prototype object and map on first call (~1.5 us each), so a
 * `function*` written inline in `threads()` costs that per thread per execution. README ("Writing
 * a model") recommends this form; `inlineClosures` keeps the other form measurable.
 */
function* incrementer(s: WState, n: number): Generator<Op, void, unknown> {
  for (let k = 0; k < n; k++) yield* s.a.add(1, 'atomic_inc');
}

function* locker(s: WState, n: number): Generator<Op, void, unknown> {
  for (let k = 0; k < n; k++) {
    yield* s.m.lock('lock');
    yield* s.m.unlock('unlock');
  }
}

/** The same workload as a mapcheck model (`inlineClosures`: bodies written as inline function*). */
export function workloadModel(w: Workload, inlineClosures = false) {
  return defineModel<WState, { t: number; n: number }>({
    name: `bench/${w.locks ? 'locks' : 'atomics'}${inlineClosures ? '-inline' : ''}`,
    scenarios: { default: { t: w.threads, n: w.opsPerThread } },
    setup: () => ({ a: new Atomic(0, 'counter'), m: new Mutex('m') }),
    threads: (s, p) => Array.from({ length: p.t }, (_, i) => thread(`t${i}`, inlineClosures
      ? (w.locks
        ? function* () {
          for (let k = 0; k < p.n; k++) {
            yield* s.m.lock('lock');
            yield* s.m.unlock('unlock');
          }
        }
        : function* () {
          for (let k = 0; k < p.n; k++) yield* s.a.add(1, 'atomic_inc');
        })
      : (w.locks ? () => locker(s, p.n) : () => incrementer(s, p.n)))),
  });
}

/**
 * (a') The workload model's threads driven by a bare loop: setup, thread bodies, the primitives'
 * `yield*` steps, a random pick among threads that may run (a lock op only when it is free), and
 * nothing else — no enabled-set bookkeeping, schedule, clocks or checks.
 */
export function modelFloorStepsPerSec(w: Workload, budgetMs: number): number {
  const model = workloadModel(w);
  const exec = new Execution();
  const rng = new Rng(1);
  const params = { t: w.threads, n: w.opsPerThread };
  const gens: ThreadGen[] = [];
  const pend: (Op | undefined)[] = [];
  const enabled = new Int32Array(w.threads);
  let steps = 0;
  const saved = Execution.current;
  Execution.current = exec;
  const t0 = performance.now();
  let t = t0;
  try {
    while (t - t0 < budgetMs) {
      for (let r = 0; r < 200; r++) {
        exec.objects.reset();
        const state = model.setup(params);
        gens.length = 0;
        pend.length = 0;
        let owner = -1;
        for (const spec of model.threads(state, params)) {
          const g = spec.body();
          const x = g.next();
          gens.push(g);
          pend.push(x.done ? undefined : x.value);
        }
        for (;;) {
          let n = 0;
          for (let i = 0; i < gens.length; i++) {
            const p = pend[i];
            if (p !== undefined && (p.kind !== OpKind.Acquire || owner < 0)) enabled[n++] = i;
          }
          if (n === 0) break;
          const i = enabled[rng.below(n)] as number;
          const p = pend[i] as Op;
          if (p.kind === OpKind.Acquire) owner = i;
          else if (p.kind === OpKind.Release) owner = -1;
          const x = (gens[i] as ThreadGen).next(undefined);
          pend[i] = x.done ? undefined : x.value;
          steps++;
        }
      }
      t = performance.now();
    }
  } finally {
    Execution.current = saved;
  }
  return steps / ((t - t0) / 1000);
}

/** (b) mapcheck random strategy with every check on. */
export function mapcheckStepsPerSec(w: Workload, budgetMs: number, strategy = 'random', sanitize = true, inlineClosures = false): number {
  const model = workloadModel(w, inlineClosures);
  const sched = makeStrategy(strategy, { seed: 1 });
  let steps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budgetMs) {
    const r = explore(model, sched, { maxExecutions: 200, sanitize });
    steps += r.steps;
    if (r.finding) throw new Error(`bench workload failed: ${r.finding.violation.message}`);
    t = performance.now();
  }
  return steps / ((t - t0) / 1000);
}

/** (c) fast-check's scheduler: each op is one scheduled promise. */
export async function fastCheckStepsPerSec(w: Workload, budgetMs: number): Promise<number> {
  let steps = 0;
  const t0 = performance.now();
  let t = t0;
  let seed = 1;
  while (t - t0 < budgetMs) {
    const scheds = fc.sample(fc.scheduler(), { numRuns: 20, seed: seed++ });
    for (const s of scheds) {
      let counter = 0;
      const mutex = new AsyncMutex();
      const tasks: Promise<void>[] = [];
      for (let i = 0; i < w.threads; i++) {
        tasks.push((async () => {
          for (let k = 0; k < w.opsPerThread; k++) {
            if (w.locks) {
              await s.schedule(Promise.resolve());
              const release = await mutex.acquire();
              await s.schedule(Promise.resolve());
              release();
              steps += 2;
            } else {
              await s.schedule(Promise.resolve());
              counter++;
              steps++;
            }
          }
        })());
      }
      await s.waitIdle();
      await Promise.all(tasks);
      if (counter < 0) throw new Error('unreachable');
    }
    t = performance.now();
  }
  return steps / ((t - t0) / 1000);
}

export interface ThroughputRow {
  readonly workload: string;
  readonly bare: number;
  /** (a'): the model's thread code under the bare loop. */
  readonly modelFloor: number;
  readonly random: number;
  readonly fastcheck: number;
}

/** Best of `rounds` for each of (a), (b), (c), interleaved so drift hits all three alike. */
export async function throughput(rounds: number, budgetMs: number): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const w of WORKLOADS) {
    let bare = 0;
    let modelFloor = 0;
    let random = 0;
    let fastcheck = 0;
    for (let r = 0; r < rounds; r++) {
      bare = Math.max(bare, bareStepsPerSec(w, budgetMs));
      modelFloor = Math.max(modelFloor, modelFloorStepsPerSec(w, budgetMs));
      random = Math.max(random, mapcheckStepsPerSec(w, budgetMs));
      fastcheck = Math.max(fastcheck, await fastCheckStepsPerSec(w, budgetMs));
    }
    rows.push({ workload: w.name, bare, modelFloor, random, fastcheck });
  }
  return rows;
}
