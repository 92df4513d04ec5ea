/**
 * Workloads for the iova-extend models (seed 001), as JSON parameters shared by every variant:
 * the mapping's geometry (IOVA base, initial / grow / maximum size in pages, `order`), whether the
 * extension's GFP_ATOMIC allocations may fail, whether a DMA device thread transfers to every
 * buffer while it is mapped, and the driver threads' dma map / unmap steps.
 *
 * A driver step `{ kind: 'map', pages }` maps a fresh buffer of that many pages
 * (arm_iommu_map_page shape: __alloc_iova + iommu_map); `{ kind: 'unmap', which }` unmaps the
 * thread's `which`-th buffer (0-based, in map order). Whatever a thread still has mapped at its end
 * is unmapped then, so a finished workload leaves no IOVA allocated.
 * Sizes: the bitmaps are `unsigned long` words (32 bits on ARM), so windows are chosen as
 * multiples of 32 pages unless a scenario is about the rounding itself (`odd-window`).
 * Leaves out: scatter-gather mappings (one contiguous buffer per map).
 */

export type IovaStep = { readonly kind: 'map'; readonly pages: number } | { readonly kind: 'unmap'; readonly which: number };
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
  /** The extension's GFP_ATOMIC kzallocs may fail (explored choose points). */
  readonly failAllocs: boolean;
  /** A DMA device writes the first and last page of every buffer while it is mapped. */
  readonly dma: boolean;
  readonly threads: readonly IovaThread[];
  /** A thread that creates a second mapping with arm_iommu_create_mapping and releases it. */
  readonly createRelease: boolean;
};

export const map = (pages: number): IovaStep => ({ kind: 'map', pages });
export const unmap = (which: number): IovaStep => ({ kind: 'unmap', which });

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
} satisfies Record<string, IovaParams>;
