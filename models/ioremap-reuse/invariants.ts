/**
 * Invariants of the ioremap-reuse design (DESIGN.md §6, issue 4), shared by every variant:
 * - no increment from zero: a reference taken on an area whose count had reached 0 (its owner
 *   has decided to remove it) resurrects a dying object;
 * - one owner frees each area: two owners that both see the count reach 0 will both remove and
 *   free it (the outcome, a double free, is KASAN's to report; this catches the decision);
 * - a VA returned to a caller keeps translating to the PA and memory type it asked for until that
 *   caller's iounmap. MOVED out of the per-step list (it read live promises, ghost state that
 *   threads add and remove, so DPOR would have had to order every write against every other):
 *   world.ts `keepsPromise` checks it in the driver, with a page-walk read op of the PTE, when
 *   ioremap returns and right before iounmap; accesses in between check it in src/hw (readl's
 *   expectPa / expectType). A promise broken and restored between two of those points, with no
 *   access in between, is no longer reported;
 * - at the end: no PTE left in the vmalloc window and vmap_area_list empty, apart from ARM's
 *   boot-time areas (static mappings keep their PTEs and, like the PCI reservation, their list
 *   entry for good); heap leaks are the engine's kmemleak check, areas freed twice its KASAN check.
 * Also `inspect`: the list, each area's count, and the live promises, for reports.
 * Leaves out: checks on the RCU callback queue (the rcu module reports misuse itself).
 */
import { type Check, type VmStruct, hex } from '../../src/index.js';
import { VMALLOC_END, VMALLOC_START, type IoWorld, isBootArea } from './world.js';

type W = IoWorld<VmStruct>;

export const ioremapInvariants: readonly Check<W>[] = [
  {
    name: 'no increment from zero',
    // 'ops': ghost.resurrected is only ever pushed to (posted.ts vm_area_used_inc), never cleared.
    observes: 'ops',
    check: (w) => !w.params.watchResurrection || w.ghost.resurrected.length === 0 || (w.ghost.resurrected[0] as string),
  },
  {
    name: 'one owner frees each area',
    // 'ops': ghost.deciders only grows (world.ts noteDecider pushes; nothing deletes or pops).
    observes: 'ops',
    check: (w) => {
      for (const [, who] of w.ghost.deciders) {
        if (who.length > 1) return `${who.join(' and ')} both saw the count reach 0: each will remove and free the same area`;
      }
      return true;
    },
  },
];

export const ioremapFinal: readonly Check<W>[] = [
  {
    name: 'vmalloc window empty after every iounmap',
    check: (w) => {
      for (let a = VMALLOC_START; a < VMALLOC_END; a += 0x1000) {
        if (w.kpt.translate(a) !== null && !w.statics.some((s) => s.addr <= a && a < s.addr + s.size)) return `PTE for ${hex(a)} still present after every thread finished`;
      }
      const left = w.vmalloc.list.filter((va) => !isBootArea(w, va.vaStart));
      if (left.length > 0) return `${left.length} vmap_area(s) still on vmap_area_list (${left.map((va) => hex(va.vaStart)).join(', ')})`;
      return true;
    },
  },
];

/** Key state for reports: every area with its count, and every live promise. */
export function ioremapInspect(w: W): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const va of w.vmalloc.list) {
    const vm = va.vm.value as (VmStruct & { used?: { value: number }; ref?: { value: number } }) | null;
    const count = vm?.used?.value ?? vm?.ref?.value;
    out[`vmap_area ${hex(va.vaStart)}`] = vm
      ? `flags=${hex(va.flags.value)} phys=${hex(vm.physAddr.value)}${count !== undefined ? ` used=${count}` : ''}`
      : `flags=${hex(va.flags.value)} vm=NULL`;
  }
  for (const p of w.ghost.promises.values()) {
    const t = w.kpt.translate(p.va);
    out[`promise ${p.who}`] = `${hex(p.va)} -> ${hex(p.pa)} ${p.type}; now ${t ? `${hex(t.pa)} ${t.type}` : 'unmapped'}`;
  }
  out['increments from zero'] = w.ghost.resurrected.length;
  if (w.ghost.misuseAnswers.length > 0) out['kernel answers to caller misuse'] = w.ghost.misuseAnswers.join('; ');
  return out;
}
