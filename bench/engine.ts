/**
 * Engine benchmarks beyond raw throughput: DPOR steps/s on the litmus models (issue 2 target:
 * >= 1 M steps/s) and the resident set size over many executions (target: under 200 MB over
 * 1 M executions, i.e. nothing retained per execution).
 * Leaves out: time limits; the caller picks budgets (`--quick` shrinks them).
 */
import { lastzero, readers } from '../models/litmus/index.js';
import { type AnyModel, explore, makeStrategy, strategyNames } from '../src/index.js';
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
