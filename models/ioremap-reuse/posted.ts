/**
 * Seed 000 as posted: "[PATCHv2 1/2] mm/vmalloc: Add IO mapping space reused interface support"
 * (Richard Lee, May 2014) on v3.15 mm/vmalloc.c, with patch 2/2's ARM call site (arm.ts).
 *
 * Modelled line by line: `atomic_t used` in vm_struct, set to 1 by setup_vmalloc_vm (before the
 * area is published, so it is initialised in the vm_struct constructor here; ARM's static
 * mappings and reservations never pass through setup_vmalloc_vm and keep the memblock's 0);
 * vm_area_used_inc; vm_area_used_dec (find_vmap_area, flag checks, `atomic_sub` then a separate
 * `atomic_read`); find_vm_area_paddr walking vmap_area_list under rcu_read_lock with every
 * `va->vm->...` a fresh load of va->vm, `(paddr & PAGE_MASK) - (phys_addr & PAGE_MASK)` stored in
 * `int off` (s32), `off + size <= va->vm->size - PAGE_SIZE`; __vunmap returning early when
 * vm_area_used_dec says the area is still used, else remove_vm_area + kfree(area) (src/hw's
 * v3.15 code); and patch 2/2 as posted (found in the linux-mm archive, see arm.ts): the lookup
 * runs with the page-aligned paddr and PAGE_ALIGN'ed size, and its `&offset` overwrites the
 * caller's in-page offset, so `offset + area->addr` loses it.
 * ARM's PAGE_MASK is `~((1 << PAGE_SHIFT) - 1)`, a signed int (arch/arm/include/asm/page.h): it
 * sign-extends to a 64-bit phys_addr_t and keeps the bits above 4 GiB; the difference is then
 * truncated to `int`, so two areas 4 GiB apart still alias (PAGE_MASKED below).
 *
 * Where the C does not compile: vm_area_used_inc returns `atomic_read(&va->vm->used)` with `va`
 * undeclared in that function; the evident intent is `atomic_read(&area->used)`, modelled so (the
 * value is unused, as Morton noted).
 * The lockless loads of va->flags, va->vm and vm fields in find_vm_area_paddr and
 * vm_area_used_dec are plain C loads (KCSAN sees them) unless the scenario sets `markedReads`,
 * which makes them READ_ONCE (marked, no ordering: a plain store they race with is still a data
 * race under the kernel's rules, as remove_vm_area's are).
 * Leaves out: the WARN on an unaligned vfree address (every caller here passes page addresses).
 */
import {
  type AtomicT, type KPtr, Cell, type MemType, Mo, PAGE_SIZE, VM_IOREMAP, VM_VM_AREA, VmStruct, atomic_add, atomic_read,
  atomic_sub, hex, hwFail, kfree, WARN, op, pageAlign, pageOffset, rcu_read_lock, rcu_read_unlock, s32,
  AtomicT as AtomicCtor,
} from '../../src/index.js';
import { type Mapped, physPending } from './arm.js';
import { type G, type IoVariant, type IoWorld, noteDecider } from './world.js';

/** vm_struct with the patch's `atomic_t used`. */
export class UsedVm extends VmStruct {
  readonly used: AtomicT;
  constructor(id: number) {
    super(id);
    this.used = new AtomicCtor(1, 'used', id);
  }
}

type W = IoWorld<UsedVm>;

/** A load of a field the lockless reader does: plain, or marked when the scenario asks. */
export function* load<T>(w: W, c: Cell<T>, label: string): G<T> {
  if (!w.params.markedReads) return yield* c.get(label);
  yield op.read(c.id, `${label} (READ_ONCE)`, Mo.Once);
  return c.value;
}

/** `va->vm->...`: dereferencing a NULL vm is an Oops. */
export function deref<T>(p: T | null, what: string, label: string): T {
  if (p === null) {
    hwFail('page-fault', `NULL pointer dereference: ${what} is NULL (the area was unpublished by remove_vm_area)`, label, {
      title: `BUG: unable to handle kernel NULL pointer dereference in ${label.split(':')[0] ?? label}`,
    });
  }
  return p;
}

/**
 * `x & PAGE_MASK` with a 64-bit phys_addr_t (ARM LPAE): PAGE_MASK is the int
 * `~((1 << PAGE_SHIFT) - 1)`, sign-extended, so only the in-page bits are cleared.
 */
export function PAGE_MASKED(x: number): number {
  return x - (x % PAGE_SIZE);
}

/** vm_area_used_inc(area): flag check, atomic_add, then (evident intent) atomic_read(&area->used). */
function* vm_area_used_inc(w: W, area: UsedVm, who: string): G<number> {
  const flags = yield* load(w, area.flags, 'vm_area_used_inc: area->flags & VM_IOREMAP');
  if ((flags & VM_IOREMAP) === 0) return -22;
  // atomic_add: relaxed, no value in the C (the value is the ghost's: a reference taken from 0).
  const now = yield* atomic_add(1, area.used, 'vm_area_used_inc: atomic_add(1, &area->used)');
  if (now === 1) w.ghost.resurrected.push(`vm_area_used_inc (from find_vm_area_paddr): ${who} took a reference on ${hex(area.addr.value)} from 0`);
  return yield* atomic_read(area.used, 'vm_area_used_inc: atomic_read(&va->vm->used) [va: area]');
}

/** vm_area_used_dec(addr): returns the count left (0 also for "not an ioremap area"). */
function* vm_area_used_dec(w: W, addr: number, who: string): G<number> {
  const va = yield* w.vmalloc.findVmapArea(addr);
  if (!va) return 0;
  const f = yield* load(w, va.flags, 'vm_area_used_dec: va->flags & VM_VM_AREA');
  if ((f & VM_VM_AREA) === 0) return 0;
  const l1 = 'vm_area_used_dec: va->vm->flags & VM_IOREMAP';
  const vm1 = deref(yield* load(w, va.vm, l1), 'va->vm', l1) as KPtr<UsedVm>;
  if (((yield* load(w, vm1.flags, l1)) & VM_IOREMAP) === 0) return 0;
  const l2 = 'vm_area_used_dec: atomic_sub(1, &va->vm->used)';
  const vm2 = deref(yield* load(w, va.vm, l2), 'va->vm', l2) as KPtr<UsedVm>;
  yield* atomic_sub(1, vm2.used, l2);
  const l3 = 'vm_area_used_dec: atomic_read(&va->vm->used)';
  const vm3 = deref(yield* load(w, va.vm, l3), 'va->vm', l3) as KPtr<UsedVm>;
  const left = yield* atomic_read(vm3.used, l3);
  if (left === 0) noteDecider(w, vm3, who, 'vm_area_used_dec');
  return left;
}

/** find_vm_area_paddr(paddr, size, &offset, flags): an area covering the span, with used++. */
export function* find_vm_area_paddr(w: W, paddr: number, size0: number, flags: number, who: string): G<{ vm: KPtr<UsedVm>; offset: number; physPending: boolean } | null> {
  if ((flags & VM_IOREMAP) === 0) return null;
  const size = pageAlign(pageOffset(paddr) + size0);
  yield* rcu_read_lock('find_vm_area_paddr: rcu_read_lock');
  const list = yield* w.vmalloc.walkRcu('find_vm_area_paddr: list_for_each_entry_rcu(va, &vmap_area_list)');
  for (const va of list) {
    const vaFlags = yield* load(w, va.flags, 'find_vm_area_paddr: va->flags & VM_VM_AREA');
    if ((vaFlags & VM_VM_AREA) === 0) continue;
    if ((yield* load(w, va.vm, 'find_vm_area_paddr: !va->vm')) === null) continue;
    const l1 = 'find_vm_area_paddr: va->vm->flags & VM_IOREMAP';
    const vmA = deref(yield* load(w, va.vm, l1), 'va->vm', l1) as KPtr<UsedVm>;
    if (((yield* load(w, vmA.flags, l1)) & VM_IOREMAP) === 0) continue;
    const l2 = 'find_vm_area_paddr: phys_addr = va->vm->phys_addr';
    const vmB = deref(yield* load(w, va.vm, l2), 'va->vm', l2);
    const phys_addr = yield* load(w, vmB.physAddr, l2);
    const pending = physPending(w, vmB); // ghost, in the step of the load: the 0 read is not this area's address
    const off = s32(PAGE_MASKED(paddr) - PAGE_MASKED(phys_addr)); // int off
    if (off < 0) continue;
    const l3 = 'find_vm_area_paddr: off + size <= va->vm->size - PAGE_SIZE';
    const vmC = deref(yield* load(w, va.vm, l3), 'va->vm', l3);
    if (off + size <= (yield* load(w, vmC.size, l3)) - PAGE_SIZE) {
      const offset = off + pageOffset(paddr);
      const l4 = 'find_vm_area_paddr: vm_area_used_inc(va->vm)';
      yield* vm_area_used_inc(w, deref(yield* load(w, va.vm, l4), 'va->vm', l4) as KPtr<UsedVm>, who);
      yield* rcu_read_unlock('find_vm_area_paddr: rcu_read_unlock');
      const l5 = 'find_vm_area_paddr: return va->vm';
      return { vm: deref(yield* load(w, va.vm, l5), 'va->vm', l5) as KPtr<UsedVm>, offset, physPending: pending };
    }
  }
  yield* rcu_read_unlock('find_vm_area_paddr: rcu_read_unlock');
  return null;
}

/** __vunmap(addr, deallocate_pages = 0) with the patch's early return. */
export function* __vunmap(w: W, addr: number, who: string): G<void> {
  if (addr === 0) return;
  if ((yield* vm_area_used_dec(w, addr, who)) !== 0) return;
  const area = yield* w.vmalloc.removeVmArea(addr);
  if (!area) {
    WARN(1, `Trying to vfree() nonexistent vm area (${hex(addr)})`, '__vunmap: WARN(1, "Trying to vfree() nonexistent vm area")');
    return;
  }
  yield* kfree(area, '__vunmap: kfree(area)');
}

/**
 * Patch 2/2's call site in __arm_ioremap_pfn_caller: `area = find_vm_area_paddr(paddr, size,
 * &offset, VM_IOREMAP); if (area) return offset + area->addr;`, with the page-aligned paddr and
 * size of that function, and `offset` (its in-page offset argument) overwritten by the lookup.
 */
function* reuse(w: W, paddr: number, size: number, _offset: number, _type: MemType, who: string): G<Mapped | null> {
  const found = yield* find_vm_area_paddr(w, paddr, size, VM_IOREMAP, who);
  if (!found) return null;
  const offset = found.offset; // *offset = off + (paddr & ~PAGE_MASK): the caller's own offset is gone
  const addr = yield* load(w, found.vm.addr, '__arm_ioremap_pfn_caller: addr = (unsigned long)area->addr');
  // A half-built area matched on the 0 its phys_addr still held is another device's area: say so.
  const how = found.physPending ? ', matched while its phys_addr was unset' : '';
  return { va: offset + addr, via: `find_vm_area_paddr (${found.vm.caller} area${how})` };
}

/** The posted variant's hooks for the shared world. */
export const postedVariant: IoVariant<UsedVm> = {
  newVm: (id) => new UsedVm(id),
  bootReuse: () => true,
  bootShare: (vm) => { vm.used.counter++; },
  bootCreated: () => undefined,
  staticCreated: (vm) => { vm.used.counter = 0; },
  rcuFreeVa: true,
  reuse,
  vunmap: (w, addr, who) => __vunmap(w, addr, who),
};

export { PAGE_SIZE };
