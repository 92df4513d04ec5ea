/**
 * `mapcheck bench --only symmetry`: the symmetry reduction (src/engine/symmetry.ts) beside the
 * same exploration without it, on the seed-000 miniature of bench/spin (K interchangeable
 * callers doing lookup-then-get / put-then-free under one lock), in one run: executions and time
 * to exhaustion with and without, and their ratio (the reduction is up to K!). DPOR at K = 3..5,
 * DFS unbounded at K = 3 and with preemption bound 2 at K = 4.
 * Leaves out: the seed models (their callers differ by data: no group is declared there).
 */
import { check } from '../src/index.js';
import { seed000Mini } from './spin/seed000-mini.js';
import type { BenchOptions, BenchReport } from './index.js';

interface SymmetryRow {
  readonly strategy: string;
  readonly k: number;
  readonly on: { executions: number; ms: number; exhaustive: boolean };
  readonly off: { executions: number; ms: number; exhaustive: boolean };
}

function run(k: number, strategy: 'dpor' | 'dfs', bound: number | undefined, symmetry: boolean, maxExecutions: number): SymmetryRow['on'] {
  const t0 = performance.now();
  const r = check(seed000Mini, {
    scenario: { k }, strategy, maxExecutions, audit: false, symmetry,
    ...(bound !== undefined ? { preemptionBound: bound } : {}),
  });
  return { executions: r.executions, ms: performance.now() - t0, exhaustive: r.exhaustive };
}

export function symmetryBench(o: BenchOptions, out: BenchReport): void {
  o.log('== symmetry: K interchangeable callers (bench/spin seed-000 miniature), the same exploration with and without the reduction');
  const cases: [number, 'dpor' | 'dfs', number | undefined][] = o.quick
    ? [[3, 'dpor', undefined], [4, 'dpor', undefined], [3, 'dfs', undefined]]
    : [[3, 'dpor', undefined], [4, 'dpor', undefined], [5, 'dpor', undefined], [3, 'dfs', undefined], [4, 'dfs', 2]];
  const rows: SymmetryRow[] = [];
  // Warm the JIT on both paths first (not timed).
  for (const sym of [true, false]) for (const strategy of ['dpor', 'dfs'] as const) run(3, strategy, undefined, sym, 2_000_000);
  for (const [k, strategy, bound] of cases) {
    const max = 2_000_000;
    const on = run(k, strategy, bound, true, max);
    const off = run(k, strategy, bound, false, max);
    rows.push({ strategy: `${strategy}${bound !== undefined ? ` pb${bound}` : ''}`, k, on, off });
    const tag = (x: SymmetryRow['on']): string => `${x.executions} executions ${x.ms.toFixed(0)} ms${x.exhaustive ? '' : ' (not exhaustive)'}`;
    o.log(`  K=${k} ${`${strategy}${bound !== undefined ? ` pb${bound}` : ''}`.padEnd(8)} symmetry ${tag(on)}; without ${tag(off)}; executions without/with ${(off.executions / on.executions).toFixed(1)}x, time ${(off.ms / on.ms).toFixed(1)}x`);
  }
  out['symmetry'] = rows;
}
