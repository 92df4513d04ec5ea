/**
 * Seed 000 fixed two ways.
 *
 * `ioremap-reuse/fixed` — what review asked for: a count that cannot come back from zero, with
 * lookup+get and put+unlink that cannot interleave badly. `used` becomes a refcount_t;
 * find_vm_area_paddr walks vmap_area_list under vmap_area_lock (the lock remove_vm_area takes to
 * unpublish va->vm) and takes its reference with refcount_inc_not_zero (kref_get_unless_zero), so
 * an area whose last owner is already tearing it down is skipped and a fresh one is made; __vunmap
 * drops the reference with one refcount_dec_and_test, so exactly one owner sees zero and removes.
 * Two further holes the posted model shows are closed too: the offset is computed in
 * phys_addr_t (no `int` truncation), an area is shared only for the same memory type (recorded
 * in the vm_struct), and an area becomes shareable (VM_IOREMAP_SHARED, set under the lock) only
 * after its phys_addr and PTEs are in place.
 *
 * Because the lookup only takes areas marked VM_IOREMAP_SHARED, it never matches what the posted
 * walk trips over: ARM static mappings and the PCI I/O reservation (whose `used` is 0), areas of
 * get_vm_area(VM_IOREMAP) users such as alloc_vm_area (which free them with free_vm_area, around
 * __vunmap), and half-built areas (phys_addr 0, no PTEs yet, or an ioremap_page_range that will
 * fail). The lookup is patch 2/2's hook in __arm_ioremap_pfn_caller (arm.ts) with the in-page
 * offset kept: `area->addr + off + offset`, as the v1 RFC of 2/2 had it.
 *
 * `ioremap-reuse/fixed-fresh` — Morton's alternative and what mainline kept: every ioremap gets a
 * fresh vmap of the same physical address; iounmap removes only its own area.
 * Both fixed variants free a vmap_area at once instead of with kfree_rcu: neither has a lockless
 * walker of vmap_area_list, so a grace period could not be observed, and leaving out the RCU
 * callback thread keeps DPOR's state space small.
 * Leaves out: the rb-tree lookup (hw's sorted list answers the same queries).
 */
import {
  Cell, type KPtr, type MemType, PAGE_SIZE, RefcountT, VM_IOREMAP, VM_VM_AREA, VmStruct, WARN, hex, kfree,
  refcount_dec_and_test, refcount_inc_not_zero, spin_lock, spin_unlock,
} from '../../src/index.js';
import type { Mapped } from './arm.js';
import { type G, type IoVariant, type IoWorld, noteDecider } from './world.js';

/** vm_struct->flags: the area's phys_addr, type and PTEs are final; finders may share it. */
export const VM_IOREMAP_SHARED = 0x80;

/** vm_struct with a refcount and the memory type it was mapped with. */
export class RefVm extends VmStruct {
  readonly ref: RefcountT;
  readonly mtype: Cell<MemType | null>;
  constructor(id: number) {
    super(id);
    this.ref = new RefcountT(1, 'used', id);
    this.mtype = new Cell<MemType | null>(null, 'mtype', id);
  }
}

type W = IoWorld<RefVm>;

/**
 * Lookup + get under vmap_area_lock (paddr page aligned, size PAGE_ALIGN'ed, as
 * __arm_ioremap_pfn_caller has them); the reference is taken only from a live (non-zero) count.
 */
function* reuse(w: W, pa: number, size: number, offset: number, type: MemType): G<Mapped | null> {
  yield* spin_lock(w.vmapLock, 'find_vm_area_paddr: spin_lock(&vmap_area_lock)');
  const list = yield* w.vmalloc.walkRcu('find_vm_area_paddr: list_for_each_entry(va, &vmap_area_list)');
  for (const va of list) {
    if (((yield* va.flags.get('find_vm_area_paddr: va->flags & VM_VM_AREA')) & VM_VM_AREA) === 0) continue;
    const vm = (yield* va.vm.get('find_vm_area_paddr: vm = va->vm')) as KPtr<RefVm> | null;
    if (vm === null) continue;
    const f = yield* vm.flags.get('find_vm_area_paddr: vm->flags & VM_IOREMAP_SHARED');
    if ((f & VM_IOREMAP) === 0 || (f & VM_IOREMAP_SHARED) === 0) continue;
    const phys = yield* vm.physAddr.get('find_vm_area_paddr: vm->phys_addr');
    if (pa < phys) continue;
    const off = pa - phys; // phys_addr_t off
    if (off + size > (yield* vm.size.get('find_vm_area_paddr: vm->size')) - PAGE_SIZE) continue;
    if ((yield* vm.mtype.get('find_vm_area_paddr: vm->mtype')) !== type) continue;
    if (!(yield* refcount_inc_not_zero(vm.ref, 'find_vm_area_paddr: refcount_inc_not_zero(&vm->used)'))) continue;
    const addr = yield* vm.addr.get('find_vm_area_paddr: area->addr');
    yield* spin_unlock(w.vmapLock, 'find_vm_area_paddr: spin_unlock(&vmap_area_lock)');
    return { va: addr + off + offset, via: `find_vm_area_paddr (${vm.caller} area)` };
  }
  yield* spin_unlock(w.vmapLock, 'find_vm_area_paddr: spin_unlock(&vmap_area_lock)');
  return null;
}

/** A fresh area whose phys_addr and PTEs are final: record its type and make it shareable, under the lock. */
function* mapped(w: W, vm: RefVm, type: MemType): G<void> {
  yield* spin_lock(w.vmapLock, 'ioremap: spin_lock(&vmap_area_lock)');
  yield* vm.mtype.set(type, 'ioremap: area->mtype = type');
  const f = yield* vm.flags.get('ioremap: area->flags');
  yield* vm.flags.set(f | VM_IOREMAP_SHARED, 'ioremap: area->flags |= VM_IOREMAP_SHARED');
  yield* spin_unlock(w.vmapLock, 'ioremap: spin_unlock(&vmap_area_lock)');
}

/** __vunmap(addr, 0): drop the reference with one atomic op; the owner that reaches 0 removes. */
function* vunmap(w: W, addr: number, who: string): G<void> {
  const va = yield* w.vmalloc.findVmapArea(addr);
  if (va && ((yield* va.flags.get('__vunmap: va->flags & VM_VM_AREA')) & VM_VM_AREA) !== 0) {
    const vm = (yield* va.vm.get('__vunmap: vm = va->vm')) as KPtr<RefVm> | null;
    if (vm && ((yield* vm.flags.get('__vunmap: vm->flags & VM_IOREMAP')) & VM_IOREMAP) !== 0) {
      if (!(yield* refcount_dec_and_test(vm.ref, '__vunmap: refcount_dec_and_test(&vm->used)'))) return;
      noteDecider(w, vm, who, '__vunmap: refcount_dec_and_test');
    }
  }
  const area = yield* w.vmalloc.removeVmArea(addr);
  if (!area) {
    WARN(1, `Trying to vfree() nonexistent vm area (${hex(addr)})`, '__vunmap: WARN(1, "Trying to vfree() nonexistent vm area")');
    return;
  }
  yield* kfree(area, '__vunmap: kfree(area)');
}

export const fixedVariant: IoVariant<RefVm> = {
  newVm: (id) => new RefVm(id),
  bootReuse: (_vm, _pa, _span, type, vmType) => type === vmType,
  bootShare: (vm) => { vm.ref.refs++; },
  bootCreated: (vm, type) => {
    vm.mtype.value = type;
    vm.flags.value |= VM_IOREMAP_SHARED;
  },
  staticCreated: () => undefined,
  rcuFreeVa: false,
  reuse,
  mapped,
  vunmap: (w, addr, who) => vunmap(w, addr, who),
};

/** Mainline / Morton's alternative: a fresh vmap per ioremap, iounmap removes its own area. */
function* freshVunmap(w: IoWorld<VmStruct>, addr: number): G<void> {
  if (!(yield* w.vmalloc.vunmap(addr))) {
    WARN(1, `Trying to vfree() nonexistent vm area (${hex(addr)})`, '__vunmap: WARN(1, "Trying to vfree() nonexistent vm area")');
  }
}

export const freshVariant: IoVariant<VmStruct> = {
  newVm: (id) => new VmStruct(id),
  bootReuse: () => false,
  bootShare: () => undefined,
  bootCreated: () => undefined,
  staticCreated: () => undefined,
  rcuFreeVa: false,
  vunmap: (w, addr) => freshVunmap(w, addr),
};
