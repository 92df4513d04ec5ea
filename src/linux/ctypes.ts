/**
 * C integer types for models whose seed does arithmetic in a narrow type: s8..s64, u8..u64,
 * `ulong(x, bits)`, shifts and alignment helpers. Kernel addresses are 64-bit; JS numbers are
 * exact only up to 2^53, so 64-bit values go through BigInt (`u64`, `s64`) and the number-valued
 * helpers refuse results they cannot hold exactly instead of rounding silently -- a truncation the
 * C code performs must be written down (`u32(size)`, `s32(nr_pages << PAGE_SHIFT)`) so it stays
 * visible in the model, as issue 3 asks.
 *
 * Follows C's conversion rules (C11 6.3.1.3: conversion to an unsigned type is modulo 2^N; to a
 * signed type it is implementation-defined, and every kernel compiler wraps modulo 2^N).
 * Leaves out: integer promotion of mixed expressions (the model applies the casts where C does).
 */
import { UsageError } from '../engine/violation.js';

function exact(x: number | bigint, what: string): bigint {
  if (typeof x === 'bigint') return x;
  if (!Number.isInteger(x)) throw new UsageError(`${what}(${x}): not an integer; C integer helpers take whole numbers or BigInt`);
  if (!Number.isSafeInteger(x)) throw new UsageError(`${what}(${x}): above 2^53 a JS number is no longer exact; pass a BigInt (e.g. 0x${Math.trunc(x).toString(16)}n)`);
  return BigInt(x);
}

function toNumber(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what}: the result ${v} does not fit a JS number exactly; use the BigInt helpers (u64 / s64)`);
  return n;
}

export const s8 = (x: number): number => (x << 24) >> 24;
export const u8 = (x: number): number => x & 0xff;
export const s16 = (x: number): number => (x << 16) >> 16;
export const u16 = (x: number): number => x & 0xffff;
/** (int)x: wraps modulo 2^32 into [-2^31, 2^31). */
export const s32 = (x: number | bigint): number => (typeof x === 'bigint' ? Number(BigInt.asIntN(32, x)) : Number(BigInt.asIntN(32, exact(x, 's32'))));
/** (u32)x: wraps modulo 2^32 into [0, 2^32). */
export const u32 = (x: number | bigint): number => (typeof x === 'bigint' ? Number(BigInt.asUintN(32, x)) : Number(BigInt.asUintN(32, exact(x, 'u32'))));
/** (u64)x as a BigInt. */
export const u64 = (x: number | bigint): bigint => BigInt.asUintN(64, exact(x, 'u64'));
/** (s64)x as a BigInt. */
export const s64 = (x: number | bigint): bigint => BigInt.asIntN(64, exact(x, 's64'));

export const BITS_PER_LONG = 64;

/** (unsigned long)x on a `bits`-bit kernel, as a number; refuses results above 2^53 (use u64). */
export function ulong(x: number | bigint, bits: 32 | 64 = 64): number {
  return toNumber(BigInt.asUintN(bits, exact(x, 'ulong')), `ulong(${x}, ${bits})`);
}

/** (long)x on a `bits`-bit kernel, as a number. */
export function slong(x: number | bigint, bits: 32 | 64 = 64): number {
  return toNumber(BigInt.asIntN(bits, exact(x, 'slong')), `slong(${x}, ${bits})`);
}

/** x << n in a `bits`-wide unsigned type (bits lost off the top are lost, as in C). */
export function shl(x: number | bigint, n: number, bits: 8 | 16 | 32 | 64 = 64): bigint {
  return BigInt.asUintN(bits, exact(x, 'shl') << BigInt(n));
}

/** ALIGN(x, a) (a a power of two), exact for numbers up to 2^53. */
export function ALIGN(x: number, a: number): number {
  if (a <= 0 || (a & (a - 1)) !== 0) throw new UsageError(`ALIGN(${x}, ${a}): the alignment must be a power of two`);
  return Math.ceil(x / a) * a;
}

/** ALIGN_DOWN(x, a). */
export function ALIGN_DOWN(x: number, a: number): number {
  if (a <= 0 || (a & (a - 1)) !== 0) throw new UsageError(`ALIGN_DOWN(${x}, ${a}): the alignment must be a power of two`);
  return Math.floor(x / a) * a;
}

/** DIV_ROUND_UP(n, d). */
export function DIV_ROUND_UP(n: number, d: number): number {
  return Math.ceil(n / d);
}
