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

/** Steps per CPU second of each side's best round, and the ratios (SideBySide). */
export interface BaselineRow extends SideBySide {
  readonly workload: string;
}

/** What a build must offer: its engine entry points and its copy of the workload model. */
export interface Build {
  readonly explore: typeof explore;
  readonly makeStrategy: typeof makeStrategy;
  readonly workloadModel: (w: Workload) => ReturnType<typeof workloadModel>;
}

const THIS_BUILD: Build = { explore, makeStrategy, workloadModel: (w) => workloadModel(w) };

/**
 * Import `files` (paths inside a checkout, e.g. 'dist/src/index.js') from another built checkout
 * DIR, refusing in one line a checkout that is not built or lacks one of `exports` (each given as
 * [file index, export name]). Shared by every `--baseline` section.
 */
export async function importBuild(dir: string, files: readonly string[], exports: readonly (readonly [number, string])[]): Promise<Record<string, unknown>[]> {
  const root = resolve(dir);
  const paths = files.map((f) => join(root, f));
  for (const f of paths) {
    if (!existsSync(f)) throw new UsageError(`--baseline ${dir}: no ${f}; build that checkout first (npm ci && npm run build there)`);
  }
  const mods: Record<string, unknown>[] = [];
  for (const f of paths) mods.push((await import(pathToFileURL(f).href)) as Record<string, unknown>);
  const missing = exports.filter(([i, k]) => mods[i]?.[k] === undefined).map(([, k]) => k);
  if (missing.length > 0) throw new UsageError(`--baseline ${dir}: it does not export ${missing.join(', ')}; is it a mapcheck build?`);
  return mods;
}

/** Import another build from its checkout directory. */
export async function loadBaseline(dir: string): Promise<Build> {
  const [a, b] = await importBuild(dir, ['dist/src/index.js', 'dist/bench/throughput.js'], [[0, 'explore'], [0, 'makeStrategy'], [1, 'workloadModel']]);
  return { explore: a?.['explore'], makeStrategy: a?.['makeStrategy'], workloadModel: b?.['workloadModel'] } as unknown as Build;
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

/** One side-by-side figure. */
export interface SideBySide {
  /** Each side's best round. */
  readonly mine: number;
  readonly baseline: number;
  /** mine / baseline of the best rounds. */
  readonly ratio: number;
  /** Median, smallest and largest ratio of one round's pair of measurements. */
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/**
 * `rounds` rounds measuring this build (`mine`) and the baseline (`base`), alternating which goes
 * first, so that drift hits both alike. Higher is better for both measures.
 */
export function alternateRounds(rounds: number, mine: () => number, base: () => number): SideBySide {
  let bestMine = 0;
  let bestBase = 0;
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const baseFirst = r % 2 === 1;
    const a = baseFirst ? base() : mine();
    const b = baseFirst ? mine() : base();
    const [m, x] = baseFirst ? [b, a] : [a, b];
    bestMine = Math.max(bestMine, m);
    bestBase = Math.max(bestBase, x);
    ratios.push(m / x);
  }
  ratios.sort((p, q) => p - q);
  return {
    mine: bestMine, baseline: bestBase, ratio: bestMine / bestBase,
    median: ratios[Math.floor((ratios.length - 1) / 2)] as number, low: ratios[0] as number, high: ratios[ratios.length - 1] as number,
  };
}

/** `rounds` alternating rounds of `budgetMs` CPU time per side and workload. */
export function compareWithBaseline(base: Build, rounds: number, budgetMs: number): BaselineRow[] {
  return WORKLOADS.map((w) => ({
    workload: w.name,
    ...alternateRounds(rounds, () => stepsPerCpuSecond(THIS_BUILD, w, budgetMs), () => stepsPerCpuSecond(base, w, budgetMs)),
  }));
}
