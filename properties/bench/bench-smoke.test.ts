/**
 * The benchmark code runs and reports what `mapcheck bench --json` promises (issue 2: at least
 * random_vs_bare, random_vs_fastcheck, dpor_steps_per_s, rss_mb), on tiny budgets. Not a timed
 * test: no figure is compared with a target here, only checked to be a measurement at all.
 * Leaves out: the time-to-first-bug, campaign and minimizer sections (each has its own suite).
 */
import { describe, expect, it } from 'vitest';
import { runBench } from '../../bench/index.js';
import { SEED_SCENARIOS, seedThroughput } from '../../bench/seeds.js';

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

  it('the seed-scenario section measures random and DPOR on every seed scenario it lists', () => {
    const rows = seedThroughput(1, 20);
    expect(rows).toHaveLength(SEED_SCENARIOS.length * 2);
    expect(new Set(rows.map((r) => r.strategy))).toEqual(new Set(['random', 'dpor']));
    for (const r of rows) {
      expect(r.executionsPerSec, `${r.model} ${r.scenario} ${r.strategy}`).toBeGreaterThan(0);
      expect(r.stepsPerExecution, `${r.model} ${r.scenario} ${r.strategy}`).toBeGreaterThan(0);
    }
    expect(rows[0]).toMatchObject({ model: 'iova-extend/fixed', scenario: 'dma-mixed', strategy: 'random' });
  }, 60_000);
});
