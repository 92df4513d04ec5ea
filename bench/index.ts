/**
 * `mapcheck bench`: every benchmark, measured side by side in one process, printed as ratios.
 * Sections: engine throughput vs a bare generator loop and fast-check's scheduler (and, with
 * `--baseline DIR`, vs another build, DPOR and the seed scenarios included); DPOR steps/s; DPOR at 64 and 256 threads; RSS over many executions; time to first bug
 * per posted seed bug and strategy; DPOR exhaustion of the fixed variants; executions/s of random
 * and DPOR on the seed scenarios; the kernel's litmus-tests directory under each memory model; the
 * LKMM's cost beside SC, on small models and on the fixed seeds' CI proofs (lkmm-seeds); and,
 * only when named, dpor and dpor-fold on the seeds' three-caller proofs (three-callers, ~20 min).
 * `--quick` shrinks every budget (CI smoke); the full run takes minutes. `--only` takes the names
 * `benchSections()` lists; any other name is a usage error.
 * Leaves out: pass/fail on targets — targets are printed beside the figures, never asserted.
 */
import { fixedExhaustion, timeToFirstBug, type BugRow, type ProofRow } from './bugs.js';
import { type DporRow, dporThroughput, dporWide, rssOverExecutions } from './engine.js';
import { compareDporWithBaseline, loadDporBaseline } from './dpor-baseline.js';
import { throughput, type ThroughputRow } from './throughput.js';
import { minimizeBench } from './minimize.js';
import { campaignBench } from './campaign.js';
import { sanitizerCost } from './sanitizers.js';
import type { AnyModel } from '../src/index.js';
import { litmusBench } from './litmus.js';
import { lkmmBench } from './lkmm.js';
import { symmetryBench } from './symmetry.js';
import { lkmmSeedsBench } from './lkmm-seeds.js';
import { compareSeedsWithBaseline, loadSeedBaseline } from './seeds-baseline.js';
import { seedThroughput } from './seeds.js';
import { type SideBySide, compareWithBaseline, loadBaseline } from './baseline.js';
import { watchdogBench } from './watchdog.js';
import { threeCallersBench } from './three-callers.js';

export interface BenchOptions {
  readonly quick: boolean;
  /** Print progress lines as sections finish. */
  readonly log: (line: string) => void;
  /** Only these sections (default all). */
  readonly only?: readonly string[];
  /** The models of the time-to-first-bug and exhaustion sections (default: the built-in ones). */
  readonly models?: readonly AnyModel[];
  /** Another built mapcheck checkout to compare the throughput workloads with, side by side. */
  readonly baseline?: string;
}

export interface BenchReport {
  random_vs_bare: number | null;
  random_vs_fastcheck: number | null;
  dpor_steps_per_s: number | null;
  rss_mb: number | null;
  sanitizers_on_vs_off: number | null;
  throughput: ThroughputRow[];
  dpor: DporRow[];
  rss: { executions: number; start_mb: number; peak_mb: number; end_mb: number } | null;
  bugs: BugRow[];
  proofs: ProofRow[];
  [extra: string]: unknown;
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1));

/** A `--baseline` section's DIR; without one, the line telling how to pass it (and the section runs nothing). */
function baselineDir(o: BenchOptions, what: string, compared: string): string | undefined {
  if (o.baseline === undefined) o.log(`== ${what} vs a baseline: pass --baseline DIR (another checkout, built) to compare ${compared} side by side`);
  return o.baseline;
}

/** One row of a side-by-side comparison (baseline.ts SideBySide). */
function sideBySideLine(label: string, r: SideBySide): string {
  return `  ${label.padEnd(30)} this ${fmt(r.mine).padStart(9)}  baseline ${fmt(r.baseline).padStart(9)}  this/baseline ${r.ratio.toFixed(3)} (per round: median ${r.median.toFixed(3)}, ${r.low.toFixed(2)}..${r.high.toFixed(2)})`;
}

export type BenchSection = (o: BenchOptions, out: BenchReport) => Promise<void> | void;

/** Extra sections registered by other stages (sanitizers, minimizer, campaign scaling). */
export const EXTRA_SECTIONS: { name: string; run: BenchSection }[] = [];
EXTRA_SECTIONS.push({ name: 'minimize', run: (o, out) => minimizeBench(o, out) });
EXTRA_SECTIONS.push({ name: 'campaign', run: (o, out) => campaignBench(o, out) });
EXTRA_SECTIONS.push({ name: 'watchdog', run: (o, out) => watchdogBench(o, out) });
EXTRA_SECTIONS.push({ name: 'litmus', run: (o, out) => litmusBench(o, out) });
EXTRA_SECTIONS.push({ name: 'lkmm', run: (o, out) => lkmmBench(o, out) });
EXTRA_SECTIONS.push({ name: 'symmetry', run: (o, out) => symmetryBench(o, out) });
EXTRA_SECTIONS.push({ name: 'lkmm-seeds', run: (o, out) => lkmmSeedsBench(o, out) });
EXTRA_SECTIONS.push({ name: 'three-callers', run: (o, out) => threeCallersBench(o, out) });

/** The sections runBench itself runs, in order (EXTRA_SECTIONS follow). */
const OWN_SECTIONS = ['throughput', 'baseline', 'dpor', 'dpor-baseline', 'dpor-wide', 'seeds', 'seeds-baseline', 'rss', 'sanitizers', 'bugs'] as const;

/** Every section name `--only` accepts. */
export function benchSections(): string[] {
  return [...OWN_SECTIONS, ...EXTRA_SECTIONS.map((s) => s.name)];
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const want = (s: string): boolean => !o.only || o.only.includes(s);
  const out: BenchReport = {
    random_vs_bare: null, random_vs_fastcheck: null, dpor_steps_per_s: null, rss_mb: null, sanitizers_on_vs_off: null,
    throughput: [], dpor: [], rss: null, bugs: [], proofs: [],
  };
  if (want('throughput')) {
    o.log('== throughput (steps/s, best of rounds; target: random >= 0.25 x bare, >= 50 x fast-check)');
    out.throughput = await throughput(o.quick ? 1 : 3, o.quick ? 300 : 1500);
    for (const r of out.throughput) {
      o.log(`  ${r.workload.padEnd(30)} bare ${fmt(r.bare).padStart(9)}  mapcheck-random ${fmt(r.random).padStart(9)}  fast-check ${fmt(r.fastcheck).padStart(9)}  random/bare ${(r.random / r.bare).toFixed(3)}  random/fast-check ${(r.random / r.fastcheck).toFixed(1)}x`);
      o.log(`  ${''.padEnd(30)} the model's own code under the bare loop (no engine) ${fmt(r.modelFloor)} = ${(r.modelFloor / r.fastcheck).toFixed(1)}x fast-check; random reaches ${(r.random / r.modelFloor).toFixed(2)} of it`);
    }
    out.random_vs_bare = Math.min(...out.throughput.map((r) => r.random / r.bare));
    out.random_vs_fastcheck = Math.min(...out.throughput.map((r) => r.random / r.fastcheck));
  }
  if (want('baseline') || (o.baseline !== undefined && want('throughput'))) {
    const dir = baselineDir(o, 'this build', 'the throughput workloads');
    if (dir !== undefined) {
      const rounds = o.quick ? 2 : 10;
      const rows = compareWithBaseline(await loadBaseline(dir), rounds, o.quick ? 300 : 1000);
      out.vs_baseline = rows;
      o.log(`== this build vs ${dir} (random strategy, steps per CPU second, best of ${rounds} alternating rounds; <= 32 threads: the bitmask path)`);
      for (const r of rows) o.log(sideBySideLine(r.workload, r));
    }
  }
  if (want('dpor')) {
    const rows = dporThroughput(o.quick ? 300 : 1500);
    if (rows) {
      out.dpor = rows;
      out.dpor_steps_per_s = Math.min(...rows.map((r) => r.stepsPerSec));
      o.log('== DPOR on litmus models (target >= 1 M steps/s)');
      for (const r of rows) o.log(`  ${`${r.model} ${r.scenario}`.padEnd(30)} ${r.executions} executions per exhaustion  ${fmt(r.stepsPerSec)} steps/s`);
    } else {
      o.log('== DPOR: strategy not registered');
    }
  }
  if (want('dpor-baseline') || (o.baseline !== undefined && want('dpor'))) {
    const dir = baselineDir(o, 'dpor', 'DPOR');
    if (dir !== undefined) {
      const rounds = o.quick ? 2 : 9;
      const rows = compareDporWithBaseline(await loadDporBaseline(dir), rounds, o.quick ? 300 : 1000);
      out.dpor_vs_baseline = rows;
      o.log(`== dpor of this build vs ${dir} (executions per CPU second, audit off, best of ${rounds} alternating rounds; <= 32 threads: word 0 of the thread sets)`);
      for (const r of rows) o.log(sideBySideLine(r.workload, r));
    }
  }
  if (want('dpor-wide')) {
    const rows = dporWide(o.quick ? 300 : 1500);
    out.dpor_wide = rows;
    o.log('== DPOR past 32 threads (each thread stores its own atomic; the 4 highest ids then lock, add, unlock: 24 traces; audit off)');
    for (const r of rows) o.log(`  ${`${r.threads} threads`.padEnd(30)} ${r.executions} executions per exhaustion  ${fmt(r.executionsPerSec).padStart(9)} executions/s  ${fmt(r.stepsPerSec).padStart(9)} steps/s`);
  }
  if (want('seeds')) {
    const rows = seedThroughput(o.quick ? 1 : 2, o.quick ? 300 : 1500);
    out.seeds = rows;
    o.log('== seed scenarios (executions/s and steps/s, best of rounds; issue 16 targets vs the build before it: random on iova-extend/fixed dma-mixed >= 2x, the others >= 1.2x)');
    for (const r of rows) {
      o.log(`  ${`${r.model} ${r.scenario}`.padEnd(44)} ${r.strategy.padEnd(6)} ${fmt(r.executionsPerSec).padStart(9)} exec/s  ${fmt(r.stepsPerSec).padStart(9)} steps/s  ${r.stepsPerExecution.toFixed(0).padStart(4)} steps/exec${r.exhausted ? '  (exhausted, restarted)' : ''}`);
    }
  }
  if (want('seeds-baseline') || (o.baseline !== undefined && want('seeds'))) {
    const dir = baselineDir(o, 'seed scenarios', 'random throughput');
    if (dir !== undefined) {
      const rounds = o.quick ? 2 : 5;
      const rows = compareSeedsWithBaseline(await loadSeedBaseline(dir), rounds, o.quick ? 300 : 1000);
      out.seeds_vs_baseline = rows;
      o.log(`== seed scenarios, random, this build vs ${dir} (executions per CPU second, audit off, keep going, best of ${rounds} alternating rounds; issue 16 targets by the median per-round ratio: iova-extend/fixed dma-mixed >= 2x, the others >= 1.2x)`);
      for (const r of rows) {
        const what = `${r.model} ${r.scenario}`.padEnd(44);
        if (r.baseline === null || r.ratio === null || r.perStep === null || r.median === null || r.stepsBaseline === null) {
          o.log(`  ${what} this ${fmt(r.mine).padStart(9)} exec/s  baseline: no such scenario`);
          continue;
        }
        const target = r.model === 'iova-extend/fixed' && r.scenario === 'dma-mixed' ? 2 : 1.2;
        o.log(`  ${what} this ${fmt(r.mine).padStart(9)}  baseline ${fmt(r.baseline).padStart(9)} exec/s  per execution ${r.ratio.toFixed(2)}x (median ${r.median.toFixed(2)}x)  per step ${r.perStep.toFixed(2)}x  steps/exec ${r.stepsMine.toFixed(0)} vs ${r.stepsBaseline.toFixed(0)}  target ${target}x ${r.median >= target ? 'met' : 'NOT met'}`);
      }
    }
  }
  if (want('rss')) {
    const n = o.quick ? 50_000 : 1_000_000;
    const r = rssOverExecutions(n);
    out.rss = { executions: r.executions, start_mb: r.startMb, peak_mb: r.peakMb, end_mb: r.endMb };
    out.rss_mb = r.peakMb;
    o.log(`== RSS over ${r.executions} executions (target < 200 MB): start ${r.startMb.toFixed(0)} MB, peak ${r.peakMb.toFixed(0)} MB, end ${r.endMb.toFixed(0)} MB`);
  }
  if (want('sanitizers')) {
    const rows = sanitizerCost(o.quick ? 1 : 3, o.quick ? 300 : 1500);
    out.sanitizers = rows;
    out.sanitizers_on_vs_off = Math.min(...rows.map((r) => r.on / r.off));
    o.log('== sanitizers on vs off (KCSAN + KASAN + lockdep + might_sleep + refcount; target on >= 0.5 x off)');
    for (const r of rows) o.log(`  ${r.model.padEnd(30)} on ${fmt(r.on).padStart(9)}  off ${fmt(r.off).padStart(9)}  on/off ${(r.on / r.off).toFixed(2)}`);
  }
  if (want('bugs')) {
    out.bugs = timeToFirstBug(o.quick ? 3 : 5, o.quick ? 5_000 : 50_000, o.models);
    if (out.bugs.length) {
      o.log('== time to first bug (median over seeds; target: portfolio < 1 s median for every posted bug)');
      for (const b of out.bugs) {
        const what = b.executions === null ? `found by ${b.found}/${b.seeds} seeds` : `${b.executions} executions, ${b.medianMs?.toFixed(1)} ms`;
        o.log(`  ${b.model.padEnd(24)} ${b.bug.padEnd(28)} ${b.strategy.padEnd(10)} ${what}`);
      }
      o.log('  per strategy: bugs found by every seed, sum and largest of the median executions over those bugs');
      for (const s of [...new Set(out.bugs.map((b) => b.strategy))]) {
        const mine = out.bugs.filter((b) => b.strategy === s);
        const ex = mine.flatMap((b) => (b.executions === null ? [] : [b.executions]));
        o.log(`    ${s.padEnd(10)} ${`${ex.length}/${mine.length}`.padStart(7)}  sum ${String(ex.reduce((a, b) => a + b, 0)).padStart(6)}  largest ${String(Math.max(0, ...ex)).padStart(5)}`);
      }
    }
    out.proofs = fixedExhaustion(o.quick ? 200_000 : 2_000_000, o.models);
    if (out.proofs.length) {
      o.log('== the fixed variants\' CI-tier proofs at their stated bounds (npm run prove runs every tier)');
      for (const p of out.proofs) {
        const how = p.strategy === 'dfs' ? `DFS pb ${p.preemptionBound}` : p.strategy === 'dpor-fold' ? 'DPOR-fold' : 'DPOR';
        o.log(`  ${p.model.padEnd(24)} ${p.scenario.padEnd(20)} ${how.padEnd(9)} ${p.executions} executions ${p.ms.toFixed(0)} ms ${p.exhaustive ? 'exhaustive' : 'NOT exhaustive'}${p.violation ? ` VIOLATION ${p.violation}` : ''}`);
      }
    }
  }
  for (const s of EXTRA_SECTIONS) if (want(s.name)) await s.run(o, out);
  return out;
}
