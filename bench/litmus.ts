/**
 * Litmus benchmark (issue 12, Performance): the whole of the kernel's tools/memory-model
 * litmus-tests directory, in seconds, under SC and under the LKMM, each with DFS and with DPOR. Two figures each: `cli`, the wall time of a fresh `mapcheck litmus DIR` process
 * (node start-up and V8 warm-up included: what a user waits), and `warm`, the best of several
 * in-process runs of runLitmusDirectory (parse, compile, exhaust, verdicts), the strategies measured
 * alternately, each from an empty LKMM verdict cache. herd7 does the directory in about a second on a laptop (issue 12's reference; herd7
 * is not installed here, so it is not measured side by side); the target is within 10x under lkmm.
 * The directory: MAPCHECK_LKMM_LITMUS/tests, else /work/shared/lkmm-litmus/tests.
 * Leaves out: asserting the target (benchmarks print, tests assert behaviour).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, clearLkmmVerdicts } from '../src/index.js';
import { type LitmusOptions, type LitmusStrategy, runLitmusDirectory } from '../src/litmus/index.js';
import type { BenchOptions, BenchReport } from './index.js';

export interface LitmusBenchRow {
  readonly memoryModel: string;
  readonly strategy: string;
  readonly tests: number;
  readonly executions: number;
  /** Wall time of `mapcheck litmus DIR` in a fresh process, seconds. */
  readonly cliS: number;
  /** Best in-process run of the directory, seconds. */
  readonly warmS: number;
  readonly agree: number;
}

/** bin/mapcheck.js, found upwards from this file (it runs from bench/ under vitest, dist/bench/ built). */
function binPath(): string {
  let d = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 4; i++, d = resolve(d, '..')) if (existsSync(join(d, 'bin/mapcheck.js'))) return join(d, 'bin/mapcheck.js');
  throw new Error('bin/mapcheck.js not found above bench/');
}
const BIN = binPath();

function cli(dir: string, opts: LitmusOptions): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'litmus', dir, '--memory-model', opts.memoryModel ?? 'sc', '--strategy', opts.strategy ?? 'dpor'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mapcheck litmus exited ${String(r.status)}: ${r.stderr.split('\n')[0] ?? ''}`);
  return (performance.now() - t0) / 1000;
}

function measure(dir: string, memoryModel: 'sc' | 'lkmm', strategies: readonly LitmusStrategy[], rounds: number): LitmusBenchRow[] {
  const best = new Map<LitmusStrategy, number>();
  const last = new Map<LitmusStrategy, ReturnType<typeof runLitmusDirectory>>();
  for (const s of strategies) last.set(s, runLitmusDirectory(dir, { memoryModel, strategy: s }));
  for (let r = 0; r < rounds; r++) {
    for (const s of strategies) {
      clearLkmmVerdicts();
      const t0 = performance.now();
      last.set(s, runLitmusDirectory(dir, { memoryModel, strategy: s }));
      best.set(s, Math.min(best.get(s) ?? Infinity, (performance.now() - t0) / 1000));
    }
  }
  return strategies.map((s) => {
    const rep = last.get(s) as ReturnType<typeof runLitmusDirectory>;
    return {
      memoryModel, strategy: s, tests: rep.rows.length, executions: rep.rows.reduce((n, row) => n + (row.result?.executions ?? 0), 0),
      cliS: cli(dir, { memoryModel, strategy: s }), warmS: best.get(s) ?? NaN, agree: rep.agree,
    };
  });
}

export function litmusBench(o: BenchOptions, out: BenchReport): void {
  const dir = join(process.env.MAPCHECK_LKMM_LITMUS ?? '/work/shared/lkmm-litmus', 'tests');
  if (!existsSync(dir)) {
    o.log(`== litmus: skipped (${dir} not found; set MAPCHECK_LKMM_LITMUS)`);
    return;
  }
  const rounds = o.quick ? 1 : 5;
  const rows = measure(dir, 'sc', ['dfs', 'dpor'], rounds);
  let note: string | null = null;
  try {
    rows.push(...measure(dir, 'lkmm', ['dfs', 'dpor'], rounds));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    note = `lkmm: ${e.message}`;
  }
  out.litmus = { dir, rows, lkmm_note: note };
  o.log(`== litmus: the kernel's litmus-tests directory (${rows[0]?.tests ?? 0} tests); herd7 takes ~1 s (target under lkmm: within 10x)`);
  for (const r of rows) {
    const vsHerd = r.memoryModel === 'lkmm' ? `  = ${r.cliS.toFixed(1)}x herd7's ~1 s` : '';
    o.log(`  ${`${r.memoryModel} ${r.strategy}`.padEnd(10)} mapcheck litmus DIR ${r.cliS.toFixed(2)} s  warm ${r.warmS.toFixed(3)} s  ${String(r.executions).padStart(6)} executions  ${r.agree}/${r.tests} agree with Result:${vsHerd}`);
  }
  if (note) o.log(`  ${note}`);
}
