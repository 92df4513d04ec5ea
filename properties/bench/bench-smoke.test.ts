/**
 * The benchmark code runs and reports what `mapcheck bench --json` promises (issue 2: at least
 * random_vs_bare, random_vs_fastcheck, dpor_steps_per_s, rss_mb), on tiny budgets. Not a timed
 * test: no figure is compared with a target here, only checked to be a measurement at all.
 * The side-by-side comparison with another build runs against this checkout's own dist/ (built by
 * the global setup) and refuses a directory that is not a build.
 * Leaves out: the time-to-first-bug, campaign and minimizer sections (each has its own suite).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseline } from '../../bench/baseline.js';
import { runBench } from '../../bench/index.js';
import { compareSeedsWithBaseline, loadSeedBaseline } from '../../bench/seeds-baseline.js';
import { SEED_SCENARIOS, seedThroughput } from '../../bench/seeds.js';
import { UsageError } from '../../src/index.js';

describe('mapcheck bench', () => {
  it('throughput, DPOR and RSS sections produce positive figures and the JSON keys', async () => {
    const lines: string[] = [];
    const r = await runBench({ quick: true, only: ['throughput', 'dpor', 'rss'], log: (l) => lines.push(l) });
    expect(r.throughput).toHaveLength(2);
    for (const row of r.throughput) {
      for (const v of [row.bare, row.modelFloor, row.random, row.fastcheck]) expect(v).toBeGreaterThan(0);
    }
    expect(r.random_vs_bare).toBeGreaterThan(0);
    expect(r.random_vs_fastcheck).toBeGreaterThan(0);
    expect(r.dpor_steps_per_s).toBeGreaterThan(0);
    expect(r.dpor.map((d) => `${d.model} ${d.scenario}`)).toEqual(['litmus/readers n4', 'litmus/lastzero n4', 'litmus/lastzero n3']);
    expect(r.dpor[0]?.executions).toBe(16);
    expect(r.rss?.executions).toBe(50_000);
    expect(lines.some((l) => l.includes("model's own code"))).toBe(true);
  }, 60_000);

  it('the litmus section times the kernel litmus directory under SC and the LKMM with DFS and DPOR', async () => {
    const lines: string[] = [];
    const r = await runBench({ quick: true, only: ['litmus'], log: (l) => lines.push(l) });
    const rows = (r.litmus as { rows: { memoryModel: string; strategy: string; tests: number; executions: number; cliS: number; warmS: number }[] }).rows;
    expect(rows.slice(0, 2).map((x) => `${x.memoryModel} ${x.strategy}`)).toEqual(['sc dfs', 'sc dpor']);
    for (const x of rows) {
      expect(x.tests).toBe(43);
      expect(x.cliS).toBeGreaterThan(0);
      expect(x.warmS).toBeGreaterThan(0);
    }
    // DPOR explores fewer executions than DFS on the same directory.
    expect(rows[1]?.executions).toBeLessThan(rows[0]?.executions ?? 0);
    // Under the LKMM: both strategies, every test but the declared out-of-reach one agrees.
    expect(rows.slice(2).map((x) => `${x.memoryModel} ${x.strategy}`)).toEqual(['lkmm dfs', 'lkmm dpor']);
    for (const x of rows.slice(2)) expect((x as { agree?: number }).agree).toBe(42);
    expect(lines.some((l) => l.includes('mapcheck litmus DIR'))).toBe(true);
  }, 300_000);

  it('the lkmm section compares sc and lkmm side by side: exhaustive executions and random/PCT throughput', async () => {
    const lines: string[] = [];
    const r = await runBench({ quick: true, only: ['lkmm'], log: (l) => lines.push(l) });
    const lk = r['lkmm'] as { exhaust: { model: string; scExec: number; lkmmExec: number }[]; throughput: { strategy: string; scExecPerS: number; lkmmExecPerS: number }[] };
    expect(lk.exhaust.map((x) => x.model)).toEqual(['bench-lkmm/mp-x2', 'bench-lkmm/sb-mb-x2']);
    // The LKMM explores more executions than SC (reads-from and coherence choices), never fewer.
    for (const x of lk.exhaust) expect(x.lkmmExec).toBeGreaterThan(x.scExec);
    expect(lk.throughput.map((x) => x.strategy)).toEqual(['random', 'pct']);
    for (const x of lk.throughput) {
      expect(x.scExecPerS).toBeGreaterThan(0);
      expect(x.lkmmExecPerS).toBeGreaterThan(0);
    }
    expect(lines.some((l) => l.includes('lkmm/sc'))).toBe(true);
  }, 300_000);

  it('the symmetry section runs each case with and without the reduction: both exhaustive, the reduction never explores more', async () => {
    const r = await runBench({ quick: true, only: ['symmetry'], log: () => {} });
    const rows = r['symmetry'] as { strategy: string; k: number; on: { executions: number; exhaustive: boolean }; off: { executions: number; exhaustive: boolean } }[];
    expect(rows.map((x) => `${x.strategy} ${x.k}`)).toEqual(['dpor 3', 'dpor 4', 'dfs 3']);
    for (const x of rows) {
      expect(x.on.exhaustive && x.off.exhaustive).toBe(true);
      expect(x.on.executions).toBeLessThan(x.off.executions);
    }
  }, 300_000);

  it('the lkmm-seeds section runs a proof per seed model under sc and lkmm side by side, with ratios only for exhausted runs', async () => {
    const lines: string[] = [];
    const r = await runBench({ quick: true, only: ['lkmm-seeds'], log: (l) => lines.push(l) });
    const rows = r['lkmm_seeds'] as { model: string; scenario: string; scExec: number; lkmmExec: number; exhaustive: boolean; violation: string | null }[];
    expect(rows.map((x) => x.model.split('/')[0])).toEqual(['kmap-pfn', 'kiobuf-kvmap', 'ioremap-reuse', 'iova-extend', 'vcm']);
    for (const x of rows) {
      expect(x.violation, `${x.model} ${x.scenario}`).toBeNull();
      expect(x.exhaustive, `${x.model} ${x.scenario}`).toBe(true);
      // Reads-from choices never make fewer executions than SC.
      expect(x.lkmmExec, `${x.model} ${x.scenario}`).toBeGreaterThanOrEqual(x.scExec);
    }
    expect(lines.filter((l) => l.includes('lkmm/sc: executions'))).toHaveLength(rows.length);
  }, 300_000);

  it('the seed-scenario section measures random and DPOR on every seed scenario it lists', () => {
    const rows = seedThroughput(1, 20);
    expect(rows).toHaveLength(SEED_SCENARIOS.length * 2);
    expect(new Set(rows.map((r) => r.strategy))).toEqual(new Set(['random', 'dpor']));
    for (const r of rows) {
      expect(r.executionsPerSec, `${r.model} ${r.scenario} ${r.strategy}`).toBeGreaterThan(0);
      expect(r.stepsPerExecution, `${r.model} ${r.scenario} ${r.strategy}`).toBeGreaterThan(0);
    }
    expect(rows[0]).toMatchObject({ model: 'iova-extend/fixed', scenario: 'dma-mixed', strategy: 'random' });
  });

  it('--baseline: this build against a build of the same code gives both figures and their ratio', async () => {
    const lines: string[] = [];
    const r = await runBench({ quick: true, only: ['baseline'], baseline: resolve(__dirname, '../..'), log: (l) => lines.push(l) });
    const rows = r['vs_baseline'] as { workload: string; mine: number; baseline: number; ratio: number; median: number; low: number; high: number }[];
    expect(rows.map((x) => x.workload)).toEqual(['3 threads x 20 atomic incs', '8 threads x 100 lock/unlock']);
    for (const x of rows) {
      expect(x.mine).toBeGreaterThan(0);
      expect(x.baseline).toBeGreaterThan(0);
      expect(x.ratio).toBeCloseTo(x.mine / x.baseline, 10);
      expect(x.low).toBeLessThanOrEqual(x.median);
      expect(x.median).toBeLessThanOrEqual(x.high);
    }
    expect(lines.some((l) => l.includes('this/baseline'))).toBe(true);
    await expect(loadBaseline('/nonexistent-dir')).rejects.toThrow(UsageError);
    const none = await runBench({ quick: true, only: ['baseline'], log: (l) => lines.push(l) });
    expect(none['vs_baseline']).toBeUndefined();
    expect(lines.at(-1)).toContain('--baseline DIR');
  }, 60_000);

  it('--baseline on the seed scenarios: executions/s of both builds, per execution and per step, and a scenario the baseline lacks', async () => {
    const same = await loadSeedBaseline(resolve(__dirname, '../..'));
    const [row] = compareSeedsWithBaseline(same, 2, 150, [['ioremap-reuse/fixed', 'shared-page']]);
    expect(row).toMatchObject({ model: 'ioremap-reuse/fixed', scenario: 'shared-page' });
    if (row === undefined || row.baseline === null || row.stepsBaseline === null) throw new Error('no baseline figure');
    expect(row.mine).toBeGreaterThan(0);
    expect(row.baseline).toBeGreaterThan(0);
    expect(row.ratio).toBeCloseTo(row.mine / row.baseline, 10);
    expect(row.stepsMine).toBeGreaterThan(10);
    expect(row.stepsBaseline).toBeGreaterThan(10);
    // A baseline without the model (an older build) is listed, not measured.
    const older = { ...same, findModel: () => undefined };
    const [gone] = compareSeedsWithBaseline(older, 1, 50, [['kmap-pfn/fixed', undefined]]);
    expect(gone).toMatchObject({ model: 'kmap-pfn/fixed', baseline: null, ratio: null, perStep: null });
    expect(gone?.mine).toBeGreaterThan(0);
    await expect(loadSeedBaseline('/nonexistent-dir')).rejects.toThrow(UsageError);
    const lines: string[] = [];
    const none = await runBench({ quick: true, only: ['seeds-baseline'], log: (l) => lines.push(l) });
    expect(none['seeds_vs_baseline']).toBeUndefined();
    expect(lines.at(-1)).toContain('--baseline DIR');
  }, 60_000);
});
