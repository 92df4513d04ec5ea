/**
 * Temporary kernel mappings: kmap_atomic / __kunmap_atomic (kunmap_atomic) and page_address, for a
 * 64-bit kernel (every page is in the linear map; kmap_atomic only disables preemption and page
 * faults) and for a 32-bit HIGHMEM kernel (a high page gets a per-CPU fixmap slot: a PTE set at
 * kmap_atomic, cleared at kunmap_atomic, slots used as a stack).
 *
 * Follows include/linux/highmem.h (v4.2, !CONFIG_HIGHMEM: preempt_disable(); pagefault_disable();
 * return page_address(page)) and arch/x86/mm/highmem_32.c (kmap_atomic_prot: kmap_atomic_idx_push,
 * set_pte(kmap_pte - idx); __kunmap_atomic: the fixmap address must be the top slot, else with
 * CONFIG_DEBUG_HIGHMEM `BUG_ON(vaddr < PAGE_OFFSET); BUG_ON(vaddr >= high_memory)`). The per-thread
 * kmap stack is the pairing check: __kunmap_atomic of an address this thread did not kmap_atomic
 * (or not in LIFO order) is an 'assertion' violation with the kernel's BUG/WARN title, and
 * `kmapDepth()` lets a model's final check demand that every kmap was unmapped.
 * Leaves out: kmap() (the sleeping, pkmap-based one), per-CPU slot exhaustion (KM_TYPE_NR),
 * cache flushing, kmap_atomic_prot memory types.
 */
import { allocThreadSlot, currentExecution } from '../engine/execution.js';
import type { Op } from '../engine/ops.js';
import type { Site } from '../engine/violation.js';
import { kctx, kfail } from '../linux/kernel.js';
import { PAGE_SIZE, hex } from './addr.js';
import type { PageTable } from './pagetable.js';
import type { Page } from './phys.js';

type G<R> = Generator<Op, R, unknown>;

/** Fixmap slots per thread (KM_TYPE_NR). */
export const KM_TYPE_NR = 4;

/** The address layout kmap works in. */
export interface HighmemLayout {
  /** The kernel page table (init_mm). */
  readonly kpt: PageTable;
  /** 32-bit HIGHMEM kernel (pages at or above `highStart` need a fixmap slot). */
  readonly highmem: boolean;
  /** PAGE_OFFSET: page_address(lowmem page) = linearBase + pa. */
  readonly linearBase: number;
  /** Physical address where highmem starts (high_memory - PAGE_OFFSET); 64-bit: Infinity. */
  readonly highStart: number;
  /** FIX_KMAP_BEGIN's virtual address; thread t's slot i is at fixmapBase + (t * KM_TYPE_NR + i) * PAGE_SIZE. */
  readonly fixmapBase: number;
}

interface KmapCtx {
  /** Addresses kmap_atomic returned, innermost last. */
  readonly stack: number[];
  /** current->pagefault_disabled. */
  pagefaultDisabled: number;
}

const SLOT = allocThreadSlot();

function kmapCtx(): KmapCtx {
  const e = currentExecution();
  const th = e.threads[e.running];
  if (th === undefined) return { stack: [], pagefaultDisabled: 0 };
  let c = th.slots[SLOT] as KmapCtx | undefined;
  if (c === undefined) {
    c = { stack: [], pagefaultDisabled: 0 };
    th.slots[SLOT] = c;
  }
  return c;
}

/** How many kmap_atomic mappings thread `tid` still holds (0 when every kmap was paired). */
export function kmapDepth(tid: number): number {
  const c = currentExecution().threads[tid]?.slots[SLOT] as KmapCtx | undefined;
  return c ? c.stack.length : 0;
}

/** PageHighMem(page). */
export function PageHighMem(l: HighmemLayout, page: Page): boolean {
  return l.highmem && page.pa >= l.highStart;
}

/** page_address(page): the linear-map address of a lowmem page (null for a high page). */
export function page_address(l: HighmemLayout, page: Page): number | null {
  return PageHighMem(l, page) ? null : l.linearBase + page.pa;
}

/**
 * Map the linear map of `pages` in setup (the boot-time direct mapping; no ops). High pages of a
 * HIGHMEM kernel are skipped: they have no permanent kernel address.
 */
export function mapLinear(l: HighmemLayout, pages: readonly Page[]): void {
  for (const p of pages) {
    const va = page_address(l, p);
    if (va === null) continue;
    const pte = l.kpt.pte(va);
    pte.present = true;
    pte.pa = p.pa;
    pte.type = 'cached';
    pte.prot = 3;
  }
}

function slotVa(l: HighmemLayout, tid: number, idx: number): number {
  return l.fixmapBase + (tid * KM_TYPE_NR + idx) * PAGE_SIZE;
}

/** kmap_atomic(page): returns the address the page can be accessed at until kunmap_atomic. */
export function* kmap_atomic(l: HighmemLayout, page: Page, label = 'kmap_atomic'): G<number> {
  const c = kmapCtx();
  kctx().preempt++;
  c.pagefaultDisabled++;
  const low = page_address(l, page);
  if (low !== null) {
    c.stack.push(low);
    return low;
  }
  const tid = currentExecution().running;
  const idx = c.stack.filter((a) => a >= l.fixmapBase).length;
  if (idx >= KM_TYPE_NR) {
    kfail('assertion', `kmap_atomic: T${tid} nests more than KM_TYPE_NR (${KM_TYPE_NR}) atomic kmaps`, label, { title: `kernel BUG at arch/x86/mm/highmem_32.c: kmap_atomic_idx_push` });
  }
  const va = slotVa(l, tid, idx);
  yield* l.kpt.map(va, page.pa, PAGE_SIZE, 'cached', { label: `${label}: set_pte(kmap_pte - idx, mk_pte(page))` });
  c.stack.push(va);
  return va;
}

/**
 * __kunmap_atomic(addr) / kunmap_atomic(addr). `related`: another site that explains a mismatch
 * (e.g. where the range the address came from was unpublished); it is added to the report.
 */
export function* kunmap_atomic(l: HighmemLayout, addr: number, label = 'kunmap_atomic', related: Site | null = null): G<void> {
  const c = kmapCtx();
  const tid = currentExecution().running;
  const ctx = related && related.thread !== tid
    ? { threads: [tid, related.thread], sites: [{ thread: tid, step: currentExecution().stepIndex - 1, label }, related] }
    : {};
  const top = c.stack[c.stack.length - 1];
  const inFixmap = l.highmem && addr >= l.fixmapBase && addr < l.fixmapBase + 64 * KM_TYPE_NR * PAGE_SIZE;
  if (inFixmap) {
    if (top !== addr) {
      kfail('assertion', `kunmap_atomic(${hex(addr)}) by T${tid}: not the innermost kmap_atomic slot of this thread (${top === undefined ? 'none held' : hex(top)})`, label, {
        title: 'WARNING: at arch/x86/mm/highmem_32.c: __kunmap_atomic: vaddr != __fix_to_virt(FIX_KMAP_BEGIN + idx)', ...ctx,
      });
    }
    yield* l.kpt.unmap(addr, PAGE_SIZE, `${label}: kpte_clear_flush`);
  } else if (l.highmem) {
    // CONFIG_DEBUG_HIGHMEM: a non-fixmap address must be a lowmem (linear map) address.
    if (addr < l.linearBase || addr >= l.linearBase + l.highStart) {
      kfail('assertion', `kunmap_atomic(${hex(addr)}) by T${tid}: neither a kmap_atomic slot nor a lowmem address (vaddr >= high_memory)`, label, {
        title: 'kernel BUG at arch/x86/mm/highmem_32.c: __kunmap_atomic: BUG_ON(vaddr >= (unsigned long)high_memory)', ...ctx,
      });
    }
  }
  if (top !== addr || c.pagefaultDisabled === 0) {
    kfail('assertion', `kunmap_atomic(${hex(addr)}) by T${tid} without a matching kmap_atomic (${top === undefined ? 'this thread holds no kmap_atomic' : `innermost is ${hex(top)}`}): pagefault_enable() / preempt_enable() underflow`, label, {
      title: 'WARNING: at kernel/sched/core.c: preempt_count_sub: DEBUG_LOCKS_WARN_ON(val > preempt_count())', ...ctx,
    });
  }
  c.stack.pop();
  c.pagefaultDisabled--;
  const k = kctx();
  if (k.preempt > 0) k.preempt--;
}
