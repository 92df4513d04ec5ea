/**
 * The seed scenarios' random throughput of this build against another one, side by side in one
 * process (`mapcheck bench --only seeds --baseline DIR`, or `--only seeds-baseline`): issue 16's
 * targets "random executions/s on iova-extend/fixed dma-mixed >= 2x, the other seed scenarios
 * >= 1.2x" of the build before it, measured in the repository instead of by hand. Each build
 * explores its own compiled copy of each scenario (seeds.ts's list) with its own random
 * strategy, keeping going past violations (a posted model's bug would end a run after a few
 * executions), audit off on both sides (a build before the audit had none), in rounds that
 * alternate which side goes first, timed in process CPU time as baseline.ts does.
 * Printed per scenario: executions per CPU second of each side's best round, the ratio per
 * execution (the target's measure) and per step, and each side's steps per execution — a model
 * that grew between the two builds does more work per execution, which the per-step ratio
 * separates from the engine's speed.
 * Leaves out: DPOR (dpor-baseline.ts compares it on litmus models) and building the baseline
 * (npm ci && npm run build in DIR). A scenario the baseline does not have is listed as missing.
 */
import { findModel } from '../models/index.js';
import { type AnyModel, explore, makeStrategy } from '../src/index.js';
import { importBuild } from './baseline.js';
import { SEED_SCENARIOS } from './seeds.js';

/** What a build must offer: its engine entry points and its model registry. */
export interface SeedBuild {
  readonly explore: typeof explore;
  readonly makeStrategy: typeof makeStrategy;
  readonly findModel: (name: string) => AnyModel | undefined;
}

const THIS_BUILD: SeedBuild = { explore, makeStrategy, findModel };

export interface SeedBaselineRow {
  readonly model: string;
  readonly scenario: string;
  /** Executions per CPU second of each side's best round (null: the baseline lacks the scenario). */
  readonly mine: number;
  readonly baseline: number | null;
  /** mine / baseline per execution and per step (best rounds), and the median per-round ratio per execution. */
  readonly ratio: number | null;
  readonly perStep: number | null;
  readonly median: number | null;
  readonly stepsMine: number;
  readonly stepsBaseline: number | null;
}

/** Import another build's engine and models from its checkout directory. */
export async function loadSeedBaseline(dir: string): Promise<SeedBuild> {
  const [a, m] = await importBuild(dir, ['dist/src/index.js', 'dist/models/index.js'], [[0, 'explore'], [0, 'makeStrategy'], [1, 'findModel']]);
  return { explore: a?.['explore'], makeStrategy: a?.['makeStrategy'], findModel: m?.['findModel'] } as unknown as SeedBuild;
}

interface Rate {
  readonly executions: number;
  readonly steps: number;
}

/** Random exploration of `model`'s `scenario` for about `budgetMs` of CPU time: executions and steps per CPU second. */
function measure(build: SeedBuild, model: AnyModel, scenario: string, budgetMs: number, seed: { next: number }): Rate {
  let executions = 0;
  let steps = 0;
  const c0 = process.cpuUsage();
  let us = 0;
  while (us < budgetMs * 1000) {
    const r = build.explore(model, build.makeStrategy('random', { seed: seed.next++ }), {
      scenario, maxExecutions: 1_000_000_000, deadline: Date.now() + 400, continueAfterViolation: true, audit: false,
    });
    executions += r.executions;
    steps += r.steps;
    const c = process.cpuUsage(c0);
    us = c.user + c.system;
  }
  const s = us / 1e6;
  return { executions: executions / s, steps: steps / s };
}

/** `rounds` alternating rounds of `budgetMs` CPU time per side and scenario (default: seeds.ts's list). */
export function compareSeedsWithBaseline(base: SeedBuild, rounds: number, budgetMs: number,
  scenarios: readonly (readonly [string, string | undefined])[] = SEED_SCENARIOS): SeedBaselineRow[] {
  const rows: SeedBaselineRow[] = [];
  for (const [name, sc] of scenarios) {
    const mineModel = THIS_BUILD.findModel(name);
    if (mineModel === undefined) continue;
    const scenario = sc ?? mineModel.defaultScenario;
    const baseModel = base.findModel(name);
    const seed = { next: 1 };
    // Warm each side's JIT on this model first, for a whole round (not counted): V8 re-optimises
    // the engine's call sites for each new model, and a short warm-up left one side's first
    // rounds at half speed (ioremap-reuse/posted after seven other models: 0.5x, alone 1.3x).
    measure(THIS_BUILD, mineModel, scenario, budgetMs, seed);
    const has = baseModel !== undefined && Object.prototype.hasOwnProperty.call(baseModel.scenarios, scenario);
    if (has) measure(base, baseModel, scenario, budgetMs, seed);
    let best: Rate = { executions: 0, steps: 0 };
    let bestBase: Rate = { executions: 0, steps: 0 };
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const baseFirst = r % 2 === 1;
      let x: Rate | null = null;
      if (baseFirst && has) x = measure(base, baseModel, scenario, budgetMs, seed);
      const m = measure(THIS_BUILD, mineModel, scenario, budgetMs, seed);
      if (!baseFirst && has) x = measure(base, baseModel, scenario, budgetMs, seed);
      if (m.executions > best.executions) best = m;
      if (x !== null) {
        if (x.executions > bestBase.executions) bestBase = x;
        ratios.push(m.executions / x.executions);
      }
    }
    ratios.sort((p, q) => p - q);
    rows.push({
      model: name, scenario, mine: best.executions, stepsMine: best.steps / best.executions,
      baseline: has ? bestBase.executions : null,
      stepsBaseline: has ? bestBase.steps / bestBase.executions : null,
      ratio: has ? best.executions / bestBase.executions : null,
      perStep: has ? best.steps / bestBase.steps : null,
      median: has ? (ratios[Math.floor((ratios.length - 1) / 2)] as number) : null,
    });
  }
  return rows;
}
