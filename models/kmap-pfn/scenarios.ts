/**
 * Workloads of the kmap-pfn models (both variants run all of them). Each is JSON: the kernel's
 * word size, the RAM frames and pmem range, how the driver undoes its mapping, whether and how
 * often the device is unbound (and bound again), and which pfns each reader thread kmaps, what it
 * does inside the window (sleep, copy to user memory, nested kmaps). Small on purpose so DPOR can
 * exhaust most of them; fast-check generates others in the tests.
 * schema.ts says what a scenario may be; `kmapPfnRelations` refuses what the schema cannot state.
 * Leaves out: more than one pmem device (ranges from several devices only lengthen the list walk),
 * zero-length ranges (a zero-size namespace never reaches pmem probe).
 */
import { refuseField } from '../refuse-field.js';
import type { KmapPfnParams, ReaderPfn } from './state.js';

/** A RAM frame below 4 GiB, and one above it (a PAE HIGHMEM page). */
export const LOW_PFN = 0x100;
export const HIGH_PFN = 0x10_0100;
/** The pmem range: 2 pages at PA 0x200000, no memmap. */
export const PMEM_PFN = 0x200;
export const PMEM_PAGES = 2;
/** A pmem range above 4 GiB (PAE). */
export const HIGH_PMEM_PFN = 0x10_0200;

/** A sleeping step inside a page-backed kmap_atomic is the caller's bug in every design: refused. */
function checkSleeps(p: KmapPfnParams, rp: ReaderPfn, path: string, atomic: boolean): void {
  const sleeps = rp.between !== undefined && rp.between !== 'nothing';
  if (sleeps && (atomic || !rp.dev)) {
    refuseField('kmap-pfn', `${path}.between`, rp.between, '"nothing" inside a page-backed kmap_atomic (kmap_atomic never allows sleeping)');
  }
  if (!rp.dev && !p.ramPfns.includes(rp.pfn)) {
    refuseField('kmap-pfn', `${path}.pfn`, rp.pfn, `one of ramPfns (${p.ramPfns.join(', ')}) or dev: true (a RAM pfn needs a struct page)`);
  }
  (rp.inner ?? []).forEach((x, k) => checkSleeps(p, x, `${path}.inner[${k}]`, atomic || !rp.dev));
}

/** Relations between fields the schema (schema.ts) cannot state, refused with one line before setup builds anything. */
export function kmapPfnRelations(p: KmapPfnParams): void {
  p.readers.forEach((r, i) => r.forEach((rp, j) => checkSleeps(p, rp, `readers[${i}][${j}]`, false)));
}

const base: KmapPfnParams = {
  bits: 64, pmemPfn: PMEM_PFN, pmemPages: PMEM_PAGES, ramPfns: [LOW_PFN], unmapIn: 'devm', remove: 'concurrent',
  readersStart: 'after-probe', readers: [[{ pfn: PMEM_PFN + 1, dev: true }]], failAllocs: false,
};

export const kmapPfnScenarios: Readonly<Record<string, KmapPfnParams>> = {
  /** A reader copies from a pmem pfn while the device is unbound (devm_memremap driver). */
  'reader-vs-remove': base,
  /** The same with the v4.2 pmem driver: memunmap_pmem in ->remove(), before devres teardown. */
  'remove-unmaps-first': { ...base, unmapIn: 'remove' },
  /** 32-bit HIGHMEM kernel: a reader kmaps a RAM page above 4 GiB, then a pmem pfn, while the device goes away. */
  'highmem-32bit': { ...base, bits: 32, ramPfns: [LOW_PFN, HIGH_PFN], readers: [[{ pfn: HIGH_PFN, dev: false }, { pfn: PMEM_PFN, dev: true }]] },
  /** 32-bit PAE kernel, pmem above 4 GiB: a reader of a device pfn racing the unbind. */
  'pmem-above-4g-32bit': { ...base, bits: 32, pmemPfn: HIGH_PMEM_PFN, readers: [[{ pfn: HIGH_PMEM_PFN + 1, dev: true }]] },
  /** A reader of an ordinary RAM page while the device goes away: kunmap must still pair. */
  'page-reader-vs-remove': { ...base, readers: [[{ pfn: LOW_PFN, dev: false }]] },
  /** A reader racing probe and remove: it may find no range yet (NULL, an I/O error), never a bad one. */
  'probe-vs-reader': { ...base, readersStart: 'any-time' },
  /** A reader against probe + remove with every allocation allowed to fail (kzalloc kmap, devres nodes, pmem, memremap). */
  'alloc-fail': { ...base, failAllocs: true },
  /** Two readers (device and RAM pfns) against probe + remove. */
  'two-readers': { ...base, readers: [[{ pfn: PMEM_PFN, dev: true }, { pfn: LOW_PFN, dev: false }], [{ pfn: PMEM_PFN + 1, dev: true }]] },
  /** dax_clear_blocks as the series converts it: cond_resched() between kmap_atomic_pfn_t and kunmap, device unbound meanwhile. */
  'sleeping-reader': { ...base, readers: [[{ pfn: PMEM_PFN + 1, dev: true, between: 'cond_resched' }]] },
  /** dax_io: a copy to user memory (which may fault and sleep) inside the window. */
  'user-copy-reader': { ...base, readers: [[{ pfn: PMEM_PFN, dev: true, between: 'copy_to_user' }]] },
  /** Nested kmaps: a pmem pfn held while a RAM page is kmapped and unmapped, then the pmem address used again. */
  'nested-kmaps': { ...base, readers: [[{ pfn: PMEM_PFN, dev: true, inner: [{ pfn: LOW_PFN, dev: false }] }]] },
  /** Three readers (a sleeping DAX reader, a pmem reader, a RAM reader) against probe and remove. */
  'three-readers': {
    ...base,
    readers: [[{ pfn: PMEM_PFN, dev: true, between: 'cond_resched' }], [{ pfn: PMEM_PFN + 1, dev: true }], [{ pfn: LOW_PFN, dev: false }]],
  },
  /** Unbind and bind again (a new struct kmap for the same range) while a reader maps twice: reuse. */
  'rebind': { ...base, cycles: 2, remove: 'after', readers: [[{ pfn: PMEM_PFN, dev: true }, { pfn: PMEM_PFN + 1, dev: true, between: 'cond_resched' }]] },
};

export const KMAP_PFN_DEFAULT = 'reader-vs-remove';
