/**
 * This build against another one, side by side in one process (`mapcheck bench --baseline DIR`,
 * DIR another mapcheck checkout with `dist/` built, e.g. main's): the throughput workloads (3
 * threads x 20 atomic increments, 8 threads x 100 lock/unlock, both on the enabled set's bitmask
 * path of at most 32 threads) run under each build's random strategy, alternating round by round
 * (and which side goes first) so that drift hits both alike. Each build runs its own compiled
 * workload model, API and engine: no call site is shared, so neither build's JIT feedback sees the
 * other's classes. Time is the process's CPU time, not wall time: on a machine shared by other
 * jobs a preempted process loses wall time it did not spend, which is most of the noise there.
 * Printed: the ratio this/baseline of each side's best round, and the median and spread of the
 * per-round ratios, so a change to the step loop can show it costs nothing beyond noise.
 * Leaves out: building the baseline (do it in DIR: npm ci && npm run build).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, explore, makeStrategy } from '../src/index.js';
import { WORKLOADS, type Workload, workloadModel } from './throughput.js';

export interface BaselineRow {
  readonly workload: string;
  /** Steps per CPU second of each side's best round. */
  readonly mine: number;
  readonly baseline: number;
  /** mine / baseline of the best rounds. */
  readonly ratio: number;
  /** Median, smallest and largest ratio of one round's pair of measurements. */
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/** What a build must offer: its engine entry points and its copy of the workload model. */
export interface Build {
  readonly explore: typeof explore;
  readonly makeStrategy: typeof makeStrategy;
  readonly workloadModel: (w: Workload) => ReturnType<typeof workloadModel>;
}

const THIS_BUILD: Build = { explore, makeStrategy, workloadModel: (w) => workloadModel(w) };

/** Import another build from its checkout directory. */
export async function loadBaseline(dir: string): Promise<Build> {
  const root = resolve(dir);
  const api = join(root, 'dist/src/index.js');
  const bench = join(root, 'dist/bench/throughput.js');
  for (const f of [api, bench]) {
    if (!existsSync(f)) throw new UsageError(`--baseline ${dir}: no ${f}; build that checkout first (npm ci && npm run build there)`);
  }
  const a = (await import(pathToFileURL(api).href)) as Record<string, unknown>;
  const b = (await import(pathToFileURL(bench).href)) as Record<string, unknown>;
  const missing = [['explore', a], ['makeStrategy', a], ['workloadModel', b]].filter(([k, m]) => typeof (m as Record<string, unknown>)[k as string] !== 'function');
  if (missing.length > 0) throw new UsageError(`--baseline ${dir}: it does not export ${missing.map(([k]) => k).join(', ')}; is it a mapcheck build?`);
  return { explore: a['explore'], makeStrategy: a['makeStrategy'], workloadModel: b['workloadModel'] } as unknown as Build;
}

/** Steps per CPU second of `build` on workload `w`, over about `budgetMs` of CPU time. */
function stepsPerCpuSecond(build: Build, w: Workload, budgetMs: number): number {
  const model = build.workloadModel(w);
  const sched = build.makeStrategy('random', { seed: 1 });
  let steps = 0;
  const c0 = process.cpuUsage();
  let us = 0;
  while (us < budgetMs * 1000) {
    const r = build.explore(model, sched, { maxExecutions: 200 });
    if (r.finding) throw new Error(`bench workload failed: ${r.finding.violation.message}`);
    steps += r.steps;
    const c = process.cpuUsage(c0);
    us = c.user + c.system;
  }
  return steps / (us / 1e6);
}

/** `rounds` alternating rounds of `budgetMs` CPU time per side and workload. */
export function compareWithBaseline(base: Build, rounds: number, budgetMs: number): BaselineRow[] {
  return WORKLOADS.map((w) => {
    let mine = 0;
    let baseline = 0;
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const first = r % 2 === 0 ? THIS_BUILD : base;
      const a = stepsPerCpuSecond(first, w, budgetMs);
      const b = stepsPerCpuSecond(first === base ? THIS_BUILD : base, w, budgetMs);
      const [m, x] = first === base ? [b, a] : [a, b];
      mine = Math.max(mine, m);
      baseline = Math.max(baseline, x);
      ratios.push(m / x);
    }
    ratios.sort((p, q) => p - q);
    return {
      workload: w.name, mine, baseline, ratio: mine / baseline,
      median: ratios[Math.floor((ratios.length - 1) / 2)] as number, low: ratios[0] as number, high: ratios[ratios.length - 1] as number,
    };
  });
}
