/**
 * Seed 001 fixed: the allocator mainline took from v3.15 on (arch/arm/mm/dma-mapping.c after
 * "arm: dma-mapping: Add support to extend DMA IOMMU mappings", commit 4d852ef8c254): an array of
 * `extensions` equal-size bitmaps `mapping->bitmaps[]`, `nr_bitmaps` of them allocated;
 * __alloc_iova tries each allocated bitmap and otherwise extends by one bitmap under the lock
 * (`if (mapping->nr_bitmaps >= mapping->extensions) return -EINVAL`, so the last chunk is
 * allowed); the IOVA is `base + mapping_size * i + (start << ...)`, so a free finds its bitmap by
 * arithmetic (no list walk), touching `nr_bitmaps` and the bitmap only under the lock.
 *
 * What v3.15 itself shipped (read in a v3.15.5 tree): `if (mapping->nr_bitmaps >
 * mapping->extensions)` in extend_iommu_mapping, one too late: the last extension writes
 * `bitmaps[extensions]`, past the kzalloc'd array (later kernels have `>=`, modelled here); and
 * `BUG_ON(addr < mapping->base || bitmap_index > mapping->extensions)` in __free_iova, the same
 * off-by-one. Later (v4.x) arm_iommu_create_mapping refuses `size > DMA_BIT_MASK(32) + 1` with
 * -ERANGE but never checks `base + size`, so a window that ends past 4 GiB still wraps.
 *
 * Beyond mainline, on purpose (what review of this seed asked for, seed-fidelity.md gaps 5-6):
 * - arm_iommu_create_mapping refuses (-ERANGE) a mapping whose IOVAs could pass 4 GiB
 *   (`base + extensions * mapping_size > 2^32`), so no extension wraps to IOVA 0;
 * - every allocation's size is recorded next to its bitmap (a `u16 sizes[bits]` array in the same
 *   kzalloc, `sizes[start] = count`), and __free_iova frees by that record, as iova.c's free_iova
 *   frees the iova it finds: a free of an IOVA that starts no allocation is refused with a WARN,
 *   a free with another length WARNs and frees the recorded length; dma_unmap_page unmaps the
 *   recorded length from the IOMMU too (dma-iommu's __iommu_dma_unmap shape), so a wrong length
 *   can neither clear a neighbour's bits nor unmap its IOMMU entries;
 * - a zero-length map takes one slot, so its handle is unique while it is mapped;
 * - `bits` is the exact page count (mainline rounds up to whole words, `BITS_PER_BYTE *
 *   bitmap_size`, so a window that is not a multiple of 32 pages hands out IOVAs past its end);
 *   a bitmap covers the scenario's initial size (`extensions` = max / initial; mainline sizes one
 *   bitmap to one page of bits) so small scenarios reach exhaustion.
 * Bounds are compared without 32-bit wrap-around. `simpleVariant` is the same allocator created
 * from the review's two parameters (max size, allocation accuracy).
 * Leaves out: iommu_domain_free (one src/hw domain exists for the whole run).
 */
import {
  Field, GFP_ATOMIC, GFP_KERNEL, Kref, kref_init, type KPtr, PAGE_SHIFT, PAGE_SIZE, SpinlockT, WARN, choose, hex, kfree, kref_put, kzalloc,
  UsageError, spin_lock_irqsave, spin_unlock_irqrestore, u32,
} from '../../src/index.js';
import { BITS_TO_LONGS, SIZEOF_LONG, bitmap_clear, bitmap_find_next_zero_area, bitmap_set, bitmapWords, testBit } from './bitmap.js';
import { allocGeometry, bitmapOob, bootAlloc } from './posted.js';
import type { IovaParams } from './scenarios.js';
import { DMA_ERROR_CODE, type G, type IovaVariant, type IovaWorld, noteAllocFailure, noteCleared, noteTaken } from './world.js';

/** One kzalloc'd bitmap with its allocation-size record (`sizes[start]` = bits of the allocation starting there). */
export class SizedBitmap {
  /** The words and the sizes live in one allocation and are only touched together, under mapping->lock: one object. */
  readonly map: Field<Uint32Array>;
  readonly sizes: Uint16Array;
  constructor(b: number, longs: number, bits: number) {
    this.map = new Field(new Uint32Array(longs), 'bitmap', b);
    this.sizes = new Uint16Array(bits);
  }
}

/** struct dma_iommu_mapping, v3.15 shape. */
export class FixedMapping {
  /** The kzalloc'd `unsigned long **bitmaps` array: one pointer field per extension. */
  bitmaps: Field<KPtr<SizedBitmap> | null>[] = [];
  bitmapsBlock: KPtr<object> | null = null;
  readonly nr_bitmaps: Field<number>;
  readonly lock: SpinlockT;
  readonly kref: Kref;
  extensions = 0;
  bitmap_size = 0;
  bits = 0;
  base = 0;
  order = 0;
  constructor(b: number) {
    this.nr_bitmaps = new Field(0, 'nr_bitmaps', b);
    this.lock = new SpinlockT('mapping->lock', b);
    this.kref = new Kref('mapping->kref', b);
  }
  /** mapping_size: the IOVA bytes one bitmap covers. */
  get mappingSize(): number {
    return this.bits * (PAGE_SIZE << this.order);
  }
}

type M = KPtr<FixedMapping>;
type W = IovaWorld<M>;

const U32 = 2 ** 32;

/** The -ERANGE check: every IOVA the mapping can hand out must be below 4 GiB. */
function fitsBelow4G(base: number, bits: number, order: number, extensions: number): boolean {
  return base + extensions * bits * (PAGE_SIZE << order) <= U32;
}

/** arm_iommu_create_mapping with `bits` per bitmap and room for `extensions` bitmaps (boot, no ops); null: -ERANGE. */
function createWith(p: IovaParams, bits: number, extensions0: number): M | null {
  const extensions = Math.max(1, extensions0);
  if (!fitsBelow4G(p.base, bits, p.order, extensions)) return null;
  const mapping = bootAlloc('dma_iommu_mapping', (b) => new FixedMapping(b));
  mapping.bitmap_size = BITS_TO_LONGS(bits) * SIZEOF_LONG;
  mapping.extensions = extensions;
  const arr = bootAlloc('bitmaps[]', () => ({}));
  mapping.bitmapsBlock = arr;
  mapping.bitmaps = Array.from({ length: mapping.extensions }, (_, i) => new Field<KPtr<SizedBitmap> | null>(null, `bitmaps[${i}]`, arr.kblock));
  const first = bootAlloc('bitmap', (b) => new SizedBitmap(b, mapping.bitmap_size / SIZEOF_LONG, bits));
  const reserved = Math.ceil(p.reservedPages / 2 ** p.order);
  bitmap_set(first.map.v, 0, reserved); // boot-reserved IOVA
  if (reserved > 0) first.sizes[0] = reserved;
  (mapping.bitmaps[0] as Field<KPtr<SizedBitmap> | null>).v = first;
  mapping.nr_bitmaps.v = 1;
  mapping.bits = bits;
  mapping.base = p.base;
  mapping.order = p.order;
  return mapping;
}

/** extend_iommu_mapping: one more bitmap, under mapping->lock. */
function* extend_iommu_mapping(mapping: M): G<number> {
  const nr = yield* mapping.nr_bitmaps.get('extend_iommu_mapping: mapping->nr_bitmaps >= mapping->extensions');
  if (nr >= mapping.extensions) return -22;
  const bm = yield* kzalloc('bitmap', GFP_ATOMIC, (b) => new SizedBitmap(b, mapping.bitmap_size / SIZEOF_LONG, mapping.bits), 'extend_iommu_mapping: kzalloc(mapping->bitmap_size, GFP_ATOMIC)');
  if (!bm) return -12;
  yield* (mapping.bitmaps[nr] as Field<KPtr<SizedBitmap> | null>).set(bm, 'extend_iommu_mapping: mapping->bitmaps[next_bitmap] = kzalloc()');
  yield* mapping.nr_bitmaps.set(nr + 1, 'extend_iommu_mapping: mapping->nr_bitmaps++');
  return 0;
}

function* take(w: W, mapping: M, i: number, count: number, align: number): G<number> {
  const bm = (yield* (mapping.bitmaps[i] as Field<KPtr<SizedBitmap> | null>).get(`__alloc_iova: mapping->bitmaps[${i}]`)) as KPtr<SizedBitmap>;
  const words = yield* bm.map.get('__alloc_iova: bitmap_find_next_zero_area(mapping->bitmaps[i])');
  const start = bitmap_find_next_zero_area(words, mapping.bits, 0, count, align);
  if (start > mapping.bits) return start;
  const label = '__alloc_iova: bitmap_set(mapping->bitmaps[i], start, count); sizes[start] = count';
  yield* bm.map.set(words, label);
  bitmapOob(bitmap_set(words, start, count), mapping.bits, words.length, label);
  bm.sizes[start] = count;
  const slot = PAGE_SIZE << mapping.order;
  noteTaken(w, u32(mapping.base + mapping.mappingSize * i + u32(start * slot)), count * slot, label);
  return start;
}

function* __alloc_iova(w: W, size: number): G<number> {
  const mapping = w.mapping;
  const g = allocGeometry(size, mapping.order);
  const count = Math.max(1, g.count); // a zero-length mapping still owns one slot: its handle stays unique
  const align = g.align;
  const flags = yield* spin_lock_irqsave(mapping.lock, '__alloc_iova: spin_lock_irqsave(&mapping->lock)');
  let i = 0;
  let start = 0;
  for (; i < (yield* mapping.nr_bitmaps.get('__alloc_iova: i < mapping->nr_bitmaps')); i++) {
    start = yield* take(w, mapping, i, count, align);
    if (start > mapping.bits) continue;
    break;
  }
  if (i === mapping.nr_bitmaps.v) {
    const err = yield* extend_iommu_mapping(mapping);
    if (err) {
      const cap = mapping.nr_bitmaps.v * mapping.bits;
      noteAllocFailure(w, `__alloc_iova of ${count} bits failed: extend_iommu_mapping refused at ${cap} bits (max ${w.params.maxPages >>> mapping.order})`,
        err === -22 && cap + mapping.bits <= w.params.maxPages >>> mapping.order && count <= mapping.bits);
      yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
      return DMA_ERROR_CODE;
    }
    start = yield* take(w, mapping, i, count, align);
    if (start > mapping.bits) {
      noteAllocFailure(w, `__alloc_iova of ${count} bits failed in a fresh bitmap`, count + align <= mapping.bits);
      yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
      return DMA_ERROR_CODE;
    }
  }
  yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
  return u32(mapping.base + mapping.mappingSize * i + u32(start * 2 ** (mapping.order + PAGE_SHIFT)));
}

/** The allocation that starts at `addr` (under the lock): its bitmap, start bit and recorded size, or null. */
function* lookup(mapping: M, addr: number, fn: string): G<{ i: number; start: number; count: number; bm: KPtr<SizedBitmap>; base: number } | null> {
  const ms = mapping.mappingSize;
  const slot = PAGE_SIZE << mapping.order;
  const nr = yield* mapping.nr_bitmaps.get(`${fn}: bitmap_index >= mapping->nr_bitmaps`);
  if (addr < mapping.base) return null;
  const i = Math.floor((addr - mapping.base) / ms);
  if (i >= nr) return null;
  const base = mapping.base + ms * i;
  if ((addr - base) % slot !== 0) return null;
  const start = (addr - base) / slot;
  const bm = (yield* (mapping.bitmaps[i] as Field<KPtr<SizedBitmap> | null>).get(`${fn}: mapping->bitmaps[bitmap_index]`)) as KPtr<SizedBitmap>;
  yield* bm.map.get(`${fn}: sizes[start] (the allocation record)`);
  const count = bm.sizes[start] ?? 0;
  return count === 0 ? null : { i, start, count, bm, base };
}

/** Clear a looked-up allocation's bits and record (under the lock). */
function* release(w: W, a: { start: number; count: number; bm: KPtr<SizedBitmap>; base: number }, label: string): G<void> {
  const mapping = w.mapping;
  yield* a.bm.map.set(a.bm.map.v, label);
  bitmapOob(bitmap_clear(a.bm.map.v, a.start, a.count), mapping.bits, a.bm.map.v.length, label);
  a.bm.sizes[a.start] = 0;
  const slot = PAGE_SIZE << mapping.order;
  noteCleared(w, u32(a.base + u32(a.start * slot)), a.count * slot, label);
}

/** The bits a request of `size` bytes stands for (a zero-length one: one slot). */
function bitsFor(mapping: M, size: number): number {
  return Math.max(1, allocGeometry(size, mapping.order).count);
}

/** __free_iova(mapping, addr, size) by the allocation record: unknown IOVAs are refused, the recorded length is freed. */
function* __free_iova(w: W, addr: number, size: number): G<void> {
  const mapping = w.mapping;
  const flags = yield* spin_lock_irqsave(mapping.lock, '__free_iova: spin_lock_irqsave(&mapping->lock)');
  const a = yield* lookup(mapping, addr, '__free_iova');
  if (a !== null) yield* release(w, a, '__free_iova: bitmap_clear(mapping->bitmaps[bitmap_index], start, sizes[start])');
  yield* spin_unlock_irqrestore(mapping.lock, flags, '__free_iova: spin_unlock_irqrestore(&mapping->lock)');
  if (a === null) WARN(1, `__free_iova(${hex(addr)}, ${hex(size)}): no allocation starts there; ignored`, '__free_iova: WARN(unknown IOVA)');
  else WARN(a.count !== bitsFor(mapping, size), `__free_iova(${hex(addr)}, ${hex(size)}): the allocation there has ${a.count} slot(s); freed those`, '__free_iova: WARN(size mismatch)');
}

/**
 * dma_unmap_page by the record: claim the allocation under the lock (its record is cleared so no
 * second free finds it; its bits stay set so nobody reuses the IOVA yet), iommu_unmap the recorded
 * length, then clear the bits under the lock.
 */
function* unmapPage(w: W, iova: number, len: number): G<void> {
  const mapping = w.mapping;
  let flags = yield* spin_lock_irqsave(mapping.lock, 'arm_iommu_unmap_page: spin_lock_irqsave(&mapping->lock)');
  const a = yield* lookup(mapping, iova, 'arm_iommu_unmap_page');
  if (a !== null) {
    yield* a.bm.map.set(a.bm.map.v, 'arm_iommu_unmap_page: sizes[start] = 0 (claim the allocation)');
    a.bm.sizes[a.start] = 0;
  }
  yield* spin_unlock_irqrestore(mapping.lock, flags, 'arm_iommu_unmap_page: spin_unlock_irqrestore(&mapping->lock)');
  if (a === null) {
    WARN(1, `dma_unmap_page(${hex(iova)}, ${hex(len)}): no allocation starts there; ignored`, 'arm_iommu_unmap_page: WARN(unknown IOVA)');
    return;
  }
  const slot = PAGE_SIZE << mapping.order;
  WARN(a.count !== bitsFor(mapping, len), `dma_unmap_page(${hex(iova)}, ${hex(len)}): the mapping there is ${hex(a.count * slot)} bytes; unmapping those`, 'arm_iommu_unmap_page: WARN(size mismatch)');
  yield* w.domain.unmap(iova, a.count * slot, 'arm_iommu_unmap_page: iommu_unmap(recorded length)');
  flags = yield* spin_lock_irqsave(mapping.lock, '__free_iova: spin_lock_irqsave(&mapping->lock)');
  yield* release(w, a, '__free_iova: bitmap_clear(mapping->bitmaps[bitmap_index], start, count)');
  yield* spin_unlock_irqrestore(mapping.lock, flags, '__free_iova: spin_unlock_irqrestore(&mapping->lock)');
}

function* release_iommu_mapping(mapping: M): G<void> {
  const nr = yield* mapping.nr_bitmaps.get('release_iommu_mapping: mapping->nr_bitmaps');
  for (let i = 0; i < nr; i++) {
    yield* kfree(yield* (mapping.bitmaps[i] as Field<KPtr<SizedBitmap> | null>).get('release_iommu_mapping: mapping->bitmaps[i]'), 'release_iommu_mapping: kfree(mapping->bitmaps[i])');
  }
  yield* kfree(mapping.bitmapsBlock, 'release_iommu_mapping: kfree(mapping->bitmaps)');
  yield* kfree(mapping, 'release_iommu_mapping: kfree(mapping)');
}

/** Geometry: a bitmap covers the initial size; extensions up to max_size. */
function geometry(p: IovaParams): { bits: number; extensions: number } {
  return { bits: p.initialPages >>> p.order, extensions: Math.ceil(p.maxPages / p.initialPages) };
}

function create(p: IovaParams): M | null {
  const g = geometry(p);
  return createWith(p, g.bits, g.extensions);
}

/**
 * The model's stand-in for one page of bitmap (BITS_PER_BYTE * PAGE_SIZE = 32768 bits in the
 * kernel): one 32-bit word, so that small scenarios exhaust a bitmap.
 */
export const MODEL_PAGE_OF_BITS = 32;

/**
 * The review's simpler parameters (Marek Szyprowski): only max_mapping_size and
 * allocation_accuracy (bytes per bit, here PAGE_SIZE << order). The first bitmap is sized to fit
 * one page (scaled: MODEL_PAGE_OF_BITS), and the mapping grows by that size up to the maximum;
 * the scenario's initial / grow sizes are not parameters of this API and are ignored.
 */
function simpleGeometry(p: IovaParams): { bits: number; extensions: number } {
  const total = p.maxPages >>> p.order;
  const bits = Math.min(total, MODEL_PAGE_OF_BITS);
  return { bits, extensions: Math.ceil(total / bits) };
}

/** arm_iommu_create_mapping with its err / err2 / err3 / err4 unwinding, and the -ERANGE check. */
function* arm_iommu_create_mapping(p: IovaParams, g: { bits: number; extensions: number }): G<M | null> {
  const L = 'arm_iommu_create_mapping';
  const extensions = Math.max(1, g.extensions);
  if (!fitsBelow4G(p.base, g.bits, p.order, extensions)) return null; // ERR_PTR(-ERANGE)
  const bitmap_size = BITS_TO_LONGS(g.bits) * SIZEOF_LONG;
  const mapping = yield* kzalloc('dma_iommu_mapping', GFP_KERNEL, (b) => new FixedMapping(b), `${L}: kzalloc(mapping)`);
  if (!mapping) return null;
  mapping.bitmap_size = bitmap_size;
  const arr = yield* kzalloc('bitmaps[]', GFP_KERNEL, () => ({}), `${L}: kzalloc(extensions * sizeof(unsigned long *))`);
  if (!arr) {
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  mapping.bitmapsBlock = arr;
  mapping.bitmaps = Array.from({ length: extensions }, (_, i) => new Field<KPtr<SizedBitmap> | null>(null, `bitmaps[${i}]`, arr.kblock));
  const first = yield* kzalloc('bitmap', GFP_KERNEL, (b) => new SizedBitmap(b, bitmap_size / SIZEOF_LONG, g.bits), `${L}: kzalloc(bitmap_size)`);
  if (!first) {
    yield* kfree(arr, `${L}: err3: kfree(mapping->bitmaps)`);
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  yield* (mapping.bitmaps[0] as Field<KPtr<SizedBitmap> | null>).set(first, `${L}: mapping->bitmaps[0] = kzalloc()`);
  yield* mapping.nr_bitmaps.set(1, `${L}: mapping->nr_bitmaps = 1`);
  mapping.extensions = extensions;
  mapping.bits = g.bits;
  mapping.base = p.base;
  mapping.order = p.order;
  if (p.failAllocs && (yield* choose(2, `${L}: iommu_domain_alloc fails?`)) === 1) {
    yield* kfree(first, `${L}: err4: kfree(mapping->bitmaps[0])`);
    yield* kfree(arr, `${L}: err3: kfree(mapping->bitmaps)`);
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  yield* kref_init(mapping.kref, `${L}: kref_init(&mapping->kref)`);
  return mapping;
}

export const fixedVariant: IovaVariant<M> = {
  create,
  alloc: __alloc_iova,
  free: __free_iova,
  unmapPage,
  release: function* (w) {
    yield* kref_put(w.mapping.kref, () => release_iommu_mapping(w.mapping), 'arm_iommu_release_mapping: kref_put');
  },
  createMapping: (p) => arm_iommu_create_mapping(p, geometry(p)),
  releaseMapping: function* (m) {
    yield* kref_put(m.kref, () => release_iommu_mapping(m), 'arm_iommu_release_mapping: kref_put');
  },
  windowEnd: (m) => m.base + m.nr_bitmaps.v * m.mappingSize,
  slotBytes: (m) => PAGE_SIZE << m.order,
  setSlots: (m) => {
    const out: number[] = [];
    for (let i = 0; i < m.nr_bitmaps.v; i++) {
      const bm = m.bitmaps[i]?.v;
      if (!bm) continue;
      for (let b = 0; b < m.bits; b++) if (testBit(bm.map.v, b)) out.push(m.base + i * m.mappingSize + b * (PAGE_SIZE << m.order));
    }
    return out;
  },
  describe: (m) => {
    const out: Record<string, string | number> = { nr_bitmaps: m.nr_bitmaps.v, extensions: m.extensions, bits: m.bits };
    for (let i = 0; i < m.nr_bitmaps.v; i++) {
      const bm = m.bitmaps[i]?.v;
      out[`bitmaps[${i}] base=0x${(m.base + i * m.mappingSize).toString(16)}`] = bm ? bitmapWords(bm.map.v) : '(none)';
    }
    return out;
  },
};

/** `iova-extend/fixed-simple`: the same allocator behind the review's two-parameter create. */
export const simpleVariant: IovaVariant<M> = {
  ...fixedVariant,
  create: (p) => {
    const g = simpleGeometry(p);
    // The boot reservation must fit in the first bitmap, which this API sizes to one (scaled) page.
    const reserved = Math.ceil(p.reservedPages / 2 ** p.order);
    if (reserved > g.bits) {
      throw new UsageError(`iova-extend/fixed-simple: reservedPages ${p.reservedPages} (order ${p.order}) needs ${reserved} bits; the first bitmap has ${g.bits} (maxPages ${p.maxPages}, at most ${MODEL_PAGE_OF_BITS} bits a bitmap)`);
    }
    return createWith(p, g.bits, g.extensions);
  },
  createMapping: (p) => arm_iommu_create_mapping(p, simpleGeometry(p)),
};
