/**
 * kswapd for the kiobuf-kvmap models: one pass of swap_out over every process's address space,
 * 2.4 mm/vmscan.c: swap_out_mm -> swap_out_vma (with seed 002's hunk: `if (vma->vm_flags &
 * (VM_LOCKED | VM_IO)) return 0;`) -> swap_out_pmd (present PTEs of non-reserved pages) ->
 * try_to_swap_out (TryLockPage, `ptep_get_and_clear`, then the clean-page path: drop the PTE's
 * reference; the page is faulted back in through vm_ops->nopage on the next access).
 *
 * The design rests on this never happening to a kvmap: mmap_kiobuf sets VM_LOCKED ("Don't swap out
 * kvmaps!") and the patch teaches the swapper to skip VM_IO. But mmap_kiobuf sets only VM_LOCKED,
 * which munlock() clears, and the VM_IO test then never applies: kswapd takes kiobuf pages out of
 * the user's mapping (a dirty one would go into the swap cache: a driver's I/O buffer written to
 * swap). That is reported as the violation of the design's own rule, once kswapd has dropped its
 * locks, at the page it reclaimed. 2.4 later named the flag VM_RESERVED (swap_out_vma:
 * `if (vma->vm_flags & VM_RESERVED) return count;`, verified) and drivers mapping kernel memory set it.
 * Locking: 2.4 walks the VMA list under mm->page_table_lock, which every VMA list change also takes
 * (vmlist_modify_lock); the model takes mmap_sem for reading, which orders it the same way against
 * munmap / mlock / mprotect / fork (writers) and lets faults (readers) run beside it.
 * Leaves out: the accessed bit (every PTE is old), the dirty-page / swap-cache path (the violation
 * is reported before it would matter), page-cache pages, more than one pass.
 */
import { PAGE_SIZE, type ThreadSpec, VM_IO, VM_LOCKED, hex, hwFail, op, thread } from '../../src/index.js';
import type { G, KvmapState } from './state.js';

export const SWAP_CHECK = 'kvmap pages are never swapped out';

function* swapOut(s: KvmapState): G<string | null> {
  let hit: string | null = null;
  for (let k = 0; k < s.mms.length; k++) {
    const mm = s.mms[k];
    if (mm === undefined) continue;
    yield* mm.downRead('swap_out_mm: spin_lock(&mm->page_table_lock)');
    for (const vma of mm.vmas.slice()) {
      /* Don't swap out areas which are locked down */
      if (vma.vmFlags & (VM_LOCKED | VM_IO)) continue;
      for (let a = vma.vmStart; a < vma.vmEnd; a += PAGE_SIZE) {
        const pte = yield* mm.pt.walk(a, 'swap_out_pmd: pte_present(*pte)');
        if (!pte.present) continue;
        const page = s.phys.pageAt(pte.pa);
        if (!page || page.reserved) continue;
        yield op.rmw(page.id, 'try_to_swap_out: TryLockPage(page)');
        if (vma.vmPrivateData === s.local_vmap && hit === null) {
          hit = `kswapd reclaimed page ${hex(pte.pa)} of ${mm.name}'s kvmap at ${hex(a)} (${vma.describe()}): nothing but VM_LOCKED kept the swapper away, munlock() cleared it, and mmap_kiobuf does not set VM_IO`;
        }
        yield* mm.pt.unmap(a, PAGE_SIZE, 'try_to_swap_out: ptep_get_and_clear(page_table)');
        yield* s.phys.putPage(page, 'try_to_swap_out: page_cache_release(page)');
      }
    }
    yield* mm.upRead('swap_out_mm: spin_unlock(&mm->page_table_lock)');
  }
  return hit;
}

export function kswapdThread(s: KvmapState): ThreadSpec {
  return thread('kswapd', function* () {
    const hit = yield* swapOut(s);
    if (hit !== null) {
      hwFail('invariant', `${SWAP_CHECK}: ${hit}`, 'try_to_swap_out', { title: `WARNING: invariant '${SWAP_CHECK}' violated` });
    }
  });
}
