/**
 * Shared by the seed-design suites (ioremap-reuse, iova-extend, kiobuf-kvmap, kmap-pfn, vcm): the
 * properties every design must meet whatever its scenario vocabulary is.
 * - `proofSuite` / `ciProofs`: every proof a fixed variant states (`proofsOf`: DPOR exhaustion or
 *   DFS within the stated preemption bound, budget, tier) is exhaustive with no violation; 'ci'
 *   proofs run in `npm test`, 'prove' ones only with MAPCHECK_PROVE=1 (`npm run prove` runs them
 *   all). `ciProofs` also asks for proofs with three concurrent callers and with reuse.
 * - `runsToVerdict` / `everyScenarioRunsToVerdict`: a generated scenario runs to a verdict on
 *   every variant: no exception escapes the harness, no 'usage' or 'exception' violation (the
 *   design's validation accepts what its arbitrary makes).
 * - `fixedHolds` / `fixedHoldOnWorkloads`: the fixed variants find nothing on generated workloads
 *   under PCT and POS (keep-going, every violation of an execution counts), apart from what the
 *   caller allows (the WARNs an API documents for a caller's misuse). Small budgets in `npm test`;
 *   MAPCHECK_LONG=1 multiplies runs and executions by ten (the long-test budget).
 * - `twoFindings`: expected bugs that share a site are still two campaign findings (their witnesses
 *   have titles naming two failures and distinct signatures).
 * - `refusalOf`: how a design refuses a scenario it cannot run: its params schema's UsageError
 *   before setup, or its setup's relation check (a 'usage' violation before any step); null when
 *   the scenario is accepted.
 * Leaves out: the posted variants' expected bugs (find-bug.ts searches those).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyModel, type ExpectedBug, type Json, type ProofSpec, UsageError, type Violation, check, proofsOf, scenarioParams } from '../../src/index.js';
import { proofLine, runProof } from '../../bench/prove.js';
import { type Found, foundSignature } from './find-bug.js';

const on = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0';
/** Long-test budgets (MAPCHECK_LONG=1) and the prove tier (MAPCHECK_PROVE=1). */
export const LONG = on(process.env.MAPCHECK_LONG);
export const PROVE = on(process.env.MAPCHECK_PROVE);

const boundOf = (p: ProofSpec): string => (p.strategy === 'dfs' ? `DFS, preemption bound ${p.preemptionBound ?? 0}` : p.strategy === 'dpor-fold' ? 'DPOR, sections folded' : 'DPOR');

/** One vitest case per stated proof of `model` (tier 'prove' only under MAPCHECK_PROVE=1). */
export function proofSuite(model: AnyModel): void {
  for (const p of proofsOf(model)) {
    if ((p.tier ?? 'ci') === 'prove' && !PROVE) continue;
    it(`${p.scenario} (${boundOf(p)}): exhaustive with no violation`, () => {
      const r = runProof(model, p);
      console.log(proofLine(r));
      expect(r.violation).toBeNull();
      expect(r.exhaustive).toBe(true);
    });
  }
}

/** Per model: it states proofs with three concurrent callers and with reuse, and each proof holds. */
export function ciProofs(models: readonly AnyModel[]): void {
  for (const m of models) {
    describe(`${m.name}: its proofs hold (exhaustive within the stated bound, no violation)`, () => {
      it('states proofs with three concurrent callers and with reuse (two sessions per thread), each measured and more than one execution', () => {
        const shapes = proofsOf(m).map((p) => m.scenarioShape?.(m.scenarios[p.scenario] as never));
        expect(shapes.some((s) => s !== undefined && s.threads >= 3)).toBe(true);
        expect(shapes.some((s) => s !== undefined && (s.sessions ?? 0) >= 2)).toBe(true);
        for (const p of proofsOf(m)) expect(p.executions ?? 0, `${p.scenario}: recorded executions`).toBeGreaterThan(1);
      });
      proofSuite(m);
    });
  }
}

/** A violation kind that means the harness, not the model, failed. */
const HARNESS_KINDS = ['exception', 'usage'];

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
      expect(HARNESS_KINDS, `${model.name} on ${JSON.stringify(params)}: ${f.violation.title}: ${f.violation.message}`).not.toContain(f.violation.kind);
    }
  }
}

/** A vitest case: every scenario `arb` generates runs to a verdict on every model. */
export function everyScenarioRunsToVerdict<P extends Json>(models: readonly AnyModel[], arb: fc.Arbitrary<P>, numRuns: number, seed: number): void {
  it(`every generated scenario runs to a verdict on ${models.map((m) => m.name).join(', ')} (no harness exception)`, () => {
    fc.assert(fc.property(arb, fc.integer({ min: 1, max: 1000 }), (p, s) => runsToVerdict(models, p, s)), { numRuns, seed });
  });
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
      const first = bad[0];
      if (first !== undefined) {
        const v = first.violation;
        throw new Error(`${model.name} (${strategy} seed ${seed}): ${v.title}: ${v.message}\n  scenario ${JSON.stringify(p)}\n  token ${first.token}`);
      }
    }
  }), { seed: o.seed, numRuns: runs });
}

/** Vitest cases: each fixed model holds on `arb`'s workloads (6 workloads x 40 executions, x10 when long). */
export function fixedHoldOnWorkloads<P extends Json>(models: readonly AnyModel[], arb: fc.Arbitrary<P>, what: string): void {
  for (const m of models) {
    it(`${m.name}: no violation under PCT and POS on generated workloads (${what})`, () => {
      fixedHolds(m, arb, { seed: 17, numRuns: 6, executions: 40 });
    });
  }
}

/** The one-line refusal of `params` by `model` (schema before setup, or setup's relation check); null when it runs. */
export function refusalOf(model: AnyModel, params: unknown): string | null {
  try {
    scenarioParams(model, params as Json);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  const v = check(model, { strategy: 'random', maxExecutions: 1, scenario: params as Json }).finding?.violation;
  return v?.kind === 'usage' && v.step < 0 ? v.message : null;
}

/**
 * Vitest cases: for each pair of `model`'s expected bugs (ids), the witnesses `search` finds have
 * different titles and different campaign signatures (a campaign files them as two bugs).
 */
export function twoFindings(model: AnyModel, pairs: readonly (readonly [string, string])[], search: (bug: ExpectedBug) => Found | null): void {
  const bug = (id: string): ExpectedBug => {
    const b = (model.expectedBugs ?? []).find((x) => x.id === id);
    if (b === undefined) throw new Error(`${model.name} declares no expected bug ${id}`);
    return b;
  };
  for (const [a, b] of pairs) {
    it(`${a} and ${b} are two campaign findings (distinct titles and signatures)`, () => {
      const fa = search(bug(a));
      const fb = search(bug(b));
      expect(fa, a).not.toBeNull();
      expect(fb, b).not.toBeNull();
      expect(fa!.v.title, 'the titles name two failures').not.toBe(fb!.v.title);
      expect(foundSignature(model, fa!)).not.toBe(foundSignature(model, fb!));
    });
  }
}
