/**
 * Engine benchmarks beyond raw throughput: DPOR steps/s on the litmus models (issue 2 target:
 * >= 1 M steps/s), DPOR executions/s on models of 64 and 256 threads (issue 11: no thread ceiling
 * below 256; the thread sets past 32 threads take their extra words) and the resident set size over many executions (target: under 200 MB over
 * 1 M executions, i.e. nothing retained per execution).
 * Leaves out: time limits; the caller picks budgets (`--quick` shrinks them).
 */
import { lastzero, readers } from '../models/litmus/index.js';
import { type AnyModel, Atomic, Mutex, defineModel, explore, makeStrategy, strategyNames, thread } from '../src/index.js';
import { WORKLOADS, workloadModel } from './throughput.js';

export interface DporRow {
  readonly model: string;
  readonly scenario: string;
  readonly executions: number;
  readonly steps: number;
  readonly stepsPerSec: number;
}

/** DPOR explores each litmus scenario to exhaustion, repeatedly for `budgetMs`. */
export function dporThroughput(budgetMs: number): DporRow[] | null {
  if (!strategyNames().includes('dpor')) return null;
  const cases: [AnyModel, string][] = [[readers, 'n4'], [lastzero, 'n4'], [lastzero, 'n3']];
  const rows: DporRow[] = [];
  for (const [m, sc] of cases) {
    let steps = 0;
    let executions = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < budgetMs) {
      const r = explore(m, makeStrategy('dpor'), { scenario: sc, maxExecutions: 1_000_000 });
      steps += r.steps;
      executions = r.executions;
      t = performance.now();
    }
    rows.push({ model: m.name, scenario: sc, executions, steps, stepsPerSec: steps / ((t - t0) / 1000) });
  }
  return rows;
}

export interface WideDporRow {
  readonly threads: number;
  readonly executions: number;
  readonly executionsPerSec: number;
  readonly stepsPerSec: number;
}

interface Wide { own: Atomic[]; shared: Atomic; m: Mutex }

/**
 * `n` threads: each stores to its own atomic, and the four highest ids then take one mutex and add
 * to a shared atomic under it (4! = 24 traces, with every other thread's store in each execution).
 */
function wideModel(n: number): AnyModel {
  return defineModel<Wide, Record<string, never>>({
    name: `bench/dpor-wide-${n}`, scenarios: { d: {} },
    setup: () => ({ own: Array.from({ length: n }, (_, i) => new Atomic(0, `own${i}`)), shared: new Atomic(0, 'shared'), m: new Mutex('m') }),
    threads: (s) => Array.from({ length: n }, (_, i) => thread(`t${i}`, function* () {
      yield* (s.own[i] as Atomic).store(1);
      if (i < n - 4) return;
      yield* s.m.lock();
      yield* s.shared.add(1);
      yield* s.m.unlock();
    })),
    final: [{ name: 'four adds', check: (s) => s.shared.value === 4 }],
  });
}

/** DPOR exhausts the wide model at 64 and 256 threads, repeatedly for `budgetMs` each (audit off). */
export function dporWide(budgetMs: number): WideDporRow[] {
  const rows: WideDporRow[] = [];
  for (const n of [64, 256]) {
    const m = wideModel(n);
    let steps = 0;
    let executions = 0;
    let perRun = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < budgetMs) {
      const r = explore(m, makeStrategy('dpor'), { maxExecutions: 1_000_000, audit: false });
      if (!r.exhaustive || r.finding) throw new Error(`bench: dpor on ${n} threads: ${r.finding?.violation.message ?? 'not exhaustive'}`);
      steps += r.steps;
      executions += r.executions;
      perRun = r.executions;
      t = performance.now();
    }
    const s = (t - t0) / 1000;
    rows.push({ threads: n, executions: perRun, executionsPerSec: executions / s, stepsPerSec: steps / s });
  }
  return rows;
}

export interface RssResult {
  readonly executions: number;
  readonly startMb: number;
  readonly peakMb: number;
  readonly endMb: number;
}

/** Run `executions` random executions of the 3x20 workload, sampling RSS. */
export function rssOverExecutions(executions: number): RssResult {
  const w = WORKLOADS[0];
  if (!w) throw new Error('no workload');
  const model = workloadModel(w);
  const sched = makeStrategy('random', { seed: 3 });
  const mb = (): number => process.memoryUsage.rss() / (1024 * 1024);
  const startMb = mb();
  let peakMb = startMb;
  let done = 0;
  while (done < executions) {
    const n = Math.min(20_000, executions - done);
    explore(model, sched, { maxExecutions: n });
    done += n;
    peakMb = Math.max(peakMb, mb());
  }
  return { executions: done, startMb, peakMb, endMb: mb() };
}
