/**
 * Sanitizer cost (issue 3, Performance): steps/s of the kernel-API bench models with every
 * sanitizer on (KCSAN race check, KASAN lifetime checks, lockdep, sleep-in-atomic, refcount
 * checks) against the same models with `sanitize: false`, measured alternately in one process.
 * Target: on >= 0.5 x off, printed as `sanitizers_on_vs_off` (the worse of the two models).
 * Leaves out: per-sanitizer breakdown (they share one switch).
 */
import { type AnyModel, benchHwModel, benchKernelModel, explore, makeStrategy } from '../src/index.js';

export interface SanitizerRow {
  readonly model: string;
  readonly on: number;
  readonly off: number;
}

function stepsPerSec(model: AnyModel, sanitize: boolean, budgetMs: number): number {
  const sched = makeStrategy('random', { seed: 5 });
  let steps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budgetMs) {
    const r = explore(model, sched, { maxExecutions: 200, sanitize });
    if (r.finding) throw new Error(`${model.name} is expected clean: ${r.finding.violation.message}`);
    steps += r.steps;
    t = performance.now();
  }
  return steps / ((t - t0) / 1000);
}

export function sanitizerCost(rounds: number, budgetMs: number): SanitizerRow[] {
  const rows: SanitizerRow[] = [];
  for (const model of [benchKernelModel(), benchHwModel()] as AnyModel[]) {
    let on = 0;
    let off = 0;
    for (let r = 0; r < rounds; r++) {
      on = Math.max(on, stepsPerSec(model, true, budgetMs));
      off = Math.max(off, stepsPerSec(model, false, budgetMs));
    }
    rows.push({ model: model.name, on, off });
  }
  return rows;
}
