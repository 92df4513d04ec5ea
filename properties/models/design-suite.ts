/**
 * Shared by the seed-design suites: (1) every CI-tier proof of a fixed variant (ModelDef.proofs:
 * DPOR exhaustion or DFS within the stated preemption bound) is exhaustive with no violation;
 * (2) every scenario a design's arbitrary generates runs to a verdict on every variant (no harness
 * exception, no usage error: the scenario schema accepts what the arbitrary makes);
 * (3) a fast-check property over generated workloads finds nothing on the fixed variants under
 * PCT and POS. Budgets are small in `npm test`; `MAPCHECK_LONG=1` (or `npm run prove`'s long
 * run) raises them to a long-test budget.
 * Leaves out: expected bugs (find-bug.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyModel, type Json, check, proofsOf } from '../../src/index.js';
import { proofLine, runProof } from '../../bench/prove.js';

/** Long-test budgets when MAPCHECK_LONG is set. */
export const LONG = process.env.MAPCHECK_LONG !== undefined && process.env.MAPCHECK_LONG !== '' && process.env.MAPCHECK_LONG !== '0';

export function ciProofs(models: readonly AnyModel[]): void {
  for (const m of models) {
    describe(`${m.name}: its CI-tier proofs hold (exhaustive within the stated bound, no violation)`, () => {
      const ps = proofsOf(m).filter((p) => (p.tier ?? 'ci') === 'ci');
      it('states proofs with three concurrent callers and with reuse (two sessions per thread)', () => {
        const shapes = proofsOf(m).map((p) => m.scenarioShape?.(m.scenarios[p.scenario] as never));
        expect(shapes.some((s) => s !== undefined && s.threads >= 3)).toBe(true);
        expect(shapes.some((s) => s !== undefined && (s.sessions ?? 0) >= 2)).toBe(true);
      });
      for (const p of ps) {
        it(`${p.scenario} (${p.strategy === 'dfs' ? `DFS pb ${p.preemptionBound ?? 0}` : 'DPOR'})`, () => {
          const r = runProof(m, p);
          console.log(proofLine(r));
          expect(r.violation).toBeNull();
          expect(r.exhaustive).toBe(true);
        });
      }
    });
  }
}

/** A violation kind that means the harness, not the model, failed. */
const HARNESS_KINDS = new Set(['exception', 'usage']);

/** Every generated scenario runs to a verdict on every variant: no harness exception, no usage error. */
export function runsToVerdict<P extends Json>(models: readonly AnyModel[], arb: fc.Arbitrary<P>, numRuns: number, seed: number): void {
  it(`every generated scenario runs to a verdict on ${models.map((m) => m.name).join(', ')} (no harness exception)`, () => {
    fc.assert(fc.property(arb, (p) => {
      for (const m of models) {
        const r = check(m, { strategy: 'pct', depth: 3, seed: 3, maxExecutions: 4, scenario: p, keepGoing: true });
        for (const f of r.findings) {
          if (HARNESS_KINDS.has(f.violation.kind)) throw new Error(`${m.name}: ${f.violation.kind}: ${f.violation.message}`);
        }
      }
    }), { numRuns, seed });
  });
}

/** Fixed variants: no violation under PCT and POS on generated workloads. */
export function fixedHoldOnWorkloads<P extends Json>(models: readonly AnyModel[], arb: fc.Arbitrary<P>, what: string): void {
  const numRuns = LONG ? 300 : 6;
  const maxExecutions = LONG ? 400 : 40;
  for (const strategy of ['pct', 'pos'] as const) {
    it(`${models.map((m) => m.name).join(', ')}: no violation under ${strategy.toUpperCase()} on generated workloads (${what}; ${numRuns} workloads x ${maxExecutions} executions${LONG ? ', long budget' : ''})`, () => {
      fc.assert(fc.property(arb, fc.integer({ min: 1, max: 1_000_000 }), (p, seed) => {
        for (const m of models) {
          const r = check(m, { strategy, ...(strategy === 'pct' ? { depth: 3 } : {}), seed, maxExecutions, scenario: p });
          if (r.finding) throw new Error(`${m.name} (${strategy} seed ${seed}): ${r.finding.violation.title}: ${r.finding.violation.message}\n${JSON.stringify(p)}`);
        }
      }), { numRuns, seed: 17 });
    });
  }
}
