/**
 * The ioremap-reuse models (seed 000): `ioremap-reuse/posted` (the patch as written, with the
 * bugs it is expected to show), `ioremap-reuse/fixed` (refcount that cannot come back from zero,
 * lookup+get under vmap_area_lock) and `ioremap-reuse/fixed-fresh` (a fresh mapping per ioremap,
 * Morton's alternative, which mainline kept). All three run the same scenarios and invariants.
 * Leaves out: nothing of its own; see posted.ts / fixed.ts for what each variant models.
 */
import { type AnyModel, type ExpectedBug, type VmStruct, defineModel } from '../../src/index.js';
import { fixedVariant, freshVariant } from './fixed.js';
import { ioremapFinal, ioremapInspect, ioremapInvariants } from './invariants.js';
import { postedVariant } from './posted.js';
import { type IoremapParams, ioremapScenarios } from './scenarios.js';
import { ioremapSchema } from './schema.js';
import { type IoVariant, type IoWorld, buildWorld, worldThreads } from './world.js';

export { ioremapScenarios, ioremapSchema };
export type { IoremapParams };

function ioremapModel<V extends VmStruct>(name: string, description: string, variant: IoVariant<V>, extra: {
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly provedScenarios?: readonly string[];
  readonly source: string;
}): AnyModel {
  return defineModel<IoWorld<V>, IoremapParams>({
    name,
    description,
    seed: '000_a16daef9d6281e8e',
    scenarios: ioremapScenarios,
    paramsSchema: ioremapSchema,
    defaultScenario: 'morton',
    setup: (p) => buildWorld(p, variant),
    threads: (w) => worldThreads(w),
    invariants: ioremapInvariants,
    final: ioremapFinal,
    inspect: (w) => ioremapInspect(w),
    maxSteps: 4000,
    source: extra.source,
    ...(extra.expectedBugs ? { expectedBugs: extra.expectedBugs } : {}),
    ...(extra.provedScenarios ? { provedScenarios: extra.provedScenarios } : {}),
  });
}

/** Variant hooks' text goes into the hash so a token recorded before a change is refused. */
function hooksText(v: object): string {
  return Object.values(v).map((f) => String(f)).join('\n');
}

export const ioremapPosted = ioremapModel('ioremap-reuse/posted',
  'seed 000 as posted: find_vm_area_paddr + atomic_t used + __vunmap early return', postedVariant, {
    source: hooksText(postedVariant),
    expectedBugs: [
      {
        id: 'morton-race',
        description: "Morton: another thread grabs a new reference just after this thread has decided to nuke the vmap (the lockless reader races the remover's unpublish, or takes used from 0 to 1)",
        scenario: 'morton', kinds: ['data-race', 'invariant'],
      },
      {
        id: 'morton-resurrect',
        description: 'with the reader\'s loads marked (no KCSAN report) the race is still there: find_vm_area_paddr takes used from 0 to 1 on an area its owner is removing, or dereferences the dying area (its vm_struct freed, va->vm reloaded as NULL)',
        scenario: 'morton-marked', kinds: ['invariant', 'use-after-free', 'page-fault'],
      },
      {
        id: 'morton-stale-mapping',
        description: 'the prober then holds a mapping that is gone: its VA loses its PTE before its iounmap (or its vm_struct is freed, or va->vm reloads as NULL, under it)',
        scenario: 'morton-use', kinds: ['invariant', 'use-after-free', 'page-fault'],
      },
      {
        id: 'sub-then-read',
        description: 'vm_area_used_dec does atomic_sub and atomic_read separately: in the window between them the other owner can drop its reference and free the area, so the first reads a freed vm_struct, or both read 0 and both remove it',
        scenario: 'two-owners', kinds: ['use-after-free', 'invariant', 'page-fault', 'double-free', 'assertion'],
      },
      {
        id: 'walk-vs-unmap',
        description: 'find_vm_area_paddr walks under RCU only, but remove_vm_area sets va->vm = NULL (every va->vm->... reloads it: NULL dereference) and __vunmap kfree()s the vm_struct without a grace period (KASAN use-after-free), even for an area the walker does not want',
        scenario: 'walk-vs-unmap', kinds: ['use-after-free', 'page-fault'], match: 'find_vm_area_paddr',
      },
      {
        id: 'memtype-ignored',
        description: 'find_vm_area_paddr ignores the memory type: ioremap_wc of dev2 returns dev1\'s uncached mapping',
        scenario: 'wc-after-device', kinds: ['invariant', 'wrong-target'], match: 'mapped device',
      },
      {
        id: 'int-off-alias',
        description: '`int off` truncates a 64-bit phys_addr_t difference: a mapping 4 GiB above is returned for dev1 (LPAE)',
        scenario: 'lpae-alias', kinds: ['invariant', 'wrong-target'], match: 'reaches PA',
      },
      {
        id: 'publish-before-map',
        description: 'ioremap publishes its area (setup_vmalloc_vm) before phys_addr and the PTEs are set: a finder returns a VA that is not mapped yet',
        scenario: 'publish-race', kinds: ['invariant', 'page-fault'], match: 'is not mapped',
      },
    ],
  });

export const ioremapFixed = ioremapModel('ioremap-reuse/fixed',
  'seed 000 fixed: refcount_inc_not_zero lookup under vmap_area_lock, one refcount_dec_and_test, type-checked sharing', fixedVariant, {
    source: hooksText(fixedVariant),
    provedScenarios: ['morton', 'morton-marked', 'morton-use', 'two-owners', 'walk-vs-unmap', 'wc-after-device', 'lpae-alias', 'publish-race', 'with-vmalloc', 'shared-page'],
  });

export const ioremapFixedFresh = ioremapModel('ioremap-reuse/fixed-fresh',
  'seed 000, Morton\'s alternative (mainline): a fresh vmap per ioremap', freshVariant, {
    source: hooksText(freshVariant),
    provedScenarios: ['morton', 'morton-marked', 'morton-use', 'two-owners', 'shared-page', 'overlapping', 'same-device', 'disjoint', 'wc-after-device', 'lpae-alias', 'publish-race', 'walk-vs-unmap', 'with-vmalloc'],
  });

export const ioremapModels: readonly AnyModel[] = [ioremapPosted, ioremapFixed, ioremapFixedFresh];
