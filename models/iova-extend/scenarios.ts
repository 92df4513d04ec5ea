/**
 * Workloads for the iova-extend models (seed 001), as JSON parameters shared by every variant:
 * the mapping's geometry (IOVA base, initial / grow / maximum size in pages, `order`), whether the
 * extension's GFP_ATOMIC allocations may fail, whether a DMA device thread transfers to every
 * buffer while it is mapped, and the driver threads' dma map / unmap steps.
 *
 * A driver step `{ kind: 'map', pages }` maps a fresh buffer of that many pages
 * (arm_coherent_iommu_map_page shape: __alloc_iova + iommu_map; `pages: 0` is a zero-length
 * dma_map_page, which the API does not forbid); `{ kind: 'unmap', which, pages? }` unmaps the
 * thread's `which`-th buffer (0-based, in map order), with `pages` the length the caller passes
 * (by default what it mapped; another length is a caller bug: a wrong-length free);
 * `{ kind: 'unmap-foreign', iova, pages }` is dma_unmap_page of a handle this mapping never gave
 * (a foreign free, another caller bug). The kernel must survive caller bugs: a WARN is the answer
 * it may give (the driver runs them inside `misuse`), damage to another buffer's IOVA bits or
 * IOMMU entries is a finding. Whatever a thread still has mapped at its end is unmapped then.
 * Sizes: the bitmaps are `unsigned long` words (32 bits on ARM), so windows are chosen as
 * multiples of 32 pages unless a scenario is about the rounding itself (`odd-window`).
 * Failure injection (`failAllocs`): the extension's GFP_ATOMIC kzallocs, the IOMMU driver's
 * page-table allocation inside iommu_map (-ENOMEM), and in `createRelease` every GFP_KERNEL
 * allocation of arm_iommu_create_mapping and iommu_domain_alloc.
 * schema.ts is the scenarios' schema (every field with its allowed values); `iovaRelations` refuses
 * what the schema cannot state.
 * Leaves out: scatter-gather mappings (one contiguous buffer per map), in-page offsets of a
 * handle (buffers are page aligned).
 */
import { refuseField } from '../refuse-field.js';

export type IovaStep =
  | { readonly kind: 'map'; readonly pages: number }
  | { readonly kind: 'unmap'; readonly which: number; readonly pages?: number }
  | { readonly kind: 'unmap-foreign'; readonly iova: number; readonly pages: number };
export type IovaThread = { readonly name: string; readonly steps: readonly IovaStep[] };

export type IovaParams = {
  /** IOVA base of the mapping (dma_addr_t, 32-bit). */
  readonly base: number;
  /** IOVA pages allocated at boot from the start of the window and never freed. */
  readonly reservedPages: number;
  /** arm_iommu_create_mapping's size, grow_size and max_size, in pages. */
  readonly initialPages: number;
  readonly growPages: number;
  readonly maxPages: number;
  /** mapping->order: one bitmap bit covers 2^order pages. */
  readonly order: number;
  /** Allocations (and iommu_map's page-table allocation) may fail: explored choose points. */
  readonly failAllocs: boolean;
  /** A DMA device writes the first and last page of every buffer while it is mapped. */
  readonly dma: boolean;
  readonly threads: readonly IovaThread[];
  /** A thread that creates a second mapping with arm_iommu_create_mapping and releases it. */
  readonly createRelease: boolean;
};

export const map = (pages: number): IovaStep => ({ kind: 'map', pages });
export const unmap = (which: number, pages?: number): IovaStep => (pages === undefined ? { kind: 'unmap', which } : { kind: 'unmap', which, pages });
export const unmapForeign = (iova: number, pages: number): IovaStep => ({ kind: 'unmap-foreign', iova, pages });

function params(threads: IovaThread[], o: Partial<IovaParams> = {}): IovaParams {
  return {
    base: o.base ?? 0x80000000, reservedPages: o.reservedPages ?? 0, initialPages: o.initialPages ?? 32, growPages: o.growPages ?? 32,
    maxPages: o.maxPages ?? 128, order: o.order ?? 0, failAllocs: o.failAllocs ?? false, dma: o.dma ?? false, threads,
    createRelease: o.createRelease ?? false,
  };
}

export const iovaScenarios = {
  /** Range 0 has one free page; T0 takes and frees it (unlocked list walk) while T1's 2-page map must extend. */
  'extend-while-free': params([
    { name: 'drv-a', steps: [map(1), unmap(0)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { reservedPages: 31 }),
  /** A 32-page mapping that may grow to 64 pages, one page left: the second map needs the last chunk. */
  'grow-to-max': params([
    { name: 'drv-a', steps: [map(1)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { reservedPages: 31, maxPages: 64 }),
  /** An 8-page window: its bitmap still has 32 bits, so a 16-page buffer goes past the window. */
  'odd-window': params([
    { name: 'drv-a', steps: [map(16)] },
  ], { initialPages: 8, growPages: 8, maxPages: 32 }),
  /** The extension's GFP_ATOMIC allocations may fail: the map then fails cleanly, nothing leaks. */
  'ext-enomem': params([
    { name: 'drv-a', steps: [map(1)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { reservedPages: 31, failAllocs: true }),
  /** Mixed sizes with a DMA device: two small buffers fill range 0, the third forces an extension. */
  'dma-mixed': params([
    { name: 'drv-a', steps: [map(1), map(2)] },
    { name: 'drv-b', steps: [map(1)] },
  ], { reservedPages: 30, dma: true }),
  /** Small and fast for DPOR proofs: two threads, map + unmap, with DMA. */
  'small-dma': params([
    { name: 'drv-a', steps: [map(1), unmap(0)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { dma: true }),
  /** A window that ends exactly at 4 GiB: `e->base + e->size` wraps to 0 in a 32-bit dma_addr_t. */
  'top-of-space': params([
    { name: 'drv-a', steps: [map(1), unmap(0)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { base: 0xfffe0000, maxPages: 32 }),
  /** arm_iommu_create_mapping with every GFP_KERNEL allocation allowed to fail, then release: error paths free everything. */
  'create-release': params([
    { name: 'drv-a', steps: [map(1)] },
  ], { failAllocs: true, createRelease: true }),
  /** Three threads allocating and freeing small buffers in one range. */
  'three-small': params([
    { name: 'drv-a', steps: [map(1), unmap(0)] },
    { name: 'drv-b', steps: [map(2)] },
    { name: 'drv-c', steps: [map(1)] },
  ]),
  /** A window 31 pages below 4 GiB that grows across it: the extension's base wraps to IOVA 0. */
  'wrap-extend': params([
    { name: 'drv-a', steps: [map(1)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { base: 0xfffe0000, reservedPages: 31, dma: true }),
  /** A driver frees its 1-page buffer as 2 pages while its neighbour's buffer is live (one bitmap). */
  'oversized-free': params([
    { name: 'drv-a', steps: [map(1), unmap(0, 2)] },
    { name: 'drv-b', steps: [map(1), map(1)] },
  ], { dma: true }),
  /** As oversized-free with A's page the last of range 0 and B's the first of range 1. */
  'oversized-free-across': params([
    { name: 'drv-a', steps: [map(1), unmap(0, 2)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { reservedPages: 31, dma: true }),
  /** A driver frees a 2-page buffer as 1 page, and a handle of another mapping (below the window). */
  'short-and-foreign-free': params([
    { name: 'drv-a', steps: [map(2), unmap(0, 1), unmapForeign(0x7fff0000, 1)] },
    { name: 'drv-b', steps: [map(1)] },
  ]),
  /** Zero-length dma_map_page kept while one-page maps follow: the live handles must differ. */
  'zero-length': params([
    { name: 'drv-a', steps: [map(0), map(1)] },
    { name: 'drv-b', steps: [map(1)] },
  ]),
  /** Reuse with three drivers: map, unmap, map again, while the mapping grows. */
  'reuse-three': params([
    { name: 'drv-a', steps: [map(1), unmap(0), map(1)] },
    { name: 'drv-b', steps: [map(2), unmap(0), map(1)] },
    { name: 'drv-c', steps: [map(1), map(1)] },
  ], { reservedPages: 30 }),
  /** Every failure point on: extension kzallocs, iommu_map's page-table allocation, the second mapping's create (iommu_domain_alloc too). */
  'all-failures': params([
    { name: 'drv-a', steps: [map(1), unmap(0), map(2)] },
    { name: 'drv-b', steps: [map(2)] },
  ], { reservedPages: 30, failAllocs: true, createRelease: true }),
} satisfies Record<string, IovaParams>;

/** Pages a scenario's buffers need at most (each map step gets its own frames). */
export const MAX_MAP_PAGES = 32;

/**
 * Relations between fields the schema (schema.ts) cannot state, refused with one line before
 * anything is built: the first range holds at least one bitmap bit and the boot reservation, the
 * maximum is not below the initial size, an unmap names a buffer its thread mapped earlier, and
 * thread names are distinct (they name buffers and reports).
 */
export function iovaRelations(p: IovaParams): void {
  const bad = (path: string, v: unknown, allowed: string): never => refuseField('iova-extend', path, v, allowed);
  if (p.initialPages < 2 ** p.order) bad('initialPages', p.initialPages, `at least 2^order = ${2 ** p.order} pages (one bitmap bit)`);
  if (p.reservedPages > p.initialPages) bad('reservedPages', p.reservedPages, `at most initialPages (${p.initialPages}): the boot reservation lies in the first range`);
  if (p.maxPages < p.initialPages) bad('maxPages', p.maxPages, `at least initialPages (${p.initialPages})`);
  p.threads.forEach((t, i) => {
    let maps = 0;
    t.steps.forEach((s, k) => {
      if (s.kind === 'map') maps++;
      else if (s.kind === 'unmap' && s.which >= maps) {
        bad(`threads[${i}].steps[${k}].which`, s.which, maps === 0 ? 'nothing: no map step comes before this unmap' : `the index of an earlier map step of this thread (0..${maps - 1})`);
      }
    });
  });
  const names = p.threads.map((t) => t.name);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (dup >= 0) bad(`threads[${dup}].name`, names[dup], 'a name no other thread has');
}

/** The size of a scenario for listings: driver threads, and map steps (sessions) per driver. */
export function iovaShape(p: IovaParams): { threads: number; sessions: number | null } {
  return { threads: p.threads.length + (p.createRelease ? 1 : 0), sessions: Math.max(0, ...p.threads.map((t) => t.steps.filter((s) => s.kind === 'map').length)) };
}
