/**
 * An IOMMU domain: a page table from IOVA to PA with IOMMU_READ / IOMMU_WRITE permissions, driven by
 * iommu_map / iommu_unmap / iommu_iova_to_phys (include/linux/iommu.h, v3.x). Used by seed 001's
 * ARM dma-mapping IOVA allocator; the device side is DmaDevice (dma.ts).
 *
 * iommu_map over a live entry returns -EEXIST without touching it (what the ARM SMMU / OMAP
 * drivers' map callbacks do); iommu_unmap returns the number of bytes it cleared. Each entry is a
 * PTE object of its own (page granularity), so a racing unmap and a device access conflict.
 * Leaves out: page-size bitmaps and block mappings (always 4 KiB entries), fault handlers,
 * attach/detach, IOTLB flushes (an unmap takes effect at once for walks that start after it).
 */
import { type Op, op } from '../engine/ops.js';
import { PAGE_SIZE, hex, pageOffset } from './addr.js';
import { PROT_READ, PROT_WRITE, PageTable } from './pagetable.js';
import type { PhysMem } from './phys.js';

type G<R> = Generator<Op, R, unknown>;

export const IOMMU_READ = PROT_READ;
export const IOMMU_WRITE = PROT_WRITE;

export class IommuDomain {
  readonly pt: PageTable;
  constructor(readonly name: string, readonly phys: PhysMem, window?: { readonly start: number; readonly size: number }) {
    this.pt = new PageTable(name, phys);
    this.pt.addrWord = 'IOVA';
    if (window) this.pt.prepare(window.start, window.size);
  }

  /**
   * iommu_map: 0, or -EEXIST when an entry in the range is already live (earlier pages stay
   * mapped). Size 0 maps nothing and returns 0, without an op (v3.14's `while (size)` loop).
   */
  *map(iova: number, pa: number, size: number, prot: number, label = 'iommu_map'): G<number> {
    if (size === 0) return 0;
    return yield* this.pt.map(iova, pa, size, 'cached', { prot, label, onPresent: 'eexist' });
  }

  /** iommu_unmap: bytes unmapped (pages that were live times PAGE_SIZE); size 0 unmaps nothing, without an op. */
  *unmap(iova: number, size: number, label = 'iommu_unmap'): G<number> {
    if (size === 0) return 0;
    return (yield* this.pt.unmap(iova, size, label)) * PAGE_SIZE;
  }

  /** iommu_iova_to_phys as an op (a read of the entry); 0 when unmapped. */
  *iovaToPhys(iova: number, label = 'iommu_iova_to_phys'): G<number> {
    const p = this.pt.pte(iova);
    yield op.read(p.id, label);
    return p.present ? p.pa + pageOffset(iova) : 0;
  }

  /** Translation without an op (invariants, inspect). */
  translate(iova: number): number | null {
    const t = this.pt.translate(iova);
    return t ? t.pa : null;
  }

  /** Live entries as `iova -> pa` strings, for reports. */
  describe(from: number, size: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (let a = from; a < from + size; a += PAGE_SIZE) {
      const t = this.pt.translate(a);
      if (t) out[hex(a)] = hex(t.pa);
    }
    return out;
  }
}
