/**
 * A user address space (`struct mm_struct`): its VMAs, its page table and `mmap_sem`, with the
 * 2.4-era operations that call into drivers: do_mmap_pgoff (f_op->mmap, no vm_ops->open),
 * do_munmap with 2.4's unmap_fixup (whole VMA: vm_ops->close + fput; trimming an end: no call;
 * punching a hole: one new VMA and vm_ops->open on it), dup_mmap for fork (copy each VMA, get_file,
 * copy_page_range with get_page on non-reserved frames, then vm_ops->open), mprotect_fixup (each
 * split-off piece gets vm_ops->open), exit_mmap (close every VMA), remap_page_range, and the page
 * fault path (handle-mm-fault.ts).
 *
 * mmap_sem is an engine read/write lock: faults take it shared, the rest exclusive. VMA fields are
 * plain data guarded by it. User accesses (`access`) are the CPU side: page walk, fault and retry,
 * then the frame or device access; signals come back as data, not violations.
 * Leaves out: copy-on-write (private writable pages stay shared after fork), swap, mremap, brk,
 * VMA merging, page_table_lock (PTE ops are atomic objects already), rss accounting.
 */
import { type Op, op } from '../engine/ops.js';
import { currentExecution } from '../engine/execution.js';
import { PAGE_SIZE, hex, pageAlign, pageOffset } from './addr.js';
import { hwFail } from './fault.js';
import { GFP_KERNEL, type KPtr, kfree, kmalloc } from '../linux/index.js';
import { type AccessOpts, type MemType, PROT_READ, PROT_RW, PageTable } from './pagetable.js';
import type { PhysMem } from './phys.js';
import { handleMmFault, userAccess } from './handle-mm-fault.js';
import {
  EINVAL, ENODEV, ENOMEM, type File, MAP_FIXED, MAP_SHARED, PROT_EXEC_U, PROT_READ_U, PROT_WRITE_U,
  VM_DONTCOPY, VM_EXEC, VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SHARED, VM_WRITE, Vma, fput, getFile,
} from './vma.js';

type G<R> = Generator<Op, R, unknown>;

import type { Signal, UserAccessResult } from './handle-mm-fault.js';

export type { Signal, UserAccessResult };

export interface MmapArgs {
  readonly addr?: number;
  readonly len: number;
  readonly prot: number;
  readonly flags: number;
  readonly pgoff?: number;
}

export interface MmOptions {
  /** First address get_unmapped_area hands out (default 0x10000). */
  readonly mmapBase?: number;
  /** TASK_SIZE of this model (default mmapBase + 64 pages). */
  readonly taskSize?: number;
}

function vmFlagsOf(prot: number, flags: number): number {
  let f = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (prot & PROT_READ_U) f |= VM_READ;
  if (prot & PROT_WRITE_U) f |= VM_WRITE;
  if (prot & PROT_EXEC_U) f |= VM_EXEC;
  if (flags & MAP_SHARED) f |= VM_SHARED | VM_MAYSHARE;
  return f;
}

export class Mm {
  /** mmap_sem's object. */
  readonly semId: number;
  readonly pt: PageTable;
  /** VMAs sorted by address (the mmap list). */
  readonly vmas: KPtr<Vma>[] = [];
  readonly mmapBase: number;
  readonly taskSize: number;

  constructor(readonly name: string, readonly phys: PhysMem, o: MmOptions = {}) {
    this.semId = currentExecution().objects.add('rwsem', `${name}.mmap_sem`, -1);
    this.pt = new PageTable(`${name}`, phys);
    this.mmapBase = o.mmapBase ?? 0x10000;
    this.taskSize = o.taskSize ?? this.mmapBase + 64 * PAGE_SIZE;
  }

  *downWrite(label = 'down_write(&mm->mmap_sem)'): G<void> { yield op.acquire(this.semId, label); }
  *upWrite(label = 'up_write(&mm->mmap_sem)'): G<void> { yield op.release(this.semId, label); }
  *downRead(label = 'down_read(&mm->mmap_sem)'): G<void> { yield op.acquire(this.semId, label, true); }
  *upRead(label = 'up_read(&mm->mmap_sem)'): G<void> { yield op.release(this.semId, label, true); }

  /** find_vma proper: the VMA containing addr (no op: callers hold mmap_sem). */
  findVma(addr: number): KPtr<Vma> | undefined {
    return this.vmas.find((v) => v.vmStart <= addr && addr < v.vmEnd);
  }

  private insert(v: KPtr<Vma>): void {
    let i = 0;
    while (i < this.vmas.length && (this.vmas[i] as Vma).vmStart < v.vmStart) i++;
    this.vmas.splice(i, 0, v);
  }

  private detach(v: KPtr<Vma>): void {
    const i = this.vmas.indexOf(v);
    if (i >= 0) this.vmas.splice(i, 1);
  }

  private unmappedArea(len: number): number {
    let addr = this.mmapBase;
    for (const v of this.vmas) {
      if (addr + len <= v.vmStart) break;
      if (v.vmEnd > addr) addr = v.vmEnd;
    }
    return addr + len <= this.taskSize ? addr : -ENOMEM;
  }

  /** kmem_cache_alloc(vm_area_cachep, GFP_KERNEL) + field copy; null on an injected failure. */
  private *newVma(start: number, end: number, pgoff: number, flags: number, from: Vma | null, label: string): G<KPtr<Vma> | null> {
    const v = yield* kmalloc('vm_area_struct', GFP_KERNEL, (b) => new Vma(b, this, start, end, pgoff, flags), label);
    if (!v) return null;
    if (from) {
      v.vmOps = from.vmOps;
      v.vmFile = from.vmFile;
      v.vmPrivateData = from.vmPrivateData;
      v.memType = from.memType;
    }
    return v;
  }

  /** mmap(2): do_mmap_pgoff. Returns the address or -errno. */
  *mmap(file: File | null, a: MmapArgs): G<number> {
    const len = pageAlign(a.len);
    if (len === 0 || (a.addr !== undefined && pageOffset(a.addr) !== 0)) return -EINVAL;
    if (file && !file.fops.mmap) return -ENODEV;
    yield* this.downWrite('do_mmap_pgoff: down(&mm->mmap_sem)');
    let addr: number;
    if (a.addr !== undefined && (a.flags & MAP_FIXED)) {
      addr = a.addr;
      yield* this.doMunmap(addr, len);
    } else {
      addr = this.unmappedArea(len);
    }
    if (addr < 0) {
      yield* this.upWrite('do_mmap_pgoff: up(&mm->mmap_sem)');
      return addr;
    }
    const vma = yield* this.newVma(addr, addr + len, a.pgoff ?? 0, vmFlagsOf(a.prot, a.flags), null, 'do_mmap_pgoff: kmem_cache_alloc(vm_area_cachep)');
    if (!vma) {
      yield* this.upWrite('do_mmap_pgoff: up(&mm->mmap_sem)');
      return -ENOMEM;
    }
    if (file) {
      vma.vmFile = file;
      yield* getFile(file, 'do_mmap_pgoff: get_file');
      const err = yield* (file.fops.mmap as (f: File, v: Vma) => G<number>)(file, vma);
      if (err !== 0) {
        vma.vmFile = null;
        yield* fput(file, 'do_mmap_pgoff: fput (unmap_and_free_vma)');
        yield* this.zap(vma.vmStart, vma.vmEnd);
        yield* kfree(vma, 'do_mmap_pgoff: kmem_cache_free (unmap_and_free_vma)');
        yield* this.upWrite('do_mmap_pgoff: up(&mm->mmap_sem)');
        return err;
      }
    }
    this.insert(vma);
    yield* this.upWrite('do_mmap_pgoff: up(&mm->mmap_sem)');
    return addr;
  }

  /** munmap(2). */
  *munmap(addr: number, len: number): G<number> {
    yield* this.downWrite('sys_munmap: down(&mm->mmap_sem)');
    const r = yield* this.doMunmap(addr, len);
    yield* this.upWrite('sys_munmap: up(&mm->mmap_sem)');
    return r;
  }

  /** do_munmap with 2.4's unmap_fixup; mmap_sem held for writing. */
  *doMunmap(addr: number, len: number): G<number> {
    if (pageOffset(addr) !== 0) return -EINVAL;
    const end = addr + pageAlign(len);
    const hit = this.vmas.filter((v) => v.vmStart < end && addr < v.vmEnd);
    // 2.4 allocates the spare VMA for a hole before changing anything (do_munmap's `extra`).
    const hole = hit.length === 1 && (hit[0] as Vma).vmStart < addr && end < (hit[0] as Vma).vmEnd;
    let extra: KPtr<Vma> | null = null;
    if (hole) {
      const h = hit[0] as KPtr<Vma>;
      extra = yield* this.newVma(end, h.vmEnd, h.vmPgoff + (end - h.vmStart) / PAGE_SIZE, h.vmFlags, h, 'do_munmap: kmem_cache_alloc (extra)');
      if (!extra) return -ENOMEM;
    }
    for (const v of hit) {
      const st = Math.max(addr, v.vmStart);
      const en = Math.min(end, v.vmEnd);
      this.detach(v);
      yield* this.zap(st, en);
      if (st === v.vmStart && en === v.vmEnd) {
        if (v.vmOps?.close) yield* v.vmOps.close(v);
        if (v.vmFile) yield* fput(v.vmFile, 'unmap_fixup: fput');
        yield* kfree(v, 'unmap_fixup: kmem_cache_free');
        continue;
      }
      if (en === v.vmEnd) {
        v.vmEnd = st;
      } else if (st === v.vmStart) {
        v.vmPgoff += (en - v.vmStart) / PAGE_SIZE;
        v.vmStart = en;
      } else {
        const tail = extra as KPtr<Vma>;
        if (tail.vmFile) yield* getFile(tail.vmFile, 'unmap_fixup: get_file');
        if (tail.vmOps?.open) yield* tail.vmOps.open(tail);
        v.vmEnd = st;
        this.insert(tail);
      }
      this.insert(v);
    }
    return 0;
  }

  /** zap_page_range: clear present PTEs, dropping the frame references they held. */
  private *zap(start: number, end: number): G<void> {
    for (let a = start; a < end; a += PAGE_SIZE) {
      const t = this.pt.translate(a);
      if (!t) continue;
      yield* this.pt.unmap(a, PAGE_SIZE, 'zap_page_range: pte_clear');
      const page = this.phys.pageAt(t.pa);
      if (page && !page.reserved) yield* this.phys.putPage(page, 'zap_page_range: page_cache_release');
    }
  }

  /** Split `v` at `at`: the new piece [at, vmEnd) gets get_file and vm_ops->open (mprotect_fixup). */
  private *split(v: KPtr<Vma>, at: number): G<KPtr<Vma> | null> {
    const n = yield* this.newVma(at, v.vmEnd, v.vmPgoff + (at - v.vmStart) / PAGE_SIZE, v.vmFlags, v, 'mprotect_fixup: kmem_cache_alloc');
    if (!n) return null;
    if (n.vmFile) yield* getFile(n.vmFile, 'mprotect_fixup: get_file');
    if (n.vmOps?.open) yield* n.vmOps.open(n);
    v.vmEnd = at;
    this.insert(n);
    return n;
  }

  /** mprotect(2): split at the range ends, set flags, rewrite present PTEs. 0 or -errno. */
  *mprotect(addr: number, len: number, prot: number): G<number> {
    if (pageOffset(addr) !== 0) return -EINVAL;
    const end = addr + pageAlign(len);
    yield* this.downWrite('sys_mprotect: down(&mm->mmap_sem)');
    for (let a = addr; a < end; a += PAGE_SIZE) {
      if (!this.findVma(a)) {
        yield* this.upWrite('sys_mprotect: up(&mm->mmap_sem)');
        return -ENOMEM;
      }
    }
    for (const v0 of this.vmas.filter((v) => v.vmStart < end && addr < v.vmEnd)) {
      let v: KPtr<Vma> | null = v0;
      if (v.vmStart < addr) v = yield* this.split(v, addr);
      if (v && v.vmEnd > end && !(yield* this.split(v, end))) v = null;
      if (!v) {
        yield* this.upWrite('sys_mprotect: up(&mm->mmap_sem)');
        return -ENOMEM;
      }
      v.vmFlags = (v.vmFlags & ~(VM_READ | VM_WRITE | VM_EXEC)) | (vmFlagsOf(prot, 0) & (VM_READ | VM_WRITE | VM_EXEC));
      for (let a = v.vmStart; a < v.vmEnd; a += PAGE_SIZE) {
        if (!this.pt.translate(a)) continue;
        yield* this.pt.setProt(a, v.vmFlags & VM_WRITE ? PROT_RW : PROT_READ, 'change_protection');
      }
    }
    yield* this.upWrite('sys_mprotect: up(&mm->mmap_sem)');
    return 0;
  }

  /** fork(): dup_mmap into a new mm named `childName`; null when a VMA allocation failed (the partial child is torn down). */
  *fork(childName: string): G<Mm | null> {
    const child = new Mm(childName, this.phys, { mmapBase: this.mmapBase, taskSize: this.taskSize });
    yield* this.downWrite('dup_mmap: down_write(&oldmm->mmap_sem)');
    for (const v of this.vmas.slice()) {
      if (v.vmFlags & VM_DONTCOPY) continue;
      const tmp = yield* child.newVma(v.vmStart, v.vmEnd, v.vmPgoff, v.vmFlags, v, 'dup_mmap: kmem_cache_alloc');
      if (!tmp) {
        yield* this.upWrite('dup_mmap: up_write(&oldmm->mmap_sem) (fail_nomem)');
        yield* child.exit();
        return null;
      }
      if (tmp.vmFile) yield* getFile(tmp.vmFile, 'dup_mmap: get_file');
      for (let a = v.vmStart; a < v.vmEnd; a += PAGE_SIZE) {
        const t = this.pt.translate(a);
        if (!t) continue;
        const page = this.phys.pageAt(t.pa);
        if (page && !page.reserved) yield* this.phys.getPage(page, 'copy_page_range: get_page');
        yield* child.pt.map(a, t.pa - pageOffset(t.pa), PAGE_SIZE, t.type, { prot: t.prot, label: 'copy_page_range: set_pte' });
      }
      if (tmp.vmOps?.open) yield* tmp.vmOps.open(tmp);
      child.insert(tmp);
    }
    yield* this.upWrite('dup_mmap: up_write(&oldmm->mmap_sem)');
    return child;
  }

  /** exit_mmap: unmap every VMA (close, fput, free). */
  *exit(): G<void> {
    yield* this.downWrite('exit_mmap: down(&mm->mmap_sem)');
    for (const v of this.vmas.slice()) yield* this.doMunmap(v.vmStart, v.size);
    yield* this.upWrite('exit_mmap: up(&mm->mmap_sem)');
  }

  /** remap_page_range from a driver's mmap (mmap_sem held): map frames / MMIO straight in. */
  *remapPageRange(vma: Vma, addr: number, pa: number, size: number, type: MemType = vma.memType): G<number> {
    if (addr < vma.vmStart || addr + size > vma.vmEnd) {
      hwFail('usage', `remap_page_range ${hex(addr)}+${hex(size)} outside ${vma.describe()}`, 'remap_page_range');
    }
    return yield* this.pt.map(addr, pa, size, type, { prot: vma.vmFlags & VM_WRITE ? PROT_RW : PROT_READ, label: 'remap_page_range: set_pte' });
  }

  /** handle_mm_fault / do_no_page for a user access at addr: 'ok' or the signal delivered (see handle-mm-fault.ts). */
  *handleFault(addr: number, write: boolean): G<'ok' | Signal> {
    return yield* handleMmFault(this, addr, write);
  }

  /** A user-mode CPU access: walk, fault and retry, then the access. Signals are results. */
  *access(addr: number, o: AccessOpts = {}): G<UserAccessResult> {
    return yield* userAccess(this, addr, o);
  }
}
