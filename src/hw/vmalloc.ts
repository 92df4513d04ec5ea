/**
 * The vmalloc address space, modelled on mainline v3.15 mm/vmalloc.c: `struct vmap_area` on the
 * address-sorted `vmap_area_list` under `vmap_area_lock`, `struct vm_struct` (addr, size including
 * the guard page, flags VM_IOREMAP / VM_ALLOC, phys_addr, caller), and alloc_vmap_area,
 * __get_vm_area_node / get_vm_area(_caller), setup_vmalloc_vm, find_vmap_area, find_vm_area,
 * remove_vm_area, free_vmap_area, __vunmap(addr, 0) / vunmap, and ARM-style ioremap / iounmap.
 *
 * Publication order is the real one: alloc_vmap_area links the area into the list
 * (`__insert_vmap_area`: rb-tree + list_add_rcu) under the lock and drops the lock; only later
 * does setup_vmalloc_vm take the lock again to set va->vm and VM_VM_AREA. A lockless
 * list_for_each_entry_rcu reader can therefore see an area whose vm is still NULL, and
 * vm->phys_addr is written by ioremap after the area is reachable. `va.vm`, `va.flags` and the
 * vm_struct fields are plain (race-checked) cells, so such readers race visibly. List insertion and
 * deletion are write ops on the list object; a lockless reader yields a read of it (`walkRcu`).
 * Their ordering is v3.14/v3.15's: `__insert_vmap_area`'s list_add_rcu publishes with
 * rcu_assign_pointer (a release), `list_for_each_entry_rcu` loads with rcu_dereference (an acquire
 * for the race detector), and list_del_rcu's `__list_del` is a store that orders nothing (plain
 * in 3.14, WRITE_ONCE from v4.x on; marked here so the race detector does not report the kernel's
 * own rculist idiom). setup_vmalloc_vm has no barrier of its own: every store it does is under
 * vmap_area_lock, so only lock holders are ordered after them (mm/vmalloc.c, v3.14).
 * Seed models extend vm_struct by subclassing VmStruct (pass `newVm`) or through `vm.extra`.
 * Allocations are src/linux kmalloc / kzalloc (GFP_KERNEL: might_sleep checks and injected
 * failures when the scenario turns them on); the default vmap_area_lock is a src/linux spinlock_t.
 * Leaves out: the rb-tree (the sorted list answers the same queries), free_vmap_cache, lazy purge
 * and TLB flush batching (an area is unmapped and freed at once), per-cpu vmap blocks,
 * IOREMAP_MAX_ORDER alignment (areas are page aligned), vmalloc's own page allocation.
 */
import { currentExecution } from '../engine/execution.js';
import { Mo, type Op, op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';
import { Cell } from '../engine/prims.js';
import { GFP_KERNEL, type KPtr, SpinlockT, kfree, kmalloc, kzalloc, spin_lock, spin_unlock } from '../linux/index.js';
import { PAGE_SIZE, hex, hexRange, pageAlign, pageAlignDown, pageOffset } from './addr.js';
import { hwFail } from './fault.js';
import type { MemType, PageTable } from './pagetable.js';

type G<R> = Generator<Op, R, unknown>;

/** vm_struct->flags (include/linux/vmalloc.h, v3.15). */
export const VM_IOREMAP = 0x1;
export const VM_ALLOC = 0x2;
export const VM_MAP = 0x4;
export const VM_USERMAP = 0x8;
export const VM_UNINITIALIZED = 0x20;
/** vmap_area->flags (mm/vmalloc.c). */
export const VM_LAZY_FREE = 0x1;
export const VM_VM_AREA = 0x4;

/** A lock the vmalloc code takes (default: a src/linux spinlock_t named vmap_area_lock). */
export interface HwLock {
  lock(label?: string): G<void>;
  unlock(label?: string): G<void>;
}

/** struct vm_struct. Subclass it to add fields (e.g. seed 000's `atomic_t used`). */
export class VmStruct {
  readonly id: number;
  readonly addr: Cell<number>;
  readonly size: Cell<number>;
  readonly flags: Cell<number>;
  readonly physAddr: Cell<number>;
  caller = '';
  /** Free-form per-model fields. */
  readonly extra = new Map<string, unknown>();
  /** `id` is the kzalloc'd block the fields live in (VmallocSpace passes it to `newVm`). */
  constructor(id: number) {
    this.id = id;
    this.addr = new Cell(0, 'addr', id);
    this.size = new Cell(0, 'size', id);
    this.flags = new Cell(0, 'flags', id);
    this.physAddr = new Cell(0, 'phys_addr', id);
  }
}

/** struct vmap_area. va_start / va_end are set (under the lock) before the area is published. */
export class VmapArea {
  readonly flags: Cell<number>;
  readonly vm: Cell<KPtr<VmStruct> | null>;
  vaStart = 0;
  vaEnd = 0;
  onList = false;
  constructor(readonly id: number) {
    this.flags = new Cell(0, 'flags', id);
    this.vm = new Cell<KPtr<VmStruct> | null>(null, 'vm', id);
  }
}

export interface VmallocOptions {
  /** VMALLOC_START / VMALLOC_END of this model (keep it a few pages: PTEs are objects). */
  readonly start: number;
  readonly end: number;
  /** Replace vmap_area_lock (default: `new SpinlockT('vmap_area_lock')`, see `spinlock`). */
  readonly lock?: HwLock;
  /** Build the vm_struct in a kzalloc'd block (subclass hook). */
  readonly newVm?: (id: number) => VmStruct;
  /** Free a vmap_area that left the list (default: kfree at once; pass `(va) => kfree_rcu(va)`). */
  readonly freeVa?: (va: KPtr<VmapArea>) => G<void>;
}

export class VmallocSpace {
  /** vmap_area_list, sorted by address. */
  readonly list: KPtr<VmapArea>[] = [];
  /** The list head's object: insertion / deletion write it, lockless walks read it. */
  readonly listId: number;
  readonly lock: HwLock;
  /** The default vmap_area_lock (null when `lock` was passed). */
  readonly spinlock: SpinlockT | null;
  readonly start: number;
  readonly end: number;
  private readonly newVm: (id: number) => VmStruct;
  private readonly freeVa: ((va: KPtr<VmapArea>) => G<void>) | undefined;

  constructor(readonly kpt: PageTable, o: VmallocOptions) {
    this.start = o.start;
    this.end = o.end;
    this.listId = currentExecution().objects.add('list', 'vmap_area_list', -1);
    if (o.lock) {
      this.lock = o.lock;
      this.spinlock = null;
    } else {
      const sl = new SpinlockT('vmap_area_lock');
      this.spinlock = sl;
      this.lock = { lock: (label) => spin_lock(sl, label), unlock: (label) => spin_unlock(sl, label) };
    }
    this.newVm = o.newVm ?? ((id) => new VmStruct(id));
    this.freeVa = o.freeVa;
    kpt.prepare(o.start, o.end - o.start);
  }

  /** alloc_vmap_area: first fit in [vstart, vend), published on the list under the lock. */
  *allocVmapArea(size: number, vstart = this.start, vend = this.end): G<KPtr<VmapArea> | null> {
    const va = yield* kmalloc('vmap_area', GFP_KERNEL, (b) => new VmapArea(b), 'alloc_vmap_area: kmalloc_node');
    if (!va) return null;
    yield* this.lock.lock('alloc_vmap_area: spin_lock(&vmap_area_lock)');
    let addr = pageAlign(vstart);
    for (const v of this.list) {
      if (addr + size <= v.vaStart) break;
      if (v.vaEnd > addr) addr = pageAlign(v.vaEnd);
    }
    if (addr + size > vend || addr < vstart) {
      yield* this.lock.unlock('alloc_vmap_area: spin_unlock(&vmap_area_lock)');
      yield* kfree(va, 'alloc_vmap_area: kfree(va) (vmap allocation failed)');
      return null;
    }
    va.vaStart = addr;
    va.vaEnd = addr + size;
    yield op.write(this.listId, '__insert_vmap_area: list_add_rcu(&va->list)', Mo.Release);
    let i = 0;
    while (i < this.list.length && (this.list[i] as VmapArea).vaStart < va.vaStart) i++;
    this.list.splice(i, 0, va);
    va.onList = true;
    yield* this.lock.unlock('alloc_vmap_area: spin_unlock(&vmap_area_lock)');
    return va;
  }

  /**
   * Boot-time get_vm_area, in `setup()` only (no ops): a published area of `size` (page aligned,
   * plus the guard page) at the first free address, its vm filled and VM_VM_AREA set. Blocks are
   * kmalloc blocks allocated at setup (free them with kfree like any other). Returns the vm.
   */
  areaAtSetup(size: number, flags: number, caller = 'boot'): KPtr<VmStruct> {
    const exec = currentExecution();
    if (exec.running >= 0) throw new UsageError('VmallocSpace.areaAtSetup is for setup(); thread code uses yield* getVmArea(...)');
    const sz = pageAlign(size) + PAGE_SIZE;
    let addr = this.start;
    for (const v of this.list) {
      if (addr + sz <= v.vaStart) break;
      if (v.vaEnd > addr) addr = v.vaEnd;
    }
    if (addr + sz > this.end) throw new UsageError(`areaAtSetup: no room for ${hex(sz)} bytes in ${hexRange(this.start, this.end)}`);
    const site = { thread: -1, step: -1, label: `${caller}: get_vm_area (setup)` };
    const vmId = exec.objects.addHeap('kmalloc', 'vm_struct', site);
    const vm = Object.assign(this.newVm(vmId), { kblock: vmId });
    const vaId = exec.objects.addHeap('kmalloc', 'vmap_area', site);
    const va = Object.assign(new VmapArea(vaId), { kblock: vaId });
    va.vaStart = addr;
    va.vaEnd = addr + sz;
    vm.addr.value = addr;
    vm.size.value = sz;
    vm.flags.value = flags;
    vm.caller = caller;
    va.vm.value = vm;
    va.flags.value = VM_VM_AREA;
    va.onList = true;
    let i = 0;
    while (i < this.list.length && (this.list[i] as VmapArea).vaStart < addr) i++;
    this.list.splice(i, 0, va);
    return vm;
  }

  /** setup_vmalloc_vm: fill vm from va, then publish va->vm and VM_VM_AREA under the lock. */
  *setupVmallocVm(vm: KPtr<VmStruct>, va: VmapArea, flags: number, caller: string): G<void> {
    yield* this.lock.lock('setup_vmalloc_vm: spin_lock(&vmap_area_lock)');
    // vm is not reachable yet: its fields are initialised without ops (kzalloc'd, private).
    vm.flags.value = flags;
    vm.addr.value = va.vaStart;
    vm.size.value = va.vaEnd - va.vaStart;
    vm.caller = caller;
    yield* va.vm.set(vm, 'setup_vmalloc_vm: va->vm = vm');
    const f = yield* va.flags.get('setup_vmalloc_vm: va->flags');
    yield* va.flags.set(f | VM_VM_AREA, 'setup_vmalloc_vm: va->flags |= VM_VM_AREA');
    yield* this.lock.unlock('setup_vmalloc_vm: spin_unlock(&vmap_area_lock)');
  }

  /** __get_vm_area_node / get_vm_area_caller: size is page aligned and gets a guard page. */
  *getVmArea(size: number, flags: number, caller = 'get_vm_area', start = this.start, end = this.end): G<KPtr<VmStruct> | null> {
    const sz = pageAlign(size);
    if (sz === 0) return null;
    const vm = yield* kzalloc('vm_struct', GFP_KERNEL, (b) => this.newVm(b), '__get_vm_area_node: kzalloc');
    if (!vm) return null;
    const va = yield* this.allocVmapArea(sz + PAGE_SIZE, start, end);
    if (!va) {
      yield* kfree(vm, '__get_vm_area_node: kfree(area)');
      return null;
    }
    yield* this.setupVmallocVm(vm, va, flags, caller);
    return vm;
  }

  /** find_vmap_area: the area containing addr, looked up under the lock. */
  *findVmapArea(addr: number): G<KPtr<VmapArea> | null> {
    yield* this.lock.lock('find_vmap_area: spin_lock(&vmap_area_lock)');
    const va = this.list.find((v) => v.vaStart <= addr && addr < v.vaEnd) ?? null;
    yield* this.lock.unlock('find_vmap_area: spin_unlock(&vmap_area_lock)');
    return va;
  }

  /** find_vm_area: va->vm when VM_VM_AREA is set (read after the lock was dropped, as in v3.15). */
  *findVmArea(addr: number): G<KPtr<VmStruct> | null> {
    const va = yield* this.findVmapArea(addr);
    if (!va) return null;
    const f = yield* va.flags.get('find_vm_area: va->flags & VM_VM_AREA');
    if ((f & VM_VM_AREA) === 0) return null;
    return yield* va.vm.get('find_vm_area: va->vm');
  }

  /** A lockless list_for_each_entry_rcu walk: one read of the list, then a snapshot. */
  *walkRcu(label = 'list_for_each_entry_rcu(va, &vmap_area_list)'): G<readonly KPtr<VmapArea>[]> {
    yield op.read(this.listId, label, Mo.Consume);
    return this.list.slice();
  }

  /** remove_vm_area: unpublish vm, unmap and free the vmap_area; returns vm (caller kfrees it). */
  *removeVmArea(addr: number): G<KPtr<VmStruct> | null> {
    const va = yield* this.findVmapArea(addr);
    if (!va) return null;
    const f = yield* va.flags.get('remove_vm_area: va->flags & VM_VM_AREA');
    if ((f & VM_VM_AREA) === 0) return null;
    const vm = yield* va.vm.get('remove_vm_area: vm = va->vm');
    yield* this.lock.lock('remove_vm_area: spin_lock(&vmap_area_lock)');
    yield* va.vm.set(null, 'remove_vm_area: va->vm = NULL');
    const f2 = yield* va.flags.get('remove_vm_area: va->flags');
    yield* va.flags.set(f2 & ~VM_VM_AREA, 'remove_vm_area: va->flags &= ~VM_VM_AREA');
    yield* this.lock.unlock('remove_vm_area: spin_unlock(&vmap_area_lock)');
    yield* this.freeUnmapVmapArea(va);
    if (vm === null) {
      // Two removers raced: this one read VM_VM_AREA before the other cleared it, and va->vm after
      // the other set it to NULL. The C goes on to `vm->size -= PAGE_SIZE`: an oops.
      hwFail('page-fault', 'NULL pointer dereference: vm = va->vm is NULL in remove_vm_area (another remover unpublished it)', 'remove_vm_area: vm->size -= PAGE_SIZE', {
        title: 'BUG: unable to handle kernel NULL pointer dereference in remove_vm_area',
      });
    }
    const s = yield* vm.size.get('remove_vm_area: vm->size');
    yield* vm.size.set(s - PAGE_SIZE, 'remove_vm_area: vm->size -= PAGE_SIZE');
    return vm;
  }

  /** free_unmap_vmap_area: vunmap_page_range, then free the area (no lazy purge here). */
  *freeUnmapVmapArea(va: KPtr<VmapArea>): G<void> {
    yield* this.kpt.unmap(va.vaStart, va.vaEnd - va.vaStart, 'vunmap_page_range: pte_clear');
    yield* this.freeVmapArea(va);
  }

  /** free_vmap_area: unlink under the lock (rb_erase + list_del_rcu), then kfree / kfree_rcu. */
  *freeVmapArea(va: KPtr<VmapArea>): G<void> {
    yield* this.lock.lock('free_vmap_area: spin_lock(&vmap_area_lock)');
    yield op.write(this.listId, '__free_vmap_area: list_del_rcu(&va->list)', Mo.Once);
    const i = this.list.indexOf(va);
    if (i >= 0) this.list.splice(i, 1);
    va.onList = false;
    yield* this.lock.unlock('free_vmap_area: spin_unlock(&vmap_area_lock)');
    if (this.freeVa) yield* this.freeVa(va);
    else yield* kfree(va, '__free_vmap_area: kfree(va)');
  }

  /** __vunmap(addr, 0) / vunmap: remove the area, kfree the vm_struct. Returns false on a bad addr. */
  *vunmap(addr: number): G<boolean> {
    if (addr === 0) return false;
    const vm = yield* this.removeVmArea(addr);
    if (!vm) return false; // WARN(1, "Trying to vfree() nonexistent vm area")
    yield* kfree(vm, '__vunmap: kfree(area)');
    return true;
  }

  /**
   * ioremap (ARM __arm_ioremap_pfn_caller shape): area for the page-aligned span, phys_addr set
   * after get_vm_area returned, ioremap_page_range, return addr + offset. null on failure.
   */
  *ioremap(physAddr: number, size: number, type: MemType = 'device', caller = 'ioremap'): G<number | null> {
    const offset = pageOffset(physAddr);
    const pa = pageAlignDown(physAddr);
    const span = pageAlign(offset + size);
    const vm = yield* this.getVmArea(span, VM_IOREMAP, caller);
    if (!vm) return null;
    yield* vm.physAddr.set(pa, 'ioremap: area->phys_addr = paddr');
    const addr = vm.addr.value; // set before publication, private to us
    yield* this.kpt.map(addr, pa, span, type, { label: 'ioremap_page_range: set_pte_at' });
    return addr + offset;
  }

  /** iounmap (ARM __iounmap): vunmap of the page-aligned address. */
  *iounmap(ioAddr: number): G<boolean> {
    return yield* this.vunmap(pageAlignDown(ioAddr));
  }

  /** Invariant helper: the list is sorted, disjoint and inside the space. true or a message. */
  listWellFormed(): true | string {
    let prevEnd = this.start;
    for (const v of this.list) {
      if (v.vaStart < prevEnd) return `vmap_area ${hexRange(v.vaStart, v.vaEnd)} overlaps or is out of order (previous end ${hex(prevEnd)})`;
      if (v.vaEnd > this.end) return `vmap_area ${hexRange(v.vaStart, v.vaEnd)} ends past VMALLOC_END ${hex(this.end)}`;
      prevEnd = v.vaEnd;
    }
    return true;
  }

  /** /proc/vmallocinfo-like snapshot for `inspect`. */
  info(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const v of this.list) {
      const vm = v.vm.value;
      out[hexRange(v.vaStart, v.vaEnd)] = vm ? `${vm.caller} phys=${hex(vm.physAddr.value)} flags=${hex(vm.flags.value)}` : '(vm not set)';
    }
    return out;
  }
}
