/**
 * The five seed designs under the Linux-kernel memory model (issue 12, must-have 4): every posted
 * variant's expected bugs are found under `--memory-model lkmm` too (the sc suites' search: DPOR,
 * then bounded DFS, then the portfolio, keep-going, bounded budgets), and each fixed variant passes a subset of its proved scenarios under lkmm, exhaustively
 * where DPOR exhausts them within a few seconds, otherwise within a stated budget with no violation
 * (LKMM_FIXED below says which and why; `npm run bench`'s lkmm-seeds rows measure the rest).
 * A run must not need the audit's fallback either: a note that the model broke DPOR's
 * independence under lkmm fails the test (the reads-from choices must commute as the ops do).
 * Leaves out: timing (bench/lkmm-seeds.ts), the 'prove'-tier scenarios (minutes under sc already)
 * and the one expected bug NOT_UNDER_LKMM names.
 */
import { describe, expect, it } from 'vitest';
import { type AnyModel, check } from '../../src/index.js';
import { allModels } from '../../models/index.js';
import { findBug } from './find-bug.js';

function model(name: string): AnyModel {
  const m = allModels.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no model ${name}`);
  return m;
}

/** Each posted model with the search its sc suite uses (DFS preemption bound, DPOR budget before the portfolio). */
const POSTED: readonly (readonly [string, number, number])[] = [
  ['kmap-pfn/posted', 3, 2_000], ['kiobuf-kvmap/posted', 2, 2_000], ['ioremap-reuse/posted', -1, 300], ['iova-extend/posted', -1, 2_000], ['vcm/posted', 2, 2_000],
];

/**
 * Expected bugs not found under lkmm within these budgets, with the reason. vcm/posted's
 * bind-one-res-race is sc's race detector's finding; under lkmm DPOR (20 000 executions), PCT and
 * random (5 000 each) did not reach a graph where the cat's data-race flag holds for the pair: the
 * iommu driver's page tables and page allocator are engine objects outside the graph, whose ops are
 * full barriers there (docs/soundness.md), which may order the two binds; not resolved.
 */
const NOT_UNDER_LKMM: Readonly<Record<string, readonly string[]>> = { 'vcm/posted': ['bind-one-res-race'] };

describe('posted seeds: every expected bug is found under the LKMM', () => {
  for (const [name, dfsBound, dporBudget] of POSTED) {
    it(name, () => {
      const m = model(name);
      const missing: string[] = [];
      for (const bug of m.expectedBugs ?? []) {
        if ((NOT_UNDER_LKMM[name] ?? []).includes(bug.id)) continue;
        const f = findBug(m, bug, dfsBound, dporBudget, 'lkmm', 3_000);
        if (f === null) missing.push(`${bug.id} (${bug.scenario})`);
        else expect(f.token, `${name} ${bug.id}: the token says lkmm`).toMatch(/^mc1\./);
      }
      expect(missing, `${name}: expected bugs not found under lkmm`).toEqual([]);
    }, 300_000);
  }
});

interface FixedRun {
  readonly model: string;
  readonly scenario: string;
  /** Exhaustive DPOR under lkmm within this budget, or `bounded`: no violation within it. */
  readonly budget: number;
  readonly exhaustive: boolean;
}

/**
 * The fixed variants' scenarios checked here under lkmm. Exhaustive ones are the proved scenarios
 * DPOR exhausts under lkmm in seconds; the others run a bounded DPOR prefix (their lkmm exhaustion
 * takes minutes: reads-from choices multiply the interleavings, see the bench's lkmm-seeds rows).
 */
const LKMM_FIXED: readonly FixedRun[] = [
  // The brief's data point: a use-after-free reported at execution 2 before lifetimes were in the graph.
  { model: 'kmap-pfn/fixed', scenario: 'reader-vs-remove', budget: 5000, exhaustive: true },
  // Re-registration: the walk may read the list as it was before it (onlyLatestReadsSince); DFS pb 2 takes minutes.
  { model: 'kmap-pfn/fixed', scenario: 'rebind', budget: 200, exhaustive: false },
  { model: 'kiobuf-kvmap/fixed', scenario: 'release-vs-unload', budget: 2000, exhaustive: true },
  { model: 'kiobuf-kvmap/fixed', scenario: 'close-vs-unload', budget: 2000, exhaustive: true },
  // Blocked executions and the audit: an inconsistent graph found at a use-after-free check.
  { model: 'kiobuf-kvmap/fixed', scenario: 'open-vs-unload-nobkl', budget: 2000, exhaustive: true },
  // refcount_dec_and_test's control dependency and the clocks of objects outside the graph.
  { model: 'ioremap-reuse/fixed', scenario: 'two-owners', budget: 2000, exhaustive: true },
  { model: 'ioremap-reuse/fixed', scenario: 'morton-use', budget: 2000, exhaustive: true },
  { model: 'ioremap-reuse/fixed', scenario: 'publish-race', budget: 2000, exhaustive: true },
  { model: 'ioremap-reuse/fixed-fresh', scenario: 'walk-vs-unmap', budget: 2000, exhaustive: true },
  { model: 'iova-extend/fixed', scenario: 'extend-while-free', budget: 2000, exhaustive: true },
  { model: 'iova-extend/fixed', scenario: 'ext-enomem', budget: 2000, exhaustive: true },
  { model: 'iova-extend/fixed-simple', scenario: 'grow-to-max', budget: 2000, exhaustive: true },
  { model: 'vcm/fixed', scenario: 'share-map-vs-free', budget: 2000, exhaustive: true },
  { model: 'vcm/fixed', scenario: 'bind-and-map', budget: 2000, exhaustive: true },
  { model: 'vcm/fixed', scenario: 'bind-one-res', budget: 2000, exhaustive: true },
];

describe('fixed seeds pass under the LKMM', () => {
  for (const f of LKMM_FIXED) {
    it(`${f.model} ${f.scenario}: ${f.exhaustive ? 'exhaustive' : `no violation in ${f.budget} executions`}`, () => {
      const r = check(model(f.model), { scenario: f.scenario, strategy: 'dpor', memoryModel: 'lkmm', maxExecutions: f.budget });
      expect(r.finding?.violation.title ?? null, `${f.model} ${f.scenario}: ${r.finding?.token ?? ''}`).toBeNull();
      expect(r.notes, `${f.model} ${f.scenario}`).toEqual([]);
      if (f.exhaustive) expect(r.exhaustive, `${f.model} ${f.scenario}: exhaustive within ${f.budget}`).toBe(true);
      else expect(r.executions).toBe(f.budget);
    }, 120_000);
  }
});
