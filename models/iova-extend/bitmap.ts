/**
 * The kernel's bitmap library as the seed uses it (lib/bitmap.c, lib/find_bit.c of v3.14):
 * `bitmap_find_next_zero_area`, `bitmap_set`, `bitmap_clear`, over an array of 32-bit `unsigned
 * long` words (ARM32: BITS_PER_LONG = 32), plus `BITS_TO_LONGS`.
 *
 * Fidelity that matters here: `bitmap_find_next_zero_area(map, size, start, nr, align_mask)`
 * returns `index + nr`, which is greater than `size`, when no area fits — it does not return a
 * sentinel — so the seed's `if (start > e->bits)` test is correct and this model must not invent
 * a bug there. The search aligns the candidate index with `__ALIGN_MASK(index, align_mask)` and
 * restarts after the last set bit it meets, exactly as the C loop does.
 * `bitmap_set` / `bitmap_clear` return how many of the bits lay past the array: the C would
 * write there (a KASAN slab-out-of-bounds the callers report); here they are not written.
 * Leaves out: `align_offset` (v3.14 has none), the word-at-a-time fast paths (same results).
 */

export const BITS_PER_LONG = 32;
export const BITS_PER_BYTE = 8;
/** sizeof(long) on ARM32. */
export const SIZEOF_LONG = 4;

/** BITS_TO_LONGS(nr): words needed to hold `nr` bits. */
export function BITS_TO_LONGS(nr: number): number {
  return Math.ceil(nr / BITS_PER_LONG);
}

export function testBit(map: Uint32Array, bit: number): boolean {
  const w = map[bit >>> 5] ?? 0;
  return ((w >>> (bit & 31)) & 1) === 1;
}

/** find_next_zero_bit(map, size, offset): first clear bit >= offset, or `size` when none. */
export function find_next_zero_bit(map: Uint32Array, size: number, offset: number): number {
  for (let i = offset; i < size; i++) if (!testBit(map, i)) return i;
  return size;
}

/** find_next_bit(map, size, offset): first set bit >= offset, or `size` when none. */
export function find_next_bit(map: Uint32Array, size: number, offset: number): number {
  for (let i = offset; i < size; i++) if (testBit(map, i)) return i;
  return size;
}

/** __ALIGN_MASK(x, mask) = (x + mask) & ~mask. */
function alignMask(x: number, mask: number): number {
  return (x + mask) & ~mask;
}

/**
 * bitmap_find_next_zero_area(map, size, start, nr, align_mask): index of the first run of `nr`
 * clear bits starting at an index aligned to `align_mask + 1`; on failure a value > size.
 */
export function bitmap_find_next_zero_area(map: Uint32Array, size: number, start: number, nr: number, align_mask: number): number {
  let s = start;
  for (;;) {
    let index = find_next_zero_bit(map, size, s);
    index = alignMask(index, align_mask);
    const end = index + nr;
    if (end > size) return end;
    const i = find_next_bit(map, end, index);
    if (i < end) {
      s = i + 1;
      continue;
    }
    return index;
  }
}

/** bitmap_set(map, start, nr); returns the number of bits past the array (not written). */
export function bitmap_set(map: Uint32Array, start: number, nr: number): number {
  let past = 0;
  for (let i = start; i < start + nr; i++) {
    const k = i >>> 5;
    if (k < map.length) map[k] = ((map[k] ?? 0) | (1 << (i & 31))) >>> 0;
    else past++;
  }
  return past;
}

/** bitmap_clear(map, start, nr); returns the number of bits past the array (not written). */
export function bitmap_clear(map: Uint32Array, start: number, nr: number): number {
  let past = 0;
  for (let i = start; i < start + nr; i++) {
    const k = i >>> 5;
    if (k < map.length) map[k] = ((map[k] ?? 0) & ~(1 << (i & 31))) >>> 0;
    else past++;
  }
  return past;
}

/** Number of set bits in the first `size` bits (bitmap_weight). */
export function bitmap_weight(map: Uint32Array, size: number): number {
  let n = 0;
  for (let i = 0; i < size; i++) if (testBit(map, i)) n++;
  return n;
}

/** The words as hex, for reports: `0000ffff 00000000`. */
export function bitmapWords(map: Uint32Array): string {
  return Array.from(map, (w) => w.toString(16).padStart(8, '0')).join(' ');
}
