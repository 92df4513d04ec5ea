/**
 * DPOR of this build against another one, side by side in one process (`mapcheck bench --baseline
 * DIR --only dpor-baseline`): the litmus models readers-8 (256 traces) and lastzero-8, explored
 * to exhaustion by each build's own `dpor` on each build's own compiled litmus models, rounds
 * alternating (and which side goes first) as in baseline.ts, timed in process CPU time. The audit
 * is off on both sides: it re-runs executions under a fixed schedule, which would dilute what DPOR
 * itself costs. This is how a change to DPOR's bookkeeping (the thread sets that grew past 32
 * threads, issue 11) shows it costs the <= 32-thread path nothing beyond noise.
 * Printed: executions per CPU second of each side's best round, their ratio, and the median and
 * spread of the per-round ratios.
 * Leaves out: building the baseline (npm ci && npm run build in DIR).
 */
import { lastzero, readers } from '../models/litmus/index.js';
import { type AnyModel, explore, makeStrategy } from '../src/index.js';
import { type SideBySide, alternateRounds, importBuild } from './baseline.js';

/** Executions per CPU second of each side's best round, and the ratios (baseline.ts). */
export interface DporBaselineRow extends SideBySide {
  readonly workload: string;
}

interface DporBuild {
  readonly explore: typeof explore;
  readonly makeStrategy: typeof makeStrategy;
  readonly models: Readonly<Record<string, AnyModel>>;
}

const THIS_BUILD: DporBuild = { explore, makeStrategy, models: { readers, lastzero } };

/** Import another build's engine and litmus models from its checkout directory. */
export async function loadDporBaseline(dir: string): Promise<DporBuild> {
  const [a, m] = await importBuild(dir, ['dist/src/index.js', 'dist/models/litmus/index.js'], [[0, 'explore'], [0, 'makeStrategy'], [1, 'readers'], [1, 'lastzero']]);
  return { explore: a?.['explore'], makeStrategy: a?.['makeStrategy'], models: { readers: m?.['readers'], lastzero: m?.['lastzero'] } } as unknown as DporBuild;
}

const WORKLOADS: readonly { name: string; model: string; n: number }[] = [
  { name: 'dpor readers-8 (9 threads)', model: 'readers', n: 8 },
  { name: 'dpor lastzero-8 (9 threads)', model: 'lastzero', n: 8 },
];

/** Executions per CPU second of `build` exhausting `model` with params {n}, over about `budgetMs`. */
function executionsPerCpuSecond(build: DporBuild, model: string, n: number, budgetMs: number): number {
  const m = build.models[model] as AnyModel;
  let executions = 0;
  const c0 = process.cpuUsage();
  let us = 0;
  while (us < budgetMs * 1000) {
    const r = build.explore(m, build.makeStrategy('dpor'), { scenario: { n }, maxExecutions: 1_000_000, audit: false });
    if (!r.exhaustive) throw new Error(`bench: dpor did not exhaust ${model} n=${n}`);
    executions += r.executions;
    const c = process.cpuUsage(c0);
    us = c.user + c.system;
  }
  return executions / (us / 1e6);
}

/** `rounds` alternating rounds of `budgetMs` CPU time per side and workload. */
export function compareDporWithBaseline(base: DporBuild, rounds: number, budgetMs: number): DporBaselineRow[] {
  return WORKLOADS.map((w) => ({
    workload: w.name,
    ...alternateRounds(rounds, () => executionsPerCpuSecond(THIS_BUILD, w.model, w.n, budgetMs), () => executionsPerCpuSecond(base, w.model, w.n, budgetMs)),
  }));
}
