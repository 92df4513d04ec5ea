/**
 * LKMM benchmark (issue 12, Performance): what the weak memory model costs beside SC, measured side
 * by side in one process. (1) Exhaustive DFS of small message-passing and store-buffering models
 * written with WRITE_ONCE/READ_ONCE: executions and wall time under sc and lkmm, and their ratios.
 * (2) Random and PCT throughput (executions/s and steps/s) on the 3x20 workload (three threads, 20
 * `WRITE_ONCE(x, READ_ONCE(x) + 1)` each) under lkmm as a ratio of sc.
 * Leaves out: the seed models' proofs under lkmm (lkmm-seeds.ts).
 */
import { Field, type Model, type Op, check, clearLkmmVerdicts, defineModel, smp_mb, thread, READ_ONCE, WRITE_ONCE } from '../src/index.js';
import type { BenchOptions, BenchReport } from './index.js';

type G<R> = Generator<Op, R, unknown>;
interface S { x: Field<number>; y: Field<number>; r: number[] }
type M = Model<S, Record<string, never>>;

function twoVar(name: string, p0: (s: S) => G<void>, p1: (s: S) => G<void>): M {
  return defineModel<S, Record<string, never>>({
    name: `bench-lkmm/${name}`, scenarios: { default: {} }, leakCheck: false,
    setup: () => ({ x: new Field(0, 'x'), y: new Field(0, 'y'), r: [0, 0] }),
    threads: (s) => [thread('P0', () => p0(s)), thread('P1', () => p1(s))],
  });
}

const SMALL: readonly M[] = [
  twoVar('mp-x2', function* (s) {
    for (let i = 1; i <= 2; i++) { yield* WRITE_ONCE(s.x, i); yield* WRITE_ONCE(s.y, i); }
  }, function* (s) {
    for (let i = 0; i < 2; i++) { s.r[0] = yield* READ_ONCE(s.y); s.r[1] = yield* READ_ONCE(s.x); }
  }),
  twoVar('sb-mb-x2', function* (s) {
    for (let i = 1; i <= 2; i++) { yield* WRITE_ONCE(s.x, i); yield* smp_mb(); s.r[0] = yield* READ_ONCE(s.y); }
  }, function* (s) {
    for (let i = 1; i <= 2; i++) { yield* WRITE_ONCE(s.y, i); yield* smp_mb(); s.r[1] = yield* READ_ONCE(s.x); }
  }),
];

const WORKLOAD = defineModel<S, Record<string, never>>({
  name: 'bench-lkmm/3x20-once', scenarios: { default: {} }, leakCheck: false,
  setup: () => ({ x: new Field(0, 'x'), y: new Field(0, 'y'), r: [] }),
  threads: (s) => [0, 1, 2].map((t) => thread(`T${t}`, function* () {
    for (let i = 0; i < 20; i++) yield* WRITE_ONCE(s.x, (yield* READ_ONCE(s.x)) + 1);
  })),
});

export interface LkmmExhaustRow { model: string; scExec: number; lkmmExec: number; scMs: number; lkmmMs: number }
export interface LkmmThroughputRow { strategy: string; scExecPerS: number; lkmmExecPerS: number; scStepsPerS: number; lkmmStepsPerS: number }

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

export function lkmmBench(o: BenchOptions, out: BenchReport): void {
  o.log('== lkmm: the LKMM beside SC (same models, one process)');
  const exhaust: LkmmExhaustRow[] = [];
  for (const m of SMALL) {
    const [sc, scMs] = timed(() => check(m, { strategy: 'dfs', maxExecutions: 1_000_000, audit: false }));
    clearLkmmVerdicts();
    const [lk, lkmmMs] = timed(() => check(m, { strategy: 'dfs', memoryModel: 'lkmm', maxExecutions: 1_000_000, audit: false }));
    exhaust.push({ model: m.name, scExec: sc.executions, lkmmExec: lk.executions, scMs, lkmmMs });
    o.log(`  ${m.name.padEnd(22)} DFS exhaustive: sc ${sc.executions} executions ${scMs.toFixed(0)} ms, lkmm ${lk.executions} executions ${lkmmMs.toFixed(0)} ms` +
      `  lkmm/sc: executions ${(lk.executions / sc.executions).toFixed(1)}x, time ${(lkmmMs / scMs).toFixed(1)}x${sc.exhaustive && lk.exhaustive ? '' : ' (not exhaustive!)'}`);
  }
  const thr: LkmmThroughputRow[] = [];
  const budget = o.quick ? 200 : 2000;
  for (const strategy of ['random', 'pct'] as const) {
    const run = (memoryModel: 'sc' | 'lkmm'): [number, number] => {
      const t0 = performance.now();
      const r = check(WORKLOAD, { strategy, memoryModel, seed: 1, maxExecutions: Number.MAX_SAFE_INTEGER, deadline: Date.now() + budget, audit: false });
      const s = (performance.now() - t0) / 1000;
      return [r.executions / s, r.steps / s];
    };
    const [scE, scS] = run('sc');
    clearLkmmVerdicts();
    const [lkE, lkS] = run('lkmm');
    thr.push({ strategy, scExecPerS: scE, lkmmExecPerS: lkE, scStepsPerS: scS, lkmmStepsPerS: lkS });
    o.log(`  3x20 READ_ONCE/WRITE_ONCE ${strategy.padEnd(6)} sc ${scE.toFixed(0)} exec/s (${(scS / 1e3).toFixed(0)} k steps/s), lkmm ${lkE.toFixed(0)} exec/s (${(lkS / 1e3).toFixed(1)} k steps/s)  lkmm/sc ${(lkE / scE).toFixed(4)}`);
  }
  out.lkmm = { exhaust, throughput: thr };
}
