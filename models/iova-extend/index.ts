/**
 * The iova-extend models (seed 001): `iova-extend/posted` (the patch as written, with the bugs
 * it is expected to show), `iova-extend/fixed` (mainline v3.15's array of equal-size bitmaps) and
 * `iova-extend/fixed-simple` (the same allocator behind the review's max-size + accuracy API).
 * Both run the same scenarios and invariants.
 * Leaves out: nothing of its own; see posted.ts / fixed.ts for what each variant models.
 */
import { type AnyModel, type ExpectedBug, defineModel } from '../../src/index.js';
import { fixedVariant, simpleVariant } from './fixed.js';
import { iovaInspect, iovaInvariants } from './invariants.js';
import { postedVariant } from './posted.js';
import { type IovaParams, iovaScenarios } from './scenarios.js';
import { iovaSchema } from './schema.js';
import { type IovaVariant, type IovaWorld, buildWorld, worldThreads } from './world.js';

export { iovaScenarios, iovaSchema };
export type { IovaParams };

function iovaModel<M>(name: string, description: string, variant: IovaVariant<M>, extra: {
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly provedScenarios?: readonly string[];
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
        scenario: 'odd-window', kinds: ['invariant'], match: 'outside the mapping',
      },
      {
        id: 'dma-addr-wrap',
        description: 'for a window ending at 4 GiB, e->base + e->size wraps to 0 in dma_addr_t: __free_iova skips the range and the IOVA bits are never cleared',
        scenario: 'top-of-space', kinds: ['invariant'], match: 'no live allocation covers it',
      },
    ],
  });

export const iovaFixed = iovaModel('iova-extend/fixed',
  'seed 001 fixed (mainline v3.15 shape): bitmaps[] of equal size, >= bound on nr_bitmaps, every bitmap touched under the lock', fixedVariant, {
    provedScenarios: ['extend-while-free', 'grow-to-max', 'odd-window', 'ext-enomem', 'small-dma', 'three-small', 'dma-mixed', 'top-of-space', 'create-release'],
  });

export const iovaFixedSimple = iovaModel('iova-extend/fixed-simple',
  'seed 001 fixed, created from the review\'s two parameters (max mapping size, allocation accuracy): first bitmap fits one page, grows by it up to the maximum', simpleVariant, {
    provedScenarios: ['extend-while-free', 'grow-to-max', 'odd-window', 'ext-enomem', 'small-dma', 'three-small', 'top-of-space', 'create-release'],
  });

export const iovaModels: readonly AnyModel[] = [iovaPosted, iovaFixed, iovaFixedSimple];
