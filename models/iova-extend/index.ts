/**
 * The iova-extend models (seed 001): `iova-extend/posted` (the patch as written, with the bugs
 * it is expected to show), `iova-extend/fixed` (mainline v3.15's array of equal-size bitmaps) and
 * `iova-extend/fixed-simple` (the same allocator behind the review's max-size + accuracy API).
 * Both run the same scenarios and invariants.
 * Leaves out: nothing of its own; see posted.ts / fixed.ts for what each variant models.
 */
import { type AnyModel, type ExpectedBug, type ProofSpec, defineModel } from '../../src/index.js';
import { fixedVariant, simpleVariant } from './fixed.js';
import { iovaInspect, iovaInvariants } from './invariants.js';
import { postedVariant } from './posted.js';
import { type IovaParams, iovaScenarios, iovaShape } from './scenarios.js';
import { iovaSchema } from './schema.js';
import { type IovaVariant, type IovaWorld, buildWorld, worldThreads } from './world.js';

export { iovaScenarios, iovaSchema };
export type { IovaParams };

function iovaModel<M>(name: string, description: string, variant: IovaVariant<M>, extra: {
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly provedScenarios?: readonly string[];
  readonly proofs?: readonly ProofSpec[];
}): AnyModel {
  return defineModel<IovaWorld<M>, IovaParams>({
    name,
    description,
    seed: '001_fa42f034d9fbf01e',
    scenarios: iovaScenarios,
    paramsSchema: iovaSchema,
    defaultScenario: 'extend-while-free',
    setup: (p) => buildWorld(p, variant),
    threads: (w) => worldThreads(w),
    invariants: iovaInvariants as IovaModelChecks<M>,
    inspect: (w) => iovaInspect(w as IovaWorld<unknown>),
    maxSteps: 6000,
    source: Object.values(variant).map((f) => String(f)).join('\n'),
    ...(extra.expectedBugs ? { expectedBugs: extra.expectedBugs } : {}),
    ...(extra.provedScenarios ? { provedScenarios: extra.provedScenarios } : {}),
    ...(extra.proofs ? { proofs: extra.proofs } : {}),
    scenarioShape: iovaShape,
  });
}

type IovaModelChecks<M> = readonly { readonly name: string; readonly check: (w: IovaWorld<M>) => boolean | string | undefined | void }[];

export const iovaPosted = iovaModel('iova-extend/posted',
  'seed 001 as posted: a list of IOVA ranges with per-range bitmaps, extended under the lock, freed by an unlocked walk', postedVariant, {
    expectedBugs: [
      {
        id: 'free-walk-race',
        description: "__free_iova walks mapping->iova_ranges without the lock while __alloc_iova's extension does list_add_tail under it",
        scenario: 'extend-while-free', kinds: ['data-race'], match: '__free_iova',
      },
      {
        id: 'grow-limit',
        description: 'extend_iommu_mapping checks (size + grow_size) >= max_size: the last chunk is refused, capacity never reaches max_size',
        scenario: 'grow-to-max', kinds: ['invariant'], match: 'extend_iommu_mapping refused',
      },
      {
        id: 'bits-rounding',
        description: 'bits = BITS_PER_BYTE * bitmap_size rounds a range up to whole 32-bit words: an 8-page range hands out IOVAs past its end (into the next range once extended)',
        scenario: 'odd-window', kinds: ['invariant'], match: 'violated in __alloc_iova: past the end of the window',
      },
      {
        id: 'extend-wraps-4g',
        description: 'extend_iommu_mapping sets iovar->base = mapping->base + mapping->size in a 32-bit dma_addr_t: a window that grows across 4 GiB hands out IOVA 0 (which arm_iommu_unmap_page then refuses to unmap: `if (!iova) return;`)',
        scenario: 'wrap-extend', kinds: ['invariant'], match: 'violated in __alloc_iova: wrapped past 4 GiB, below the window',
      },
      {
        id: 'dma-addr-wrap',
        description: 'for a window ending at 4 GiB, e->base + e->size wraps to 0 in dma_addr_t: __free_iova skips the range and the IOVA bits are never cleared',
        scenario: 'top-of-space', kinds: ['invariant'], match: 'in __free_iova cleared nothing',
      },
      {
        id: 'oversized-free',
        description: "__free_iova trusts the caller's size: a driver that unmaps its 1-page buffer as 2 pages clears its neighbour's bit (and iommu_unmap drops the neighbour's IOMMU entry), so the IOVA is handed out twice",
        scenario: 'oversized-free', kinds: ['invariant'], match: "violated in __free_iova: another buffer's bit cleared",
      },
      {
        id: 'cross-range-free',
        description: "__free_iova's range-crossing branch carries an oversized free into the next iova_range: the neighbour's bit there is cleared (the last page of range 0 freed as 2 pages clears range 1's first bit)",
        scenario: 'oversized-free-across', kinds: ['invariant'], match: "violated in __free_iova: another buffer's bit cleared in the next range",
      },
      {
        id: 'zero-length-alias',
        description: 'a zero-length dma_map_page gets count 0 (and, with get_order(0) = 20, a 256-slot alignment): its handle has no bit set, so the next allocation gets the same IOVA while the zero-length mapping is live',
        scenario: 'zero-length', kinds: ['invariant'], match: 'violated in __alloc_iova: handle shared',
      },
    ],
  });

/**
 * The fixed variants' proofs, each with the executions `mapcheck prove` measured (the same for both
 * variants). DPOR exhausts every scenario but the three-driver reuse one in CI (a few thousand
 * executions at most: the design serialises everything under mapping->lock); `reuse-three` is
 * proved under DFS with preemption bound 1 in CI and 2 in the prove tier (DPOR does not finish it).
 * odd-window and wrap-extend are one execution each (one driver, or a window -ERANGE refuses), so
 * they prove nothing about interleavings and are left to the suite's per-scenario checks.
 */
const dpor = (scenario: string, executions: number, tier: 'ci' | 'prove' = 'ci'): ProofSpec => ({ scenario, strategy: 'dpor', tier, executions });
const dfs = (scenario: string, preemptionBound: number, executions: number, tier: 'ci' | 'prove'): ProofSpec => ({ scenario, strategy: 'dfs', preemptionBound, tier, executions });
const FIXED_PROOFS: readonly ProofSpec[] = [
  dpor('extend-while-free', 20), dpor('grow-to-max', 20), dpor('ext-enomem', 53), dpor('small-dma', 694), dpor('top-of-space', 20),
  dpor('create-release', 10), dpor('three-small', 1680), dpor('oversized-free', 2168), dpor('oversized-free-across', 694),
  dpor('short-and-foreign-free', 35), dpor('zero-length', 84), dpor('all-failures', 1840), dfs('reuse-three', 1, 697, 'ci'),
  dpor('dma-mixed', 4991, 'prove'), dfs('reuse-three', 2, 27_480, 'prove'),
];

export const iovaFixed = iovaModel('iova-extend/fixed',
  'seed 001 fixed (mainline v3.15 shape plus review): bitmaps[] of equal size, >= bound on nr_bitmaps, every bitmap touched under the lock, -ERANGE past 4 GiB, frees by the recorded allocation', fixedVariant, {
    proofs: FIXED_PROOFS,
  });

export const iovaFixedSimple = iovaModel('iova-extend/fixed-simple',
  'seed 001 fixed, created from the review\'s two parameters (max mapping size, allocation accuracy): first bitmap fits one page, grows by it up to the maximum', simpleVariant, {
    proofs: FIXED_PROOFS,
  });

export const iovaModels: readonly AnyModel[] = [iovaPosted, iovaFixed, iovaFixedSimple];
