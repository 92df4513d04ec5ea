/**
 * Seed 001 as posted: "[PATCH 11/11] arm: dma-mapping: Add support to extend DMA IOMMU mappings"
 * (Andreas Herrmann, Jan 2014) on v3.14 arch/arm/mm/dma-mapping.c.
 *
 * Modelled line by line: `struct dma_iommu_iova_range` (list_head, bitmap, bits, base, size) on
 * `mapping->iova_ranges`; __alloc_iova walking the ranges under spin_lock_irqsave, then
 * extend_iommu_mapping (GFP_ATOMIC kzallocs of the range and its bitmap, the
 * `(mapping->size + mapping->grow_size) >= mapping->max_size` bound, list_add_tail) and a second
 * attempt in the last range; __free_iova walking the list WITHOUT the lock (each next-pointer
 * load a plain read, KCSAN-visible) with its range-crossing branch, clearing bits under the lock;
 * release_iommu_mapping freeing every range. `bits = BITS_PER_BYTE * bitmap_size` keeps the
 * rounding up to whole 32-bit words, `start << (order + PAGE_SHIFT)` is unsigned int, and every
 * dma_addr_t sum (`e->base + e->size`, `addr + size`) wraps at 32 bits as it does on ARM.
 * The bitmap helpers are the kernel's (bitmap.ts: a failed search returns index + nr > size).
 *
 * `get_order(size)` is v3.14's non-constant `__get_order`: `get_order(0)` is
 * `fls((0 - 1) >> PAGE_SHIFT)` = 20 on a 32-bit kernel (include/asm-generic/getorder.h), clamped to
 * CONFIG_ARM_DMA_IOMMU_ALIGNMENT (8), so a zero-length map asks for a 256-bit alignment and count 0.
 *
 * The mapping the drivers share is created by setup (a finished arm_iommu_create_mapping, no
 * ops); scenarios with `createRelease` run arm_iommu_create_mapping itself, with its error
 * unwinding, iommu_domain_alloc failing too when allocations may fail (err4). Fields create writes once and
 * nobody writes again (base, grow_size, max_size, order) are read without ops — the reads
 * commute with everything. One scan of a bitmap is one plain read of the bitmap block, one
 * bitmap_set / bitmap_clear one plain write.
 * Leaves out: iommu_domain_free and the drivers' domain (one src/hw domain exists for the whole run).
 */
import {
  Field, GFP_ATOMIC, GFP_KERNEL, INIT_LIST_HEAD, Kref, kref_init, type KPtr, ListHead, PAGE_SHIFT, PAGE_SIZE, SpinlockT, choose, currentExecution, kfree, kref_put, kwarn, kzalloc,
  list_add_tail, list_del, list_for_each_entry, list_for_each_entry_safe, spin_lock_irqsave, spin_unlock_irqrestore, u32,
} from '../../src/index.js';
import { BITS_PER_BYTE, BITS_TO_LONGS, SIZEOF_LONG, bitmap_clear, bitmap_find_next_zero_area, bitmap_set, bitmapWords, testBit } from './bitmap.js';
import type { IovaParams } from './scenarios.js';
import { DMA_ERROR_CODE, type G, type IovaVariant, type IovaWorld, noteAllocFailure, noteCleared, noteTaken, noteUnfreed } from './world.js';

/** CONFIG_ARM_DMA_IOMMU_ALIGNMENT default. */
export const CONFIG_ARM_DMA_IOMMU_ALIGNMENT = 8;

/** A kzalloc'd bitmap: the words, as one plain-accessed object of the block. */
export class BitmapMem {
  readonly map: Field<Uint32Array>;
  constructor(b: number, longs: number) {
    this.map = new Field(new Uint32Array(longs), 'bitmap', b);
  }
}

/** struct dma_iommu_iova_range. */
export class IovaRange {
  readonly list_head: ListHead<IovaRange>;
  readonly bitmap: Field<KPtr<BitmapMem> | null>;
  readonly bits: Field<number>;
  readonly base: Field<number>;
  readonly size: Field<number>;
  constructor(b: number) {
    this.list_head = new ListHead<IovaRange>('iovar.list_head', b, this);
    this.bitmap = new Field<KPtr<BitmapMem> | null>(null, 'bitmap', b);
    this.bits = new Field(0, 'bits', b);
    this.base = new Field(0, 'base', b);
    this.size = new Field(0, 'size', b);
  }
}

/** struct dma_iommu_mapping as the patch leaves it. */
export class PostedMapping {
  readonly iova_ranges: ListHead<IovaRange>;
  readonly size: Field<number>;
  readonly lock: SpinlockT;
  readonly kref: Kref;
  base = 0;
  grow_size = 0;
  max_size = 0;
  order = 0;
  constructor(b: number) {
    this.iova_ranges = new ListHead<IovaRange>('mapping->iova_ranges', b);
    this.size = new Field(0, 'size', b);
    this.lock = new SpinlockT('mapping->lock', b);
    this.kref = new Kref('mapping->kref', b);
  }
}

type M = KPtr<PostedMapping>;
type W = IovaWorld<M>;

/** A kzalloc done by setup (a boot-time allocation: a live heap block, no op). */
export function bootAlloc<T extends object>(name: string, make: (b: number) => T): KPtr<T> {
  const b = currentExecution().objects.addHeap('kmalloc', name, { thread: -1, step: -1, label: 'arm_iommu_create_mapping: kzalloc (boot)' });
  return Object.assign(make(b), { kblock: b });
}

/** v3.14 get_order(size) (non-constant __get_order, 32-bit): smallest order with PAGE_SIZE << order >= size; 20 for size 0. */
export function get_order(size: number): number {
  if (size === 0) return 32 - PAGE_SHIFT; // (0 - 1) >> PAGE_SHIFT = 0xfffff, fls() = 20
  let o = 0;
  while (PAGE_SIZE * 2 ** o < size) o++;
  return o;
}

/** KASAN's report for bits a bitmap_set / bitmap_clear wrote past the kzalloc'd bitmap. */
export function bitmapOob(past: number, bits: number, words: number, label: string): void {
  if (past === 0) return;
  kwarn('wrong-target', `${label}: ${past} bit(s) past the ${words}-word bitmap (${bits} bits in use)`, label, {
    title: `BUG: KASAN: slab-out-of-bounds in ${label.split(':')[0] ?? label}`,
  });
}

/** The count / align computation both variants share (v3.14 __alloc_iova prologue). */
export function allocGeometry(size: number, mappingOrder: number): { count: number; align: number } {
  let order = get_order(size);
  if (order > CONFIG_ARM_DMA_IOMMU_ALIGNMENT) order = CONFIG_ARM_DMA_IOMMU_ALIGNMENT;
  const count = ((Math.ceil(size / PAGE_SIZE)) + (1 << mappingOrder) - 1) >> mappingOrder;
  const align = order > mappingOrder ? (1 << (order - mappingOrder)) - 1 : 0;
  return { count, align };
}

function create(p: IovaParams): M {
  const size = p.initialPages * PAGE_SIZE;
  const count = size >>> (PAGE_SHIFT + p.order);
  const bitmap_size = BITS_TO_LONGS(count) * SIZEOF_LONG;
  const mapping = bootAlloc('dma_iommu_mapping', (b) => new PostedMapping(b));
  const head = mapping.iova_ranges;
  const iovar = bootAlloc('dma_iommu_iova_range', (b) => new IovaRange(b));
  iovar.bitmap.v = bootAlloc('bitmap', (b) => new BitmapMem(b, bitmap_size / SIZEOF_LONG));
  iovar.bits.v = BITS_PER_BYTE * bitmap_size;
  bitmap_set(iovar.bitmap.v.map.v, 0, Math.ceil(p.reservedPages / 2 ** p.order)); // boot-reserved IOVA
  head.next.v = iovar.list_head; head.prev.v = iovar.list_head;
  iovar.list_head.next.v = head; iovar.list_head.prev.v = head;
  mapping.base = iovar.base.v = p.base;
  mapping.size.v = iovar.size.v = size;
  mapping.order = p.order;
  mapping.grow_size = p.growPages * PAGE_SIZE;
  mapping.max_size = p.maxPages * PAGE_SIZE;
  return mapping;
}

/** extend_iommu_mapping: 0, -EINVAL (limit) or -ENOMEM. Called with mapping->lock held. */
function* extend_iommu_mapping(mapping: M): G<number> {
  const count = mapping.grow_size >>> (PAGE_SHIFT + mapping.order);
  const bitmap_size = BITS_TO_LONGS(count) * SIZEOF_LONG;
  if (!mapping.grow_size || (yield* mapping.size.get('extend_iommu_mapping: mapping->size + mapping->grow_size >= mapping->max_size')) + mapping.grow_size >= mapping.max_size) {
    return -22;
  }
  const iovar = yield* kzalloc('dma_iommu_iova_range', GFP_ATOMIC, (b) => new IovaRange(b), 'extend_iommu_mapping: kzalloc(iovar, GFP_ATOMIC)');
  if (!iovar) return -12;
  const bm = yield* kzalloc('bitmap', GFP_ATOMIC, (b) => new BitmapMem(b, bitmap_size / SIZEOF_LONG), 'extend_iommu_mapping: kzalloc(bitmap, GFP_ATOMIC)');
  if (!bm) {
    yield* kfree(iovar, 'extend_iommu_mapping: kfree(iovar)');
    return -12;
  }
  yield* iovar.bitmap.set(bm, 'extend_iommu_mapping: iovar->bitmap = kzalloc()');
  yield* iovar.bits.set(BITS_PER_BYTE * bitmap_size, 'extend_iommu_mapping: iovar->bits = BITS_PER_BYTE * bitmap_size');
  const size = yield* mapping.size.get('extend_iommu_mapping: iovar->base = mapping->base + mapping->size');
  yield* iovar.base.set(u32(mapping.base + size), 'extend_iommu_mapping: iovar->base = mapping->base + mapping->size');
  yield* iovar.size.set(mapping.grow_size, 'extend_iommu_mapping: iovar->size = mapping->grow_size');
  const s2 = yield* mapping.size.get('extend_iommu_mapping: mapping->size += mapping->grow_size');
  yield* mapping.size.set(u32(s2 + mapping.grow_size), 'extend_iommu_mapping: mapping->size += mapping->grow_size');
  yield* list_add_tail(iovar.list_head, mapping.iova_ranges, 'extend_iommu_mapping: list_add_tail(&iovar->list_head, &mapping->iova_ranges)');
  return 0;
}

/** Find and set `count` bits in range e; returns start, or a value > bits on failure. */
function* takeBits(w: W, e: IovaRange, count: number, align: number, fn: string): G<{ start: number; bits: number }> {
  const bits = yield* e.bits.get(`${fn}: e->bits`);
  const bm = (yield* e.bitmap.get(`${fn}: e->bitmap`)) as KPtr<BitmapMem>;
  const words = yield* bm.map.get(`${fn}: bitmap_find_next_zero_area(e->bitmap)`);
  const start = bitmap_find_next_zero_area(words, bits, 0, count, align);
  if (start > bits) return { start, bits };
  yield* bm.map.set(words, `${fn}: bitmap_set(e->bitmap, start, count)`);
  bitmapOob(bitmap_set(words, start, count), bits, words.length, `${fn}: bitmap_set(e->bitmap, start, count)`);
  const slot = PAGE_SIZE << w.mapping.order;
  noteTaken(w, u32(e.base.v + u32(start * slot)), count * slot, `${fn}: bitmap_set(e->bitmap, start, count)`);
  return { start, bits };
}

function* __alloc_iova(w: W, size: number): G<number> {
  const mapping = w.mapping;
  const { count, align } = allocGeometry(size, mapping.order);
  let found: IovaRange | null = null;
  let start = 0;
  const flags = yield* spin_lock_irqsave(mapping.lock, '__alloc_iova: spin_lock_irqsave(&mapping->lock)');
  found = yield* list_for_each_entry(mapping.iova_ranges, function* (e) {
    const r = yield* takeBits(w, e, count, align, '__alloc_iova');
    if (r.start > r.bits) return false;
    start = r.start;
    return true;
  }, '__alloc_iova: list_for_each_entry(e, &mapping->iova_ranges)');
  if (!found) {
    const sizeNow = mapping.size.v;
    const err = yield* extend_iommu_mapping(mapping);
    if (err) {
      noteAllocFailure(w, `__alloc_iova of ${count} pages failed: extend_iommu_mapping refused (size ${sizeNow / PAGE_SIZE} + grow ${mapping.grow_size / PAGE_SIZE} pages vs max ${mapping.max_size / PAGE_SIZE})`,
        err === -22 && mapping.grow_size > 0 && sizeNow + mapping.grow_size <= mapping.max_size && count << mapping.order <= mapping.grow_size / PAGE_SIZE);
      yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
      return DMA_ERROR_CODE;
    }
    const lastHead = yield* mapping.iova_ranges.prev.get('__alloc_iova: e = list_entry(mapping->iova_ranges.prev)');
    const last = (lastHead as ListHead<IovaRange>).owner as IovaRange;
    const r = yield* takeBits(w, last, count, align, '__alloc_iova');
    if (r.start > r.bits) {
      noteAllocFailure(w, `__alloc_iova of ${count} pages failed in a fresh range`, count << mapping.order <= mapping.grow_size / PAGE_SIZE);
      yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
      return DMA_ERROR_CODE;
    }
    start = r.start;
    found = last;
  }
  yield* spin_unlock_irqrestore(mapping.lock, flags, '__alloc_iova: spin_unlock_irqrestore(&mapping->lock)');
  const base = yield* found.base.get('__alloc_iova: return e->base + (start << (order + PAGE_SHIFT))');
  return u32(base + u32(start * 2 ** (mapping.order + PAGE_SHIFT)));
}

function* __free_iova(w: W, addr0: number, size0: number): G<void> {
  const mapping = w.mapping;
  const order = mapping.order;
  let addr = addr0;
  let size = size0;
  yield* list_for_each_entry(mapping.iova_ranges, function* (e) {
    if (!size) return true;
    const base = yield* e.base.get('__free_iova: e->base');
    const esize = yield* e.size.get('__free_iova: e->size');
    if (addr < base || addr >= u32(base + esize)) return false;
    const start = u32(addr - base) >>> (order + PAGE_SHIFT);
    let count: number;
    if (u32(addr + size) > u32(base + esize)) {
      const tmp = u32(base + esize - addr);
      count = ((tmp >>> PAGE_SHIFT) + (1 << order) - 1) >>> order;
      size -= tmp;
      addr = u32(addr + tmp);
    } else {
      count = ((size >>> PAGE_SHIFT) + (1 << order) - 1) >>> order;
      size -= size;
    }
    const flags = yield* spin_lock_irqsave(mapping.lock, '__free_iova: spin_lock_irqsave(&mapping->lock)');
    const bm = (yield* e.bitmap.get('__free_iova: e->bitmap')) as KPtr<BitmapMem>;
    yield* bm.map.set(bm.map.v, '__free_iova: bitmap_clear(e->bitmap, start, count)');
    bitmapOob(bitmap_clear(bm.map.v, start, count), e.bits.v, bm.map.v.length, '__free_iova: bitmap_clear(e->bitmap, start, count)');
    // addr moved on from addr0 only through the range-crossing branch: this clear is in a later range.
    noteCleared(w, u32(base + u32(start * (PAGE_SIZE << order))), count * (PAGE_SIZE << order), '__free_iova: bitmap_clear(e->bitmap, start, count)', addr !== addr0);
    yield* spin_unlock_irqrestore(mapping.lock, flags, '__free_iova: spin_unlock_irqrestore(&mapping->lock)');
    return false;
  }, '__free_iova: list_for_each_entry(e, &mapping->iova_ranges) [no lock]');
  noteUnfreed(w, addr0, size0, size, '__free_iova: list_for_each_entry(e, &mapping->iova_ranges) [no lock]');
}

function* release_iommu_mapping(mapping: M): G<void> {
  yield* list_for_each_entry_safe(mapping.iova_ranges, function* (e) {
    yield* list_del(e.list_head, 'release_iommu_mapping: list_del(&e->list_head)');
    yield* kfree(yield* e.bitmap.get('release_iommu_mapping: e->bitmap'), 'release_iommu_mapping: kfree(e->bitmap)');
    yield* kfree(e as KPtr<IovaRange>, 'release_iommu_mapping: kfree(e)');
  }, 'release_iommu_mapping: list_for_each_entry_safe');
  yield* kfree(mapping, 'release_iommu_mapping: kfree(mapping)');
}

function* ranges(m: M): Generator<IovaRange> {
  for (let p = m.iova_ranges.next.v as ListHead<IovaRange>; p !== m.iova_ranges; p = p.next.v as ListHead<IovaRange>) {
    yield p.owner as IovaRange;
  }
}

/** arm_iommu_create_mapping as the patch writes it, with its err/err2/err3 unwinding. */
function* arm_iommu_create_mapping(p: IovaParams): G<M | null> {
  const size = p.initialPages * PAGE_SIZE;
  const count = size >>> (PAGE_SHIFT + p.order);
  const bitmap_size = BITS_TO_LONGS(count) * SIZEOF_LONG;
  if (!count) return null; // ERR_PTR(-EINVAL)
  const L = 'arm_iommu_create_mapping';
  const mapping = yield* kzalloc('dma_iommu_mapping', GFP_KERNEL, (b) => new PostedMapping(b), `${L}: kzalloc(mapping)`);
  if (!mapping) return null; // err: ERR_PTR(-ENOMEM)
  yield* INIT_LIST_HEAD(mapping.iova_ranges, `${L}: INIT_LIST_HEAD(&mapping->iova_ranges)`);
  const iovar = yield* kzalloc('dma_iommu_iova_range', GFP_KERNEL, (b) => new IovaRange(b), `${L}: kzalloc(iovar)`);
  if (!iovar) {
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  const bm = yield* kzalloc('bitmap', GFP_KERNEL, (b) => new BitmapMem(b, bitmap_size / SIZEOF_LONG), `${L}: kzalloc(iovar->bitmap)`);
  if (!bm) {
    yield* kfree(iovar, `${L}: err3: kfree(iovar)`);
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  yield* iovar.bitmap.set(bm, `${L}: iovar->bitmap = kzalloc()`);
  yield* iovar.bits.set(BITS_PER_BYTE * bitmap_size, `${L}: iovar->bits`);
  yield* list_add_tail(iovar.list_head, mapping.iova_ranges, `${L}: list_add_tail(&iovar->list_head, &mapping->iova_ranges)`);
  yield* iovar.base.set(p.base, `${L}: mapping->base = iovar->base = base`);
  yield* mapping.size.set(size, `${L}: mapping->size = iovar->size = size`);
  yield* iovar.size.set(size, `${L}: mapping->size = iovar->size = size`);
  mapping.base = p.base;
  mapping.order = p.order;
  mapping.grow_size = p.growPages * PAGE_SIZE;
  mapping.max_size = p.maxPages * PAGE_SIZE;
  if (p.failAllocs && (yield* choose(2, `${L}: iommu_domain_alloc fails?`)) === 1) {
    yield* kfree(bm, `${L}: err4: kfree(iovar->bitmap)`);
    yield* kfree(iovar, `${L}: err3: kfree(iovar)`);
    yield* kfree(mapping, `${L}: err2: kfree(mapping)`);
    return null;
  }
  yield* kref_init(mapping.kref, `${L}: kref_init(&mapping->kref)`);
  return mapping;
}

export const postedVariant: IovaVariant<M> = {
  create,
  createMapping: arm_iommu_create_mapping,
  releaseMapping: function* (m) {
    yield* kref_put(m.kref, () => release_iommu_mapping(m), 'arm_iommu_release_mapping: kref_put');
  },
  alloc: __alloc_iova,
  free: __free_iova,
  release: function* (w) {
    yield* kref_put(w.mapping.kref, () => release_iommu_mapping(w.mapping), 'arm_iommu_release_mapping: kref_put');
  },
  windowEnd: (m) => m.base + m.size.v,
  slotBytes: (m) => PAGE_SIZE << m.order,
  setSlots: (m) => {
    const out: number[] = [];
    for (const e of ranges(m)) {
      const bm = e.bitmap.v;
      if (!bm) continue;
      for (let b = 0; b < e.bits.v; b++) if (testBit(bm.map.v, b)) out.push(e.base.v + b * (PAGE_SIZE << m.order));
    }
    return out;
  },
  describe: (m) => {
    const out: Record<string, string | number> = { 'mapping->size (pages)': m.size.v / PAGE_SIZE };
    let i = 0;
    for (const e of ranges(m)) {
      out[`range ${i++} base=0x${e.base.v.toString(16)} pages=${e.size.v / PAGE_SIZE} bits=${e.bits.v}`] = e.bitmap.v ? bitmapWords(e.bitmap.v.map.v) : '(no bitmap)';
    }
    return out;
  },
};
