/**
 * This build against another one, side by side in one process (`mapcheck bench --baseline DIR`,
 * DIR another mapcheck checkout with `dist/` built, e.g. main's): the throughput workloads (3
 * threads x 20 atomic increments, 8 threads x 100 lock/unlock, both on the enabled set's bitmask
 * path of at most 32 threads) run under this build's random strategy and the other's, alternating
 * round by round so that drift on a shared machine hits both alike. Each build runs its own
 * compiled copy of bench/throughput.ts (its own model code, API and engine: no call site is shared,
 * so neither build's JIT feedback is polluted by the other's classes). Each side's figure is its
 * best round; the ratio this/baseline is printed with the spread of the per-round ratios, so a
 * change to the step loop can show it costs nothing beyond noise.
 * Leaves out: building the baseline (do it in DIR: npm ci && npm run build).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../src/index.js';
import { WORKLOADS, type Workload, mapcheckStepsPerSec } from './throughput.js';

export interface BaselineRow {
  readonly workload: string;
  readonly mine: number;
  readonly baseline: number;
  /** mine / baseline, of the best rounds. */
  readonly ratio: number;
  /** Smallest and largest ratio of one round's pair of measurements. */
  readonly low: number;
  readonly high: number;
}

/** One build's measurement: steps/s of a workload under its random strategy, all checks on. */
export type Measure = (w: Workload, budgetMs: number) => number;

/** Import another build's throughput measurement from its checkout directory. */
export async function loadBaseline(dir: string): Promise<Measure> {
  const entry = join(resolve(dir), 'dist/bench/throughput.js');
  if (!existsSync(entry)) throw new UsageError(`--baseline ${dir}: no ${entry}; build that checkout first (npm ci && npm run build there)`);
  const mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const f = mod['mapcheckStepsPerSec'];
  if (typeof f !== 'function') throw new UsageError(`--baseline ${dir}: ${entry} has no mapcheckStepsPerSec; is it a mapcheck build?`);
  return (w, budgetMs) => (f as typeof mapcheckStepsPerSec)(w, budgetMs);
}

/** `rounds` alternating rounds of `budgetMs` per side and workload. */
export function compareWithBaseline(base: Measure, rounds: number, budgetMs: number): BaselineRow[] {
  const mineOf: Measure = (w, budgetMs) => mapcheckStepsPerSec(w, budgetMs);
  return WORKLOADS.map((w) => {
    let mine = 0;
    let baseline = 0;
    let low = Infinity;
    let high = 0;
    for (let r = 0; r < rounds; r++) {
      // Alternate which side goes first, so neither always runs on a warmer (or hotter) machine.
      let m: number;
      let b: number;
      if (r % 2 === 0) {
        m = mineOf(w, budgetMs);
        b = base(w, budgetMs);
      } else {
        b = base(w, budgetMs);
        m = mineOf(w, budgetMs);
      }
      mine = Math.max(mine, m);
      baseline = Math.max(baseline, b);
      low = Math.min(low, m / b);
      high = Math.max(high, m / b);
    }
    return { workload: w.name, mine, baseline, ratio: mine / baseline, low, high };
  });
}
