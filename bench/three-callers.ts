/**
 * `mapcheck bench --only three-callers`: issue 16's target "every three-caller proved scenario of
 * the seed models exhausts in <= 60 s on this machine, one worker", measured in the repository
 * instead of by hand. Each scenario of the fixed seed designs with three callers (or two processes
 * and a forked child) is explored from the root by plain `dpor` and by `dpor-fold` (critical
 * sections folded into single events, src/strategies/fold.ts) through `runProof` (prove.ts), one
 * after the other in this process, with the audit on as a user's proof has it, until it is
 * exhausted or the cap (60 s; 5 s with `--quick`) runs out. Printed per run: executions, seconds,
 * the verdict, dpor-fold's restarts and its notes (each names a section that stopped folding and
 * the op that touched its data outside the lock); per scenario which of the two met the target.
 * Only run when named (`--only three-callers`): the whole section takes up to 22 runs of the cap.
 * Leaves out: DFS (bounded proofs of these scenarios are in each model's proofs.ts and in
 * `npm run prove`), more than one worker, and any pass/fail — targets are printed, never asserted.
 */
import { findModel } from '../models/index.js';
import { type ProofRun, runProof } from './prove.js';
import type { BenchOptions, BenchReport } from './index.js';

/** The three-caller scenarios of the fixed seed designs (the seed-models issue's list). */
export const THREE_CALLER_SCENARIOS: readonly (readonly [model: string, scenario: string])[] = [
  ['ioremap-reuse/fixed', 'three-drivers'],
  ['ioremap-reuse/fixed', 'three-users'],
  ['ioremap-reuse/fixed', 'reuse-three'],
  ['ioremap-reuse/fixed-fresh', 'three-drivers'],
  ['ioremap-reuse/fixed-fresh', 'three-users'],
  ['ioremap-reuse/fixed-fresh', 'reuse-three'],
  ['iova-extend/fixed', 'reuse-three'],
  ['kmap-pfn/fixed', 'three-readers'],
  ['vcm/fixed', 'three-drivers'],
  ['vcm/fixed', 'share-three'],
  ['kiobuf-kvmap/fixed', 'two-procs-fork'],
];

export interface ThreeCallerRow {
  readonly model: string;
  readonly scenario: string;
  readonly dpor: ProofRun;
  readonly fold: ProofRun;
}

function show(x: ProofRun): string {
  const verdict = x.violation !== null ? `VIOLATION ${x.violation}` : x.exhaustive ? 'exhaustive' : 'not exhaustive';
  return `${String(x.executions).padStart(9)} executions ${x.seconds.toFixed(1).padStart(5)} s  ${verdict}`;
}

export function threeCallersBench(o: BenchOptions, out: BenchReport): void {
  if (!o.only?.includes('three-callers')) {
    o.log('== three-caller proofs: run with --only three-callers (dpor and dpor-fold on each of 11 scenarios, up to 60 s each)');
    return;
  }
  const capMs = o.quick ? 5_000 : 60_000;
  o.log(`== three-caller proofs of the fixed seed designs, from the root, one worker, audit on, cap ${capMs / 1000} s (issue 16 target: each exhausts within 60 s)`);
  const rows: ThreeCallerRow[] = [];
  for (const [name, scenario] of THREE_CALLER_SCENARIOS) {
    const model = findModel(name);
    if (model === undefined) {
      o.log(`  ${name} ${scenario}: model not built in (skipped)`);
      continue;
    }
    const dpor = runProof(model, { scenario, strategy: 'dpor', maxExecutions: 1e12 }, capMs);
    const fold = runProof(model, { scenario, strategy: 'dpor-fold', maxExecutions: 1e12 }, capMs);
    rows.push({ model: name, scenario, dpor, fold });
    const met = fold.exhaustive && fold.seconds <= 60 ? 'met by dpor-fold' : dpor.exhaustive && dpor.seconds <= 60 ? 'met by dpor'
      : capMs < 60_000 ? `not shown (the cap, ${capMs / 1000} s, is below 60 s)` : 'NOT met';
    o.log(`  ${`${name} ${scenario}`.padEnd(44)} dpor      ${show(dpor)}`);
    o.log(`  ${''.padEnd(44)} dpor-fold ${show(fold)}${fold.foldRestarts > 0 ? `  (${fold.foldRestarts} restart${fold.foldRestarts > 1 ? 's' : ''})` : ''}  target ${met}`);
    for (const n of fold.notes) o.log(`  ${''.padEnd(46)}note: ${n}`);
  }
  const met = rows.filter((r) => (r.fold.exhaustive && r.fold.seconds <= 60) || (r.dpor.exhaustive && r.dpor.seconds <= 60)).length;
  o.log(`  target met on ${met} of ${rows.length} scenarios`);
  out['three_callers'] = rows;
}
