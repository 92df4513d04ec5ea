/**
 * Seed 001 fixed: the shape mainline took from v3.15 on (arch/arm/mm/dma-mapping.c after
 * "arm: dma-mapping: Add support to extend DMA IOMMU mappings", v3.15): an array of
 * `extensions` equal-size bitmaps `mapping->bitmaps[]`, `nr_bitmaps` of them allocated;
 * __alloc_iova tries each allocated bitmap and otherwise extends by one bitmap under the lock
 * (`if (mapping->nr_bitmaps >= mapping->extensions) return -EINVAL`, so the last chunk is
 * allowed); the IOVA is `base + mapping_size * i + (start << ...)`, so __free_iova finds its
 * bitmap by arithmetic — no list walk — and touches `nr_bitmaps` and the bitmap only under the
 * lock; a free outside the allocated bitmaps or across a bitmap boundary is warned about and
 * ignored (mainline BUG()s).
 *
 * Differences from mainline, on purpose: mainline sizes one bitmap to at most one page
 * (32768 bits); here a bitmap covers the scenario's initial size (`extensions` = max / initial)
 * so small scenarios reach exhaustion. Mainline keeps `bits = BITS_PER_BYTE * bitmap_size`
 * (rounded up to whole words: a bitmap then covers more IOVA than asked for); here `bits` is the
 * exact page count, so a window that is not a multiple of 32 pages stays inside its bounds.
 * Bounds are compared without 32-bit wrap-around (mainline's `addr + size > bitmap_base +
 * mapping_size` wraps to 0 for a window that ends at 4 GiB and would BUG() on every free there).
 * `order` is kept so both variants take the same parameters. `simpleVariant` is the same
 * allocator created from the review's two parameters (max size, allocation accuracy).
 * Leaves out: iommu_domain_alloc / free (the domain exists for the whole run).
 */
import {
  Field, GFP_ATOMIC, GFP_KERNEL, Kref, kref_init, type KPtr, PAGE_SHIFT, PAGE_SIZE, SpinlockT, WARN, hex, kfree, kref_put, kzalloc,
  UsageError, spin_lock_irqsave, spin_unlock_irqrestore, u32,
} from '../../src/index.js';
import { BITS_TO_LONGS, SIZEOF_LONG, bitmap_clear, bitmap_find_next_zero_area, bitmap_set, bitmapWords, testBit } from './bitmap.js';
import { BitmapMem, allocGeometry, bootAlloc } from './posted.js';
import type { IovaParams } from './scenarios.js';
import { DMA_ERROR_CODE, type G, type IovaVariant, type IovaWorld, noteAllocFailure, noteCleared, noteTaken } from './world.js';

/** struct dma_iommu_mapping, v3.15 shape. */
export class FixedMapping {
  /** The kzalloc'd `unsigned long **bitmaps` array: one pointer field per extension. */
  bitmaps: Field<KPtr<BitmapMem> | null>[] = [];
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

/** arm_iommu_create_mapping with `bits` per bitmap and room for `extensions` bitmaps. */
function createWith(p: IovaParams, bits: number, extensions: number): M {
  const mapping = bootAlloc('dma_iommu_mapping', (b) => new FixedMapping(b));
  mapping.bitmap_size = BITS_TO_LONGS(bits) * SIZEOF_LONG;
  mapping.extensions = Math.max(1, extensions);
  const arr = bootAlloc('bitmaps[]', () => ({}));
  mapping.bitmapsBlock = arr;
  mapping.bitmaps = Array.from({ length: mapping.extensions }, (_, i) => new Field<KPtr<BitmapMem> | null>(null, `bitmaps[${i}]`, arr.kblock));
  const first = bootAlloc('bitmap', (b) => new BitmapMem(b, mapping.bitmap_size / SIZEOF_LONG));
  bitmap_set(first.map.v, 0, Math.ceil(p.reservedPages / 2 ** p.order)); // boot-reserved IOVA
  (mapping.bitmaps[0] as Field<KPtr<BitmapMem> | null>).v = first;
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
  const bm = yield* kzalloc('bitmap', GFP_ATOMIC, (b) => new BitmapMem(b, mapping.bitmap_size / SIZEOF_LONG), 'extend_iommu_mapping: kzalloc(mapping->bitmap_size, GFP_ATOMIC)');
  if (!bm) return -12;
  yield* (mapping.bitmaps[nr] as Field<KPtr<BitmapMem> | null>).set(bm, 'extend_iommu_mapping: mapping->bitmaps[next_bitmap] = kzalloc()');
  yield* mapping.nr_bitmaps.set(nr + 1, 'extend_iommu_mapping: mapping->nr_bitmaps++');
  return 0;
}

function* take(w: W, mapping: M, i: number, count: number, align: number): G<number> {
  const bm = (yield* (mapping.bitmaps[i] as Field<KPtr<BitmapMem> | null>).get(`__alloc_iova: mapping->bitmaps[${i}]`)) as KPtr<BitmapMem>;
  const words = yield* bm.map.get('__alloc_iova: bitmap_find_next_zero_area(mapping->bitmaps[i])');
  const start = bitmap_find_next_zero_area(words, mapping.bits, 0, count, align);
  if (start > mapping.bits) return start;
  yield* bm.map.set(words, '__alloc_iova: bitmap_set(mapping->bitmaps[i], start, count)');
  bitmap_set(words, start, count);
  const slot = PAGE_SIZE << mapping.order;
  noteTaken(w, u32(mapping.base + mapping.mappingSize * i + u32(start * slot)), count * slot, '__alloc_iova: bitmap_set(mapping->bitmaps[i], start, count)');
  return start;
}

function* __alloc_iova(w: W, size: number): G<number> {
  const mapping = w.mapping;
  const { count, align } = allocGeometry(size, mapping.order);
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
      noteAllocFailure(w, `__alloc_iova of ${count} bits failed in a fresh bitmap`, count <= mapping.bits);
      yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
      return DMA_ERROR_CODE;
    }
  }
  yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
  return u32(mapping.base + mapping.mappingSize * i + u32(start * 2 ** (mapping.order + PAGE_SHIFT)));
}

function* __free_iova(w: W, addr: number, size: number): G<void> {
  const mapping = w.mapping;
  if (!size) return;
  const ms = mapping.mappingSize;
  const bitmap_index = Math.floor(u32(addr - mapping.base) / ms);
  const flags = yield* spin_lock_irqsave(mapping.lock, '__free_iova: spin_lock_irqsave(&mapping->lock)');
  const nr = yield* mapping.nr_bitmaps.get('__free_iova: bitmap_index >= mapping->nr_bitmaps');
  const bitmap_base = mapping.base + ms * bitmap_index;
  if (addr < mapping.base || bitmap_index >= nr || addr + size > bitmap_base + ms) {
    yield* spin_unlock_irqrestore(mapping.lock, flags, '__free_iova: spin_unlock_irqrestore(&mapping->lock)');
    WARN(1, `__free_iova(${hex(addr)}, ${hex(size)}): not inside one allocated bitmap; ignored`, '__free_iova: WARN(invalid free)');
    return;
  }
  const start = (addr - bitmap_base) >>> (mapping.order + PAGE_SHIFT);
  const count = ((size >>> PAGE_SHIFT) + (1 << mapping.order) - 1) >>> mapping.order;
  const bm = (yield* (mapping.bitmaps[bitmap_index] as Field<KPtr<BitmapMem> | null>).get('__free_iova: mapping->bitmaps[bitmap_index]')) as KPtr<BitmapMem>;
  yield* bm.map.set(bm.map.v, '__free_iova: bitmap_clear(mapping->bitmaps[bitmap_index], start, count)');
  bitmap_clear(bm.map.v, start, count);
  const slot = PAGE_SIZE << mapping.order;
  noteCleared(w, u32(bitmap_base + u32(start * slot)), count * slot, '__free_iova: bitmap_clear(mapping->bitmaps[bitmap_index], start, count)');
  yield* spin_unlock_irqrestore(mapping.lock, flags, '__free_iova: spin_unlock_irqrestore(&mapping->lock)');
}

function* release_iommu_mapping(mapping: M): G<void> {
  const nr = yield* mapping.nr_bitmaps.get('release_iommu_mapping: mapping->nr_bitmaps');
  for (let i = 0; i < nr; i++) {
    yield* kfree(yield* (mapping.bitmaps[i] as Field<KPtr<BitmapMem> | null>).get('release_iommu_mapping: mapping->bitmaps[i]'), 'release_iommu_mapping: kfree(mapping->bitmaps[i])');
  }
  yield* kfree(mapping.bitmapsBlock, 'release_iommu_mapping: kfree(mapping->bitmaps)');
  yield* kfree(mapping, 'release_iommu_mapping: kfree(mapping)');
}

/** Mainline geometry: a bitmap covers the initial size; extensions up to max_size. */
function create(p: IovaParams): M {
  return createWith(p, p.initialPages >>> p.order, Math.ceil(p.maxPages / p.initialPages));
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
function createSimple(p: IovaParams): M {
  const total = p.maxPages >>> p.order;
  const bits = Math.min(total, MODEL_PAGE_OF_BITS);
  // The boot mapping cannot be empty, and the boot reservation must fit in its first bitmap.
  if (bits === 0 || Math.ceil(p.reservedPages / 2 ** p.order) > bits) {
    throw new UsageError(`iova-extend/fixed-simple: maxPages ${p.maxPages} (order ${p.order}) leaves ${bits} bitmap bit(s) for ${p.reservedPages} reserved page(s)`);
  }
  return createWith(p, bits, Math.ceil(total / bits));
}

export const fixedVariant: IovaVariant<M> = {
  create,
  alloc: __alloc_iova,
  free: __free_iova,
  release: function* (w) {
    yield* kref_put(w.mapping.kref, () => release_iommu_mapping(w.mapping), 'arm_iommu_release_mapping: kref_put');
  },
  createMapping: arm_iommu_create_mapping,
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
export const simpleVariant: IovaVariant<M> = { ...fixedVariant, create: createSimple };

/** Mainline v3.15 arm_iommu_create_mapping with its err / err2 / err3 unwinding. */
function* arm_iommu_create_mapping(p: IovaParams): G<M | null> {
  const L = 'arm_iommu_create_mapping';
  const bits = p.initialPages >>> p.order;
  const bitmap_size = BITS_TO_LONGS(bits) * SIZEOF_LONG;
  const extensions = Math.max(1, Math.ceil(p.maxPages / p.initialPages));
  const mapping = yield* kzalloc('dma_iommu_mapping', GFP_KERNEL, (b) => new FixedMapping(b), `${L}: kzalloc(mapping)`);
  if (!mapping) return null;
  mapping.bitmap_size = bitmap_size;
  const arr = yield* kzalloc('bitmaps[]', GFP_KERNEL, () => ({}), `${L}: kzalloc(extensions * sizeof(unsigned long *))`);
  if (!arr) {
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  mapping.bitmapsBlock = arr;
  mapping.bitmaps = Array.from({ length: extensions }, (_, i) => new Field<KPtr<BitmapMem> | null>(null, `bitmaps[${i}]`, arr.kblock));
  const first = yield* kzalloc('bitmap', GFP_KERNEL, (b) => new BitmapMem(b, bitmap_size / SIZEOF_LONG), `${L}: kzalloc(bitmap_size)`);
  if (!first) {
    yield* kfree(arr, `${L}: err3: kfree(mapping->bitmaps)`);
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  yield* (mapping.bitmaps[0] as Field<KPtr<BitmapMem> | null>).set(first, `${L}: mapping->bitmaps[0] = kzalloc()`);
  yield* mapping.nr_bitmaps.set(1, `${L}: mapping->nr_bitmaps = 1`);
  mapping.extensions = extensions;
  mapping.bits = bits;
  mapping.base = p.base;
  mapping.order = p.order;
  // mapping->domain = iommu_domain_alloc(bus): modelled as succeeding (src/hw has one domain)
  yield* kref_init(mapping.kref, `${L}: kref_init(&mapping->kref)`);
  return mapping;
}
