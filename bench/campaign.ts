/**
 * Campaign benchmarks (issue 7 targets), measured in this process with the real campaign code and
 * worker threads: (1) executions per second of the same campaign (same execution budget, so the
 * same chunks) with 2 workers and with 1, as a ratio (target >= 1.8; it cannot exceed the number of
 * idle cores, and other load on the machine lowers it), on correct models so no report stage runs; (2) RSS of this process (main thread plus
 * worker threads) sampled every second over a longer campaign on every model: start, after the
 * first minute (or a sixth of the run), peak, end, and the growth after that point (target: under
 * 500 MB, no growth after the first minute of a 10-minute campaign; set MAPCHECK_BENCH_CAMPAIGN_S=600
 * for the full-length figure).
 * Leaves out: pass/fail (targets are printed beside the figures) and multi-machine shards.
 */
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../src/cli/fuzz/campaign.js';
import { setupCampaign } from '../src/cli/fuzz/setup.js';
import type { CliIO } from '../src/cli/command.js';
import type { BenchOptions, BenchReport } from './index.js';

const silent: CliIO = { out: () => undefined, err: () => undefined, isTTY: false, cwd: process.cwd() };
const SCALING_MODELS = 'ioremap-reuse/fixed,iova-extend/fixed,kmap-pfn/fixed,litmus/lastzero';

export interface CampaignScaling {
  readonly models: string;
  readonly executions: number;
  /** Longest one-worker run. */
  readonly seconds: number;
  readonly one: number;
  readonly two: number;
  readonly ratio: number;
  /** Executions per CPU-second (all threads of this process) with 1 and 2 workers. */
  readonly perCpuOne: number;
  readonly perCpuTwo: number;
  /** The ratio 2 idle cores would give: 2 x perCpuTwo / perCpuOne (parallel overhead only). */
  readonly cpuBoundRatio: number;
}

export interface CampaignRss {
  readonly seconds: number;
  readonly executions: number;
  readonly start_mb: number;
  readonly settled_mb: number;
  readonly peak_mb: number;
  readonly end_mb: number;
  /** Highest sample after the settling point minus the sample at it. */
  readonly growth_after_settle_mb: number;
  /** Peak while the report stage minimized and rendered the findings (after the workers stopped). */
  readonly report_peak_mb: number;
}

let runNo = 0;

interface Run { executions: number; seconds: number; cpuSeconds: number; reportSamples: number }

/** `mark()` is called when the workers have stopped (the final progress line) and its value returned. */
async function campaign(models: string | undefined, workers: number, budget: { seconds?: number; executions?: number }, strategies?: string, mark?: () => number): Promise<Run> {
  const dir = join(tmpdir(), `mapcheck-bench-campaign-${process.pid}-${runNo++}`);
  try {
    const s = setupCampaign({
      cwd: process.cwd(), env: {}, out: dir, workers, reportBudgetMs: 0, corpus: join(dir, 'no-corpus'),
      ...(budget.seconds !== undefined ? { timeMs: budget.seconds * 1000 } : {}), ...(budget.executions !== undefined ? { executions: budget.executions } : {}),
      ...(models !== undefined ? { models } : {}), ...(strategies !== undefined ? { strategies } : {}),
    });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    // The final progress line (workers 0) marks the end of exploration: time, CPU and RSS samples
    // are taken there, so the report stage (if a model has bugs) is not counted.
    let reportSamples = -1;
    let seconds = 0;
    let cpu = { user: 0, system: 0 };
    const io: CliIO = {
      ...silent,
      err: (t) => {
        if (reportSamples >= 0 || !/ workers 0$/.test(t)) return;
        reportSamples = mark ? mark() : 0;
        seconds = (performance.now() - t0) / 1000;
        cpu = process.cpuUsage(c0);
      },
    };
    const r = await runCampaign(s, io, false);
    if (reportSamples < 0) {
      reportSamples = mark ? mark() : 0;
      seconds = (performance.now() - t0) / 1000;
      cpu = process.cpuUsage(c0);
    }
    return { executions: r.executions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, reportSamples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Executions/s with 2 workers over 1: the same execution budget, hence the same deterministic
 * sequence of chunks (targets x strategies x seeds), timed from start to the end of exploration; best of
 * `rounds`, alternating. (A time budget would compare different target mixes: models differ in
 * speed by 100x.)
 */
export async function campaignScaling(executions: number, rounds: number): Promise<CampaignScaling> {
  // 'random' and 'mutate' never exhaust a target, so both runs do the whole budget.
  let one = 0;
  let two = 0;
  let seconds = 0;
  let perCpuOne = 0;
  let perCpuTwo = 0;
  for (let r = 0; r < rounds; r++) {
    const a = await campaign(SCALING_MODELS, 1, { executions }, 'random,mutate');
    const b = await campaign(SCALING_MODELS, 2, { executions }, 'random,mutate');
    one = Math.max(one, a.executions / a.seconds);
    two = Math.max(two, b.executions / b.seconds);
    perCpuOne = Math.max(perCpuOne, a.executions / a.cpuSeconds);
    perCpuTwo = Math.max(perCpuTwo, b.executions / b.cpuSeconds);
    seconds = Math.max(seconds, a.seconds);
  }
  return {
    models: SCALING_MODELS, executions, seconds, one, two, ratio: two / one, perCpuOne, perCpuTwo, cpuBoundRatio: (2 * perCpuTwo) / perCpuOne,
  };
}

/** RSS of this process, sampled every second, over a campaign on every model. */
export async function campaignRss(seconds: number): Promise<CampaignRss> {
  const mb = (): number => process.memoryUsage().rss / 2 ** 20;
  const samples: number[] = [mb()];
  const timer = setInterval(() => samples.push(mb()), 1000);
  const { executions, reportSamples } = await campaign(undefined, 2, { seconds }, undefined, () => samples.length);
  clearInterval(timer);
  const reportPeak = Math.max(mb(), ...samples.slice(reportSamples));
  samples.length = Math.max(1, Math.min(samples.length, reportSamples));
  const settleAt = Math.min(60, Math.floor(seconds / 6));
  const settled = samples[Math.min(settleAt, samples.length - 1)] as number;
  const end = samples[samples.length - 1] as number;
  return {
    seconds, executions, start_mb: samples[0] as number, settled_mb: settled, peak_mb: Math.max(...samples), end_mb: end,
    growth_after_settle_mb: Math.max(...samples.slice(settleAt)) - settled, report_peak_mb: reportPeak,
  };
}

export async function campaignBench(o: BenchOptions, out: BenchReport): Promise<void> {
  const scaling = await campaignScaling(o.quick ? 6000 : 40_000, o.quick ? 1 : 2);
  out.campaign_scaling = scaling;
  out.campaign_workers_ratio = scaling.ratio;
  o.log(`== campaign: executions/s with 2 workers vs 1 (target >= 1.8 x; needs 2 idle cores) on ${scaling.models}, ${scaling.executions} executions each, best of ${o.quick ? 1 : 2}`);
  o.log(`  1 worker ${scaling.one.toFixed(0)}/s  2 workers ${scaling.two.toFixed(0)}/s  ratio ${scaling.ratio.toFixed(2)}  (load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${availableParallelism()} cores)`);
  o.log(`  per CPU-second: 1 worker ${scaling.perCpuOne.toFixed(0)}, 2 workers ${scaling.perCpuTwo.toFixed(0)}; ratio on 2 idle cores would be ${scaling.cpuBoundRatio.toFixed(2)} (parallel overhead only)`);
  const env = Number(process.env.MAPCHECK_BENCH_CAMPAIGN_S);
  const seconds = Number.isFinite(env) && env > 0 ? env : o.quick ? 10 : 120;
  const rss = await campaignRss(seconds);
  out.campaign_rss = rss;
  out.campaign_rss_mb = rss.peak_mb;
  o.log(`== campaign RSS over ${rss.seconds} s, every model, 2 workers (target < 500 MB, no growth after the first minute)`);
  o.log(`  ${rss.executions} executions; start ${rss.start_mb.toFixed(0)} MB, at ${Math.min(60, Math.floor(seconds / 6))} s ${rss.settled_mb.toFixed(0)} MB, peak ${rss.peak_mb.toFixed(0)} MB, end of exploration ${rss.end_mb.toFixed(0)} MB (growth after ${rss.growth_after_settle_mb >= 0 ? '+' : ''}${rss.growth_after_settle_mb.toFixed(0)} MB); report stage peak ${rss.report_peak_mb.toFixed(0)} MB`);
}
