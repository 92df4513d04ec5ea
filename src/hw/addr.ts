/**
 * Address arithmetic for the emulated hardware: page size, alignment, and explicit C integer
 * truncation helpers (s32 / u32 / s64-as-number) so a model can say "this line computes in `int`"
 * and keep a seed's truncation bugs visible (seed 000 stores a phys_addr_t difference in `int off`).
 *
 * Addresses are plain JS numbers. They are exact integers up to 2^53 (9 PiB), which covers every
 * physical and virtual address a model here uses (x86-64 / ARM kernel VAs are written as small
 * offsets into model-chosen windows, not as 0xffff8800_00000000-style values). `checkAddr` refuses
 * anything that is not a non-negative safe integer, with a how-to-fix message.
 * Leaves out: 64-bit wrap-around of unsigned long (a model that needs it must use BigInt itself).
 */
import { UsageError } from '../engine/violation.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Bits of an address inside its page (the kernel's ~PAGE_MASK). */
export const PAGE_OFFSET_MASK = PAGE_SIZE - 1;

/** Round down to a page boundary (addr & PAGE_MASK). */
export function pageAlignDown(addr: number): number {
  return addr - (addr % PAGE_SIZE);
}

/** Round up to a page boundary (PAGE_ALIGN). */
export function pageAlign(addr: number): number {
  const r = addr % PAGE_SIZE;
  return r === 0 ? addr : addr + (PAGE_SIZE - r);
}

/** Offset of an address inside its page (addr & ~PAGE_MASK). */
export function pageOffset(addr: number): number {
  return addr % PAGE_SIZE;
}

/** Page frame / virtual page number of an address. */
export function pfnOf(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

export function isPageAligned(addr: number): boolean {
  return addr % PAGE_SIZE === 0;
}

/** Throws a UsageError unless `a` is a non-negative integer exactly representable (< 2^53). */
export function checkAddr(a: number, what: string): number {
  if (!Number.isSafeInteger(a) || a < 0) {
    throw new UsageError(`${what} = ${String(a)} is not a non-negative integer below 2^53; addresses are plain JS integers (use small model windows, not sign-extended kernel VAs)`);
  }
  return a;
}

/** Truncate to a C `int` (two's complement s32), as `int off = a - b;` does. */
export function s32(x: number): number {
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(x))));
}

/** Truncate to a C `u32` / `unsigned int`. */
export function u32(x: number): number {
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(x))));
}

/** Truncate to a C `s16` / `short`. */
export function s16(x: number): number {
  return Number(BigInt.asIntN(16, BigInt(Math.trunc(x))));
}

/** Truncate to a C `u8`. */
export function u8(x: number): number {
  return Number(BigInt.asUintN(8, BigInt(Math.trunc(x))));
}

/** Value of `x` converted to an access of `size` bytes (readb/readw/readl/readq widths). */
export function truncToSize(x: number, size: 1 | 2 | 4 | 8): number {
  if (size === 8) return Math.trunc(x);
  return Number(BigInt.asUintN(size * 8, BigInt(Math.trunc(x))));
}

/** `0x20001400` style formatting for messages. */
export function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

/** `[start, end)` as hex. */
export function hexRange(start: number, end: number): string {
  return `[${hex(start)}, ${hex(end)})`;
}

/** Do `[a, a + alen)` and `[b, b + blen)` overlap? */
export function rangesOverlap(a: number, alen: number, b: number, blen: number): boolean {
  return a < b + blen && b < a + alen;
}
