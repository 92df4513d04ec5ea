/**
 * Invariants of the kmap-pfn models (issue 5): no reader holds an address into a range whose
 * struct kmap was freed (synchronize_rcu returned only after the readers that started before it);
 * at the end every kmap was paired with a kunmap on the same thread (the kmap_atomic stack and the
 * ghost holdings are empty), a removed device leaves no range on `ranges` and no PTE of its
 * mapping, and nothing probe allocated outlives remove (the engine's leak check).
 * Accesses through an unmapped address and addresses that reach another pfn are caught where they
 * happen, by the page-table walk (page-fault / wrong-target), not here.
 * DPOR (docs/soundness.md): the per-step invariant keeps the engine's conservative default (no
 * `observes`: every state change conflicts with every other). It reads the ghost `holding` lists,
 * which readers push at kmap and pop at kunmap, so neither 'ops' nor an object list is sound, and
 * the restructurings do not keep its strength: an assertion before teardown's kfree or at the
 * reader's kunmap sees the kfree inside a read section only in the orderings where the kfree runs
 * first, and when RCU fails to order the two (the very bug the check is for) the kfree and the
 * reader's rcu_read_unlock are independent ops, so DPOR would explore just one of those orders.
 * The price is DPOR executions (reader-vs-remove: 880 with the fixed design's percpu_ref), and every
 * posted bug is still found within a few dozen.
 * Sleeping inside the window is checked by might_sleep at the sleeping call (cond_resched,
 * copy_to_user's might_fault), not here.
 * Leaves out: user page tables mapping a device pfn (vm_insert_mixed, KH D2).
 */
import { type Check, PAGE_SIZE, freedFor, hex, kmapDepth } from '../../src/index.js';
import type { KmapPfnState } from './state.js';
import { PMEM_VA } from './state.js';

/** Thread id of reader i (thread 0 is the driver). */
export const readerTid = (i: number): number => i + 1;

export const kmapPfnInvariants: readonly Check<KmapPfnState>[] = [
  {
    // No `observes` (conservative default): reads ghost holdings that readers push and pop; see the header.
    name: 'no range freed under a reader',
    check: (s) => {
      for (let i = 0; i < s.holding.length; i++) {
        for (const h of s.holding[i] ?? []) {
          // Freed as the reader can see it (under lkmm the graph decides, not the interleaving).
          if (h.kmap !== null && freedFor(readerTid(i), h.kmap)) {
            return `reader${i} still uses ${hex(h.addr)} (pfn ${hex(h.pfn)}) but the struct kmap of its range was freed`;
          }
        }
      }
      return true;
    },
  },
];

export const kmapPfnFinal: readonly Check<KmapPfnState>[] = [
  {
    name: 'every kmap paired with a kunmap on the same thread',
    check: (s) => {
      for (let i = 0; i < s.holding.length; i++) {
        const held = s.holding[i] ?? [];
        const depth = kmapDepth(readerTid(i));
        if (held.length > 0 || depth > 0) return `reader${i} ends holding ${held.length} kmap address(es), kmap_atomic depth ${depth}`;
      }
      return true;
    },
  },
  {
    name: 'removal leaves no range and no mapping',
    check: (s) => {
      if (!s.removed) return true;
      if (s.ranges.next.v !== s.ranges) return 'the device was removed but a range is still on the ranges list';
      for (let a = PMEM_VA; a < PMEM_VA + s.p.pmemPages * PAGE_SIZE; a += PAGE_SIZE) {
        if (s.kpt.translate(a) !== null) return `the device was removed but ${hex(a)} is still mapped`;
      }
      return true;
    },
  },
];

export function kmapPfnInspect(s: KmapPfnState): Record<string, string | number | boolean> {
  const objs = s.objects;
  const out: Record<string, string | number | boolean> = {
    probe: s.probeRc === null ? 'not finished' : s.probeRc,
    removed: s.removed,
    ranges_empty: s.ranges.next.v === s.ranges,
    devres: s.dev.actions.join(', ') || '(none)',
    pmem_mapped: s.kpt.translate(PMEM_VA) !== null,
  };
  s.kmaps.forEach((k, i) => {
    out[`kmap${i}`] = objs.isFreed(k.kblock) ? 'freed' : k.list.deletedAt ? 'list_del_rcu\'d' : 'on ranges';
  });
  s.holding.forEach((h, i) => {
    out[`reader${i}`] = h.length === 0 ? 'idle' : h.map((x) => `${hex(x.addr)}->pfn ${hex(x.pfn)}`).join(' ');
  });
  return out;
}
