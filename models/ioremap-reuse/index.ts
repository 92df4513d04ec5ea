/**
 * The ioremap-reuse models (seed 000): `ioremap-reuse/posted` (the patch as written, with the
 * bugs it is expected to show), `ioremap-reuse/fixed` (refcount that cannot come back from zero,
 * lookup+get under vmap_area_lock) and `ioremap-reuse/fixed-fresh` (a fresh mapping per ioremap,
 * Morton's alternative, which mainline kept). All three run the same scenarios and invariants.
 * Leaves out: nothing of its own; see posted.ts / fixed.ts for what each variant models.
 */
import { type AnyModel, type ExpectedBug, type ProofSpec, type VmStruct, defineModel } from '../../src/index.js';
import { fixedVariant, freshVariant } from './fixed.js';
import { ioremapFinal, ioremapInspect, ioremapInvariants } from './invariants.js';
import { postedVariant } from './posted.js';
import { FIXED_PROOFS, FRESH_PROOFS } from './proofs.js';
import { type IoremapParams, ioremapScenarios, ioremapShape } from './scenarios.js';
import { ioremapSchema } from './schema.js';
import { type IoVariant, type IoWorld, buildWorld, worldThreads } from './world.js';

export { ioremapScenarios, ioremapSchema };
export type { IoremapParams };

function ioremapModel<V extends VmStruct>(name: string, description: string, variant: IoVariant<V>, extra: {
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly provedScenarios?: readonly string[];
  readonly proofs?: readonly ProofSpec[];
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
    ...(extra.proofs ? { proofs: extra.proofs } : {}),
    scenarioShape: ioremapShape,
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
        description: "Morton: another thread grabs a new reference just after this thread has decided to nuke the vmap: find_vm_area_paddr's lockless plain loads of va->flags / va->vm race with remove_vm_area's unpublish (KCSAN)",
        scenario: 'morton', kinds: ['data-race'], match: 'data-race in find_vm_area_paddr',
      },
      {
        id: 'morton-resurrect',
        description: 'with the reader\'s loads marked (READ_ONCE: no report on them) the race is still there: find_vm_area_paddr\'s vm_area_used_inc takes used from 0 to 1 on an area its owner has decided to remove',
        scenario: 'morton-marked', kinds: ['invariant'], match: 'vm_area_used_inc (from find_vm_area_paddr)',
      },
      {
        id: 'morton-stale-mapping',
        description: 'the prober then holds a mapping that is gone: its VA from find_vm_area_paddr has no PTE any more when it comes to iounmap',
        scenario: 'morton-use', kinds: ['invariant'], match: 'from find_vm_area_paddr (boot ioremap area) is not mapped before iounmap',
      },
      {
        id: 'sub-then-read',
        description: 'vm_area_used_dec does atomic_sub and atomic_read separately: in the window between them the other owner can drop its reference and free the area, so the first reads a freed vm_struct, or both read 0 and both remove it',
        scenario: 'two-owners', kinds: ['use-after-free', 'invariant', 'page-fault'], match: 'vm_area_used_dec',
      },
      {
        id: 'walk-vs-unmap',
        description: 'find_vm_area_paddr walks under RCU only, but remove_vm_area sets va->vm = NULL (every va->vm->... reloads it: NULL dereference) and __vunmap kfree()s the vm_struct without a grace period (KASAN use-after-free), even for an area the walker does not want',
        scenario: 'walk-vs-unmap', kinds: ['use-after-free', 'page-fault'], match: 'in find_vm_area_paddr',
      },
      {
        id: 'memtype-ignored',
        description: 'find_vm_area_paddr ignores the memory type: ioremap_wc of dev2 returns dev1\'s uncached mapping',
        scenario: 'wc-after-device', kinds: ['invariant'], match: 'from find_vm_area_paddr (boot ioremap area) is mapped device',
      },
      {
        id: 'int-off-alias',
        description: '`int off` truncates a 64-bit phys_addr_t difference: a mapping 4 GiB above is returned for dev1 (LPAE)',
        scenario: 'lpae-alias', kinds: ['invariant'], match: 'from find_vm_area_paddr (boot ioremap area) reaches PA 0x120001000',
      },
      {
        id: 'publish-before-map',
        description: 'ioremap publishes its area (setup_vmalloc_vm) before phys_addr and the PTEs are set: a finder that matches it on its phys_addr returns a VA that is not mapped yet',
        scenario: 'publish-race', kinds: ['invariant'], match: 'from find_vm_area_paddr (__arm_ioremap_pfn_caller area) is not mapped when ioremap returned',
      },
      {
        id: 'offset-lost',
        description: 'patch 2/2 passes &offset, the caller\'s in-page offset, to find_vm_area_paddr with a page-aligned paddr: it comes back as the page offset only, so dev2 (0x20001400) gets dev1\'s registers (0x20001000)',
        scenario: 'shared-page', kinds: ['invariant'],
        match: 'from find_vm_area_paddr (__arm_ioremap_pfn_caller area) reaches PA 0x20001000 when ioremap returned, but ioremap was asked for 0x20001400',
      },
      {
        id: 'static-area-reused',
        description: 'find_vm_area_paddr also walks ARM static mappings (iotable_init: VM_IOREMAP, used 0, imported by vmalloc_init): an ioremap_wc that find_static_vm_paddr rightly refused (other memory type) is handed the static MT_DEVICE mapping, taking used from 0',
        scenario: 'static-wc', kinds: ['invariant'], match: 'from find_vm_area_paddr (iotable_init area) is mapped device',
      },
      {
        id: 'pci-io-reservation',
        description: 'the PCI I/O reservation (vm_reserve_area_early: VM_IOREMAP, phys_addr 0, nothing mapped) matches any low physical address: a device at 0x800 gets a VA in the PCI I/O window',
        scenario: 'low-pa-pci', kinds: ['invariant'], match: 'from find_vm_area_paddr (pci_reserve_io area) is not mapped',
      },
      {
        id: 'half-built-low-pa',
        description: 'a freshly published ioremap area still has phys_addr 0 (stored after get_vm_area_caller returns): a low-PA ioremap matches it on that 0 and gets another device\'s VA (not mapped yet, or mapped to the other device)',
        scenario: 'low-pa-half-built', kinds: ['invariant'], match: 'from find_vm_area_paddr (__arm_ioremap_pfn_caller area, matched while its phys_addr was unset)',
      },
      {
        id: 'foreign-vm-area',
        description: 'areas of get_vm_area(VM_IOREMAP) users (alloc_vm_area: phys_addr 0, no PTEs; freed with free_vm_area, around __vunmap and `used`) match a low-PA ioremap',
        scenario: 'foreign-vm-area', kinds: ['invariant'], match: 'from find_vm_area_paddr (alloc_vm_area area) is not mapped',
      },
      {
        id: 'map-fail-leak',
        description: 'ioremap_page_range fails after a finder took a reference on the half-built area: the creator\'s vunmap returns early (used is 1), so the finder keeps an area that is never mapped',
        scenario: 'map-fails', kinds: ['invariant'], match: 'from find_vm_area_paddr (__arm_ioremap_pfn_caller area) is not mapped before iounmap',
      },
    ],
  });

/**
 * The fixed variants' proofs. CI tier: every scenario DPOR exhausts in a few thousand executions,
 * and the three-caller and reuse scenarios under DFS with preemption bound 1. Prove tier: the
 * rest of the scenarios under DPOR, and the three-caller / reuse ones with preemption bound 2
 * (or exhaustively where DPOR finishes). `executions` as measured by `npm run prove`.
 */
export const ioremapFixed = ioremapModel('ioremap-reuse/fixed',
  'seed 000 fixed: refcount_inc_not_zero lookup under vmap_area_lock, one refcount_dec_and_test, type-checked sharing of fully built areas', fixedVariant, {
    source: hooksText(fixedVariant),
    proofs: FIXED_PROOFS,
  });

export const ioremapFixedFresh = ioremapModel('ioremap-reuse/fixed-fresh',
  'seed 000, Morton\'s alternative (mainline): a fresh vmap per ioremap', freshVariant, {
    source: hooksText(freshVariant),
    proofs: FRESH_PROOFS,
  });

export const ioremapModels: readonly AnyModel[] = [ioremapPosted, ioremapFixed, ioremapFixedFresh];
