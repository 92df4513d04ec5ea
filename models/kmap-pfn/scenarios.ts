/**
 * Workloads of the kmap-pfn models (both variants run all of them). Each is JSON: the kernel's
 * word size, the RAM frames and pmem range, how the driver undoes its mapping, whether the device
 * is removed, and which pfns each reader thread kmaps. Small on purpose: 2-3 threads, so DPOR can
 * exhaust them (the fixed variant's provedScenarios); fast-check generates larger ones in the tests.
 * Leaves out: more than one pmem device (ranges from several devices only lengthen the list walk).
 */
import type { KmapPfnParams } from './state.js';

/** A RAM frame below 4 GiB, and one above it (a PAE HIGHMEM page). */
export const LOW_PFN = 0x100;
export const HIGH_PFN = 0x10_0100;
/** The pmem range: 2 pages at PA 0x200000, no memmap. */
export const PMEM_PFN = 0x200;
export const PMEM_PAGES = 2;
/** A pmem range above 4 GiB (PAE). */
export const HIGH_PMEM_PFN = 0x10_0200;

const base: KmapPfnParams = {
  bits: 64, pmemPfn: PMEM_PFN, pmemPages: PMEM_PAGES, ramPfns: [LOW_PFN], unmapIn: 'devm', remove: 'concurrent',
  readersStart: 'after-probe', readers: [[{ pfn: PMEM_PFN + 1, dev: true }]], failAllocs: false,
};

export const kmapPfnScenarios: Readonly<Record<string, KmapPfnParams>> = {
  /** A reader copies from a pmem pfn while the device is unbound (devm_memremap driver). */
  'reader-vs-remove': base,
  /** The same with the v4.2 pmem driver: memunmap_pmem in ->remove(), before devres teardown. */
  'remove-unmaps-first': { ...base, unmapIn: 'remove' },
  /** 32-bit HIGHMEM kernel: a reader kmaps a RAM page above 4 GiB (no device activity). */
  'highmem-32bit': { ...base, bits: 32, ramPfns: [LOW_PFN, HIGH_PFN], remove: 'after', readers: [[{ pfn: HIGH_PFN, dev: false }]] },
  /** 32-bit PAE kernel, pmem above 4 GiB: a reader of a device pfn after probe, no removal. */
  'pmem-above-4g-32bit': { ...base, bits: 32, pmemPfn: HIGH_PMEM_PFN, remove: 'after', readers: [[{ pfn: HIGH_PMEM_PFN + 1, dev: true }]] },
  /** A reader of an ordinary RAM page while the device goes away: kunmap must still pair. */
  'page-reader-vs-remove': { ...base, readers: [[{ pfn: LOW_PFN, dev: false }]] },
  /** A reader racing probe only: it may find no range yet (NULL, an I/O error), never a bad one. */
  'probe-vs-reader': { ...base, remove: 'after', readersStart: 'any-time' },
  /** A reader against probe + remove with every allocation allowed to fail (kzalloc kmap, devres nodes, pmem). */
  'alloc-fail': { ...base, failAllocs: true },
  /** Two readers (device and RAM pfns) against probe + remove: for PCT / random, beyond DPOR. */
  'two-readers': { ...base, readers: [[{ pfn: PMEM_PFN, dev: true }, { pfn: LOW_PFN, dev: false }], [{ pfn: PMEM_PFN + 1, dev: true }]] },
};

export const KMAP_PFN_DEFAULT = 'reader-vs-remove';
