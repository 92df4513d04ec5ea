/**
 * The user page-fault path and user-mode CPU accesses, 2.4 mm/memory.c: do_page_fault takes
 * mmap_sem shared; handle_mm_fault finds the VMA (none, or the wrong permission: SIGSEGV); an
 * absent PTE goes to do_no_page, which calls vm_ops->nopage and maps the page it returns (the PTE
 * owns the reference nopage took) or delivers SIGBUS on NOPAGE_SIGBUS; a VMA without nopage gets a
 * fresh anonymous frame (do_anonymous_page); a write to a present read-only PTE of a writable VMA
 * just upgrades it (do_wp_page without copy-on-write). A fault that finds the PTE filled by a
 * racing fault drops its new page, as do_no_page does when pte_none() no longer holds.
 * `userAccess` is the CPU side: page walk, fault and retry, then the frame or device access.
 * Leaves out: copy-on-write copies, swap-in, VM_GROWSDOWN stacks, the OOM killer (OOM is a result).
 */
import type { Op } from '../engine/ops.js';
import { PAGE_SIZE, hex, pageAlignDown } from './addr.js';
import type { Mm } from './mm.js';
import { type AccessOpts, PROT_READ, PROT_RW, PROT_WRITE } from './pagetable.js';
import { reach, walkedVia } from './reach.js';
import { NOPAGE_OOM, VM_READ, VM_SHARED, VM_WRITE } from './vma.js';

type G<R> = Generator<Op, R, unknown>;

export type Signal = 'SIGSEGV' | 'SIGBUS' | 'OOM';
export type UserAccessResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly signal: Signal };

/** do_page_fault for a user access at addr: mmap_sem shared, then handle_mm_fault. */
export function* handleMmFault(mm: Mm, addr: number, write: boolean): G<'ok' | Signal> {
  yield* mm.downRead('do_page_fault: down_read(&mm->mmap_sem)');
  const r = yield* faultLocked(mm, addr, write);
  yield* mm.upRead('do_page_fault: up_read(&mm->mmap_sem)');
  return r;
}

/** handle_mm_fault: find the VMA, check access, do_no_page / do_anonymous_page / do_wp_page. */
function* faultLocked(mm: Mm, addr: number, write: boolean): G<'ok' | Signal> {
  const v = mm.findVma(addr);
  if (!v || (write && !(v.vmFlags & VM_WRITE)) || (!write && !(v.vmFlags & VM_READ))) return 'SIGSEGV';
  const page0 = pageAlignDown(addr);
  const pte = yield* mm.pt.walk(addr, 'handle_pte_fault');
  const prot = v.vmFlags & VM_WRITE ? PROT_RW : PROT_READ;
  if (pte.present) {
    if (write && !(pte.prot & PROT_WRITE)) yield* mm.pt.setProt(page0, prot, 'do_wp_page: pte_mkwrite');
    return 'ok';
  }
  let page;
  if (v.vmOps?.nopage) {
    const r = yield* v.vmOps.nopage(v, page0, write && !(v.vmFlags & VM_SHARED));
    if (r === null) return 'SIGBUS';
    if (r === NOPAGE_OOM) return 'OOM';
    page = r;
  } else {
    page = yield* mm.phys.allocPage(`${mm.name}:anon`, { label: 'do_anonymous_page: alloc_page' });
    if (!page) return 'OOM';
  }
  const res = yield* mm.pt.map(page0, page.pa, PAGE_SIZE, v.memType, { prot, label: 'do_no_page: set_pte', onPresent: 'eexist' });
  if (res !== 0 && !page.reserved) yield* mm.phys.putPage(page, 'do_no_page: page_cache_release (raced)');
  return 'ok';
}

/** A user-mode CPU access: walk, fault and retry, then the access. Signals are results. */
export function* userAccess(mm: Mm, addr: number, o: AccessOpts = {}): G<UserAccessResult> {
  const label = o.label ?? `${mm.name}: ${o.write ? 'store' : 'load'} ${hex(addr)}`;
  for (;;) {
    const pte = yield* mm.pt.walk(addr, label);
    if (pte.present && (!o.write || (pte.prot & PROT_WRITE))) {
      const pa = mm.pt.check(pte, addr, o, label, 'page-fault');
      const value = yield* reach(mm.phys, pa, o, label, mm.name, walkedVia(mm.phys, pte, pa));
      return { ok: true, value };
    }
    const r = yield* mm.handleFault(addr, o.write === true);
    if (r !== 'ok') return { ok: false, signal: r };
  }
}
