/**
 * Address arithmetic for the emulated hardware: page size, alignment, access-width truncation.
 * For C integer types (`int off = a - b` in seed 000) use src/linux's ctypes (`s32`, `u32`, ...):
 * they are the project's one set of truncation helpers, so a seed's truncation bugs stay visible.
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

/** Value of `x` converted to an access of `size` bytes (readb/readw/readl/readq widths). */
export function truncToSize(x: number, size: 1 | 2 | 4 | 8): number {
  if (size === 8) return Math.trunc(x);
  return Number(BigInt.asUintN(size * 8, BigInt(Math.trunc(x))));
}

const hexCache = new Map<number, string>();

/**
 * `0x20001400` style formatting for messages and op labels. Models format the same few addresses
 * on every step, so the strings are memoized (bounded) instead of reallocated each time.
 */
export function hex(a: number): string {
  let s = hexCache.get(a);
  if (s === undefined) {
    s = `0x${a.toString(16)}`;
    if (hexCache.size < 4096) hexCache.set(a, s);
  }
  return s;
}

/** `[start, end)` as hex. */
export function hexRange(start: number, end: number): string {
  return `[${hex(start)}, ${hex(end)})`;
}

/** Do `[a, a + alen)` and `[b, b + blen)` overlap? */
export function rangesOverlap(a: number, alen: number, b: number, blen: number): boolean {
  return a < b + blen && b < a + alen;
}
