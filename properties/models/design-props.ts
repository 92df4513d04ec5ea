/**
 * Shared by the seed-design suites (kiobuf-kvmap, kmap-pfn, vcm): the properties every design must
 * meet whatever its scenario vocabulary is.
 * - `proofSuite`: every proof a fixed variant states (`proofsOf`: strategy, preemption bound,
 *   budget, tier) is exhaustive with no violation in its budget; 'ci' proofs run in `npm test`,
 *   'prove' ones only with MAPCHECK_PROVE=1 (`npm run prove` runs them all).
 * - `runsToVerdict`: a generated scenario the design's validation accepts runs to a verdict under
 *   both variants: no exception escapes the harness, no 'usage' or 'exception' violation.
 * - `fixedHolds`: the fixed variant finds nothing on generated workloads under PCT and POS, apart
 *   from what the caller allows (the WARNs an API documents for a caller's misuse). A short run in
 *   `npm test`; MAPCHECK_LONG=1 multiplies runs and executions (the long-test budget).
 * Leaves out: the posted variants' expected bugs (find-bug.ts searches those).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type AnyModel, type Json, type Violation, check, proofsOf } from '../../src/index.js';

export const LONG = process.env.MAPCHECK_LONG === '1';
export const PROVE = process.env.MAPCHECK_PROVE === '1';

/** One vitest case per stated proof of `model` (tier 'prove' only under MAPCHECK_PROVE=1). */
export function proofSuite(model: AnyModel): void {
  for (const p of proofsOf(model)) {
    const bound = p.strategy === 'dfs' ? ` (DFS, preemption bound ${p.preemptionBound ?? 0})` : ' (DPOR)';
    if (p.tier === 'prove' && !PROVE) continue; // `npm run prove` (MAPCHECK_PROVE=1) runs these
    it(`${p.scenario}${bound}: exhaustive with no violation`, () => {
      const t0 = performance.now();
      const r = check(model, {
        strategy: p.strategy ?? 'dpor', scenario: p.scenario, maxExecutions: p.maxExecutions ?? 1_000_000,
        ...(p.strategy === 'dfs' ? { preemptionBound: p.preemptionBound ?? 0 } : {}),
      });
      console.log(`[${model.name}] ${p.scenario}${bound}: ${r.executions} executions in ${((performance.now() - t0) / 1000).toFixed(1)} s (recorded ${p.executions ?? '?'}), exhaustive=${r.exhaustive}`);
      expect(r.finding?.violation ?? null).toBeNull();
      expect(r.exhaustive).toBe(true);
    });
  }
}

/** Run a few executions of `params` on each model: the harness must reach a verdict (no JS error escapes). */
export function runsToVerdict(models: readonly AnyModel[], params: Json, seed: number): void {
  for (const model of models) {
    let r;
    try {
      r = check(model, { strategy: 'random', seed, scenario: params, maxExecutions: 3, keepGoing: true });
    } catch (e) {
      throw new Error(`${model.name} threw on ${JSON.stringify(params)}: ${String(e)}`);
    }
    for (const f of r.findings) {
      expect(['exception', 'usage'], `${model.name} on ${JSON.stringify(params)}: ${f.violation.title}: ${f.violation.message}`).not.toContain(f.violation.kind);
    }
  }
}

/**
 * The fixed variant on generated workloads under PCT and under POS: no violation except those
 * `allowed` says the API documents for the workload (a caller's misuse).
 */
export function fixedHolds<P extends Json>(model: AnyModel, arb: fc.Arbitrary<P>, o: {
  readonly seed: number; readonly numRuns: number; readonly executions: number;
  readonly allowed?: (p: P, v: Violation) => boolean;
}): void {
  const runs = LONG ? o.numRuns * 10 : o.numRuns;
  const executions = LONG ? o.executions * 10 : o.executions;
  fc.assert(fc.property(arb, fc.integer({ min: 1, max: 100_000 }), (p, seed) => {
    for (const strategy of ['pct', 'pos']) {
      const r = check(model, { strategy, seed, scenario: p, maxExecutions: executions, keepGoing: true });
      const bad = r.findings.filter((f) => !(o.allowed?.(p, f.violation) ?? false));
      if (bad.length > 0) {
        const v = (bad[0] as { violation: Violation }).violation;
        throw new Error(`${strategy} seed ${seed}: ${v.title}: ${v.message}\n  scenario ${JSON.stringify(p)}\n  token ${(bad[0] as { token: string }).token}`);
      }
    }
  }), { seed: o.seed, numRuns: runs });
}
