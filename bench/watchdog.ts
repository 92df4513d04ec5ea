/**
 * What the campaign watchdog costs a worker (issue 17): the same workloads as the throughput
 * section, run by the random strategy plain and wrapped as a campaign worker runs it — the schedule
 * tap mirroring every decision into shared memory (src/cli/schedule-tap.ts) and the engine counting
 * executions into the shared heartbeat (src/engine/heartbeat.ts) — side by side, best of rounds.
 * Leaves out: the main thread's side (a /proc read per worker per watchdog tick).
 */
import { ScheduleTap, tapBuffer } from '../src/cli/schedule-tap.js';
import { countExecutionsInto } from '../src/engine/heartbeat.js';
import { explore, makeStrategy } from '../src/index.js';
import type { BenchOptions, BenchReport } from './index.js';
import { WORKLOADS, type Workload, workloadModel } from './throughput.js';

function stepsPerSec(w: Workload, budgetMs: number, tapped: boolean): number {
  const model = workloadModel(w);
  const inner = makeStrategy('random', { seed: 1 });
  const sched = tapped ? new ScheduleTap(inner, tapBuffer(200_000)) : inner;
  countExecutionsInto(tapped ? new Int32Array(new SharedArrayBuffer(4)) : null);
  let steps = 0;
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < budgetMs) steps += explore(model, sched, { maxExecutions: 200 }).steps;
  } finally {
    countExecutionsInto(null);
  }
  return steps / ((performance.now() - t0) / 1000);
}

export interface WatchdogRow { readonly workload: string; readonly plain: number; readonly tapped: number }

export function watchdogBench(o: BenchOptions, out: BenchReport): void {
  const rounds = o.quick ? 1 : 3;
  const budget = o.quick ? 300 : 1500;
  const rows: WatchdogRow[] = WORKLOADS.map((w) => {
    let plain = 0;
    let tapped = 0;
    for (let r = 0; r < rounds; r++) {
      plain = Math.max(plain, stepsPerSec(w, budget, false));
      tapped = Math.max(tapped, stepsPerSec(w, budget, true));
    }
    return { workload: w.name, plain, tapped };
  });
  out.watchdog = rows;
  out.watchdog_tapped_vs_plain = Math.min(...rows.map((r) => r.tapped / r.plain));
  o.log('== campaign watchdog cost: random strategy plain vs with schedule tap + heartbeat (steps/s, best of rounds)');
  for (const r of rows) o.log(`  ${r.workload.padEnd(30)} plain ${(r.plain / 1e6).toFixed(2)} M  tapped ${(r.tapped / 1e6).toFixed(2)} M  tapped/plain ${(r.tapped / r.plain).toFixed(3)}`);
}
