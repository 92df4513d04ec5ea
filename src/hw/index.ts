/**
 * src/hw: emulated hardware for models (issue 3, hardware part): physical memory and MMIO windows,
 * page tables with memory types, the vmalloc space, user address spaces with VMAs, an IOMMU domain
 * and a DMA device thread. Everything a CPU or device does to this state is an op.
 * See src/hw/API.md for a table of every export. Errno values and C integer types are not
 * re-exported here: they come from src/linux (one definition per name in the public API).
 */
export * from './addr.js';
export { hwFail, hereSite } from './fault.js';
export type { HwFailExtra } from './fault.js';
export { Page, MmioDevice, PhysMem } from './phys.js';
export type { HwAccess, PhysTarget } from './phys.js';
export { PageTable, Pte, PROT_READ, PROT_WRITE, PROT_RW } from './pagetable.js';
export type { MemType, AccessOpts, MapOpts } from './pagetable.js';
export { reach, walkedVia } from './reach.js';
export type { WalkedVia } from './reach.js';
export {
  VmallocSpace, VmStruct, VmapArea, VM_IOREMAP, VM_ALLOC, VM_MAP, VM_USERMAP, VM_UNINITIALIZED, VM_LAZY_FREE, VM_VM_AREA,
} from './vmalloc.js';
export type { HwLock, VmallocOptions } from './vmalloc.js';
export { IommuDomain, IOMMU_READ, IOMMU_WRITE } from './iommu.js';
export { DmaDevice } from './dma.js';
export type { DmaJob } from './dma.js';
export {
  File, Vma, openFile, getFile, fput, NOPAGE_SIGBUS, NOPAGE_OOM, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYREAD, VM_MAYWRITE,
  VM_MAYEXEC, VM_MAYSHARE, VM_LOCKED, VM_IO, VM_DONTCOPY, PROT_NONE_U, PROT_READ_U, PROT_WRITE_U, PROT_EXEC_U, MAP_SHARED,
  MAP_PRIVATE, MAP_FIXED,
} from './vma.js';
export type { VmOps, FileOps, NopageResult } from './vma.js';
export { Mm } from './mm.js';
export * from './highmem.js';
export { handleMmFault, userAccess } from './handle-mm-fault.js';
export type { MmapArgs, MmOptions, Signal, UserAccessResult } from './mm.js';
export { benchHwModel } from './bench-model.js';
