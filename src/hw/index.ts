/**
 * src/hw: emulated hardware for models (issue 3, hardware part): physical memory and MMIO windows,
 * page tables with memory types, the vmalloc space, user address spaces with VMAs, an IOMMU domain
 * and a DMA device thread. Everything a CPU or device does to this state is an op.
 * See src/hw/API.md for a table of every export. Leaves out: nothing of its own (re-exports only).
 */
export * from './addr.js';
export { hwFail, hereSite } from './fault.js';
export type { HwFailExtra } from './fault.js';
export { Page, MmioDevice, PhysMem } from './phys.js';
export type { HwAccess, PhysTarget } from './phys.js';
export { PageTable, Pte, PROT_READ, PROT_WRITE, PROT_RW, EEXIST } from './pagetable.js';
export type { MemType, AccessOpts, MapOpts } from './pagetable.js';
export { reach } from './reach.js';
export {
  VmallocSpace, VmStruct, VmapArea, VM_IOREMAP, VM_ALLOC, VM_MAP, VM_USERMAP, VM_UNINITIALIZED, VM_LAZY_FREE, VM_VM_AREA,
} from './vmalloc.js';
export type { HwLock, VmallocOptions } from './vmalloc.js';
export { IommuDomain, IOMMU_READ, IOMMU_WRITE } from './iommu.js';
export { DmaDevice } from './dma.js';
export type { DmaJob } from './dma.js';
