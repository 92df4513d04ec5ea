/**
 * The ARM side every ioremap-reuse variant runs on: arch/arm/mm/ioremap.c of v3.14/v3.15
 * (`__arm_ioremap_caller` -> `__arm_ioremap_pfn_caller`, `__iounmap`, static_vmlist with
 * `find_static_vm_paddr` / `find_static_vm_vaddr`), with the one place a variant plugs in: the
 * reuse lookup, where seed 000's patch 2/2 put it.
 *
 * Patch 2/2 as posted ("[PATCHv2 2/2] ARM: ioremap: Add IO mapping space reused support.",
 * Richard Lee, linux-mm / linux-arm-kernel, 14 May 2014, Message-ID
 * <1400055532-13134-3-git-send-email-superlibj8301@gmail.com>, found in the linux-mm archive)
 * adds six lines to __arm_ioremap_pfn_caller, after the static-mapping reuse and the
 * `WARN_ON(pfn_valid(pfn))` check and before `get_vm_area_caller`:
 *   area = find_vm_area_paddr(paddr, size, &offset, VM_IOREMAP);
 *   if (area) { addr = (unsigned long)area->addr; return (void __iomem *)(offset + addr); }
 * There `paddr = __pfn_to_phys(pfn)` is page aligned and `size = PAGE_ALIGN(offset + size)`, and
 * `&offset` is the function's own in-page offset argument, which find_vm_area_paddr overwrites
 * with `off + (paddr & ~PAGE_MASK)` = `off`: the in-page offset is lost (dev2 at 0x20001400 gets
 * dev1's 0x20001000). The v1 RFC 2/2 (12 May 2014) had used a separate `off` and returned
 * `offset + off + addr`, which was right. v2 leaves __iounmap unchanged (v1 had called
 * vm_area_is_aready_to_free there; v2 moved the count into __vunmap).
 *
 * Modelled: the zero-size / wrap-around refusal; `size = PAGE_ALIGN(offset + size)`; static
 * mappings reused first (matching memory type and range, never freed by __iounmap);
 * get_vm_area_caller; `area->phys_addr = paddr` (a plain store into an area already on
 * vmap_area_list); ioremap_page_range, which can fail (`failMap`: -ENOMEM from a page-table
 * allocation), and on failure `vunmap((void *)addr)`, which is the variant's __vunmap.
 * phys_addr_t is 64-bit (LPAE), so the static search always runs and high PAs are allowed.
 * Leaves out: supersection / section mappings and their UP-only teardown in __iounmap
 * (`unmap_area_sections` before `vunmap`, !SMP && !LPAE), `WARN_ON(pfn_valid(pfn))` (every window
 * here is MMIO), flush_cache_vmap.
 */
import {
  ENOMEM, type MemType, type Op, PAGE_SIZE, VM_IOREMAP, type VmStruct, choose, pageAlign, pageAlignDown, pageOffset,
} from '../../src/index.js';
import type { IoWorld } from './world.js';

type G<R> = Generator<Op, R, unknown>;

/** vm_struct->flags of ARM's own areas (arch/arm/mm/mm.h). */
export const VM_ARM_SECTION_MAPPING = 0x80000000;
export const VM_ARM_STATIC_MAPPING = 0x40000000;
export const VM_ARM_EMPTY_MAPPING = 0x20000000;
export const VM_ARM_MTYPE_MASK = 0x1f << 20;
/** MT_DEVICE, MT_DEVICE_CACHED, MT_DEVICE_WC (arch/arm/include/asm/io.h). */
const MT: Readonly<Record<MemType, number>> = { device: 0, cached: 2, wc: 3 };
export function VM_ARM_MTYPE(t: MemType): number {
  return MT[t] << 20;
}

/** One entry of static_vmlist: a boot-time vm_struct that is also on vmap_area_list. */
export interface StaticVm<V extends VmStruct> {
  readonly vm: V;
  readonly addr: number;
  readonly size: number;
  readonly phys: number;
  readonly flags: number;
}

/** The `caller` of the areas ioremap itself creates (get_vm_area_caller's last argument). */
export const IOREMAP_CALLER = '__arm_ioremap_pfn_caller';

/**
 * Ghost, for a finder in the step right after its load of `vm->phys_addr`: is `vm` an area ioremap
 * has published (setup_vmalloc_vm) but whose phys_addr it has not stored yet? Then the finder read
 * the 0 get_vm_area_caller left there, not the area's address (a device at PA 0 stores 0 too, which
 * is why this is a ghost and not a test of the value).
 */
export function physPending<V extends VmStruct>(w: IoWorld<V>, vm: VmStruct): boolean {
  return vm.caller === IOREMAP_CALLER && !w.ghost.physStored.has(vm.id);
}

/** What ioremap returned and which function found the area (for the caller's promise). */
export interface Mapped {
  readonly va: number;
  readonly via: string;
}

/**
 * find_static_vm_paddr: a static mapping of this memory type covering [paddr, paddr + size).
 * static_vmlist and its entries never change after boot, so the walk needs no ops.
 */
export function find_static_vm_paddr<V extends VmStruct>(w: IoWorld<V>, paddr: number, size: number, type: MemType): StaticVm<V> | null {
  for (const s of w.statics) {
    if ((s.flags & VM_ARM_STATIC_MAPPING) === 0) continue;
    if ((s.flags & VM_ARM_MTYPE_MASK) !== VM_ARM_MTYPE(type)) continue;
    if (s.phys > paddr || paddr + size - 1 > s.phys + s.size - 1) continue;
    return s;
  }
  return null;
}

/** find_static_vm_vaddr: the static entry containing vaddr. */
export function find_static_vm_vaddr<V extends VmStruct>(w: IoWorld<V>, vaddr: number): StaticVm<V> | null {
  return w.statics.find((s) => s.addr <= vaddr && vaddr < s.addr + s.size) ?? null;
}

/** ioremap_page_range: 0, or -ENOMEM when a page-table allocation fails (scenario `failMap`). */
function* ioremap_page_range<V extends VmStruct>(w: IoWorld<V>, addr: number, paddr: number, size: number, type: MemType): G<number> {
  if (w.params.failMap === true && (yield* choose(2, 'ioremap_page_range: pte_alloc_kernel fails?')) === 1) return -ENOMEM;
  yield* w.kpt.map(addr, paddr, size, type, { label: 'ioremap_page_range: set_pte_at' });
  return 0;
}

/** __arm_ioremap_caller(phys_addr, size, mtype): the ARM ioremap / ioremap_wc / ioremap_cache. */
export function* __arm_ioremap_caller<V extends VmStruct>(w: IoWorld<V>, physAddr: number, size0: number, type: MemType, who: string): G<Mapped | null> {
  if (size0 === 0) return null; // "Don't allow wraparound or zero size"
  const offset = pageOffset(physAddr);
  const paddr = pageAlignDown(physAddr); // __pfn_to_phys(pfn)
  const size = pageAlign(offset + size0);
  const svm = find_static_vm_paddr(w, paddr, size, type);
  if (svm) return { va: svm.addr + (paddr - svm.phys) + offset, via: 'find_static_vm_paddr' };
  const hook = w.variant.reuse;
  if (hook) {
    const r = yield* hook(w, paddr, size, offset, type, who);
    if (r) return r;
  }
  const area = yield* w.vmalloc.getVmArea(size, VM_IOREMAP, IOREMAP_CALLER);
  if (!area) return null;
  const addr = area.addr.value; // set by this thread's setup_vmalloc_vm, under the lock
  yield* area.physAddr.set(paddr, '__arm_ioremap_pfn_caller: area->phys_addr = paddr');
  w.ghost.physStored.add(area.id); // ghost, in the step of the store
  if ((yield* ioremap_page_range(w, addr, paddr, size, type)) !== 0) {
    yield* w.variant.vunmap(w, addr, `${who} (ioremap_page_range failed)`); // vunmap((void *)addr)
    return null;
  }
  if (w.variant.mapped) yield* w.variant.mapped(w, area as unknown as V, type);
  return { va: addr + offset, via: 'get_vm_area_caller' };
}

/** __iounmap(io_addr): static mappings are left alone; everything else is vunmap'd (__vunmap). */
export function* __iounmap<V extends VmStruct>(w: IoWorld<V>, ioAddr: number, who: string): G<void> {
  const addr = pageAlignDown(ioAddr); // PAGE_MASK & io_addr
  if (find_static_vm_vaddr(w, addr)) return;
  yield* w.variant.vunmap(w, addr, who);
}

export { PAGE_SIZE };
