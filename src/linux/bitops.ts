/**
 * Bit operations on an unsigned long: set_bit / clear_bit / change_bit / test_bit, the
 * test_and_{set,clear,change}_bit family, the lock forms test_and_set_bit_lock / clear_bit_unlock,
 * the non-atomic __set_bit family, and bitmaps (DECLARE_BITMAP) with find_first_bit and friends.
 *
 * Follows include/asm-generic/bitops/atomic.h, instrumented-non-atomic.h, lock.h and
 * Documentation/atomic_bitops.txt, with the LKMM's tags: set_bit, clear_bit, change_bit are
 * non-value-returning RMWs (NORETURN: unordered); test_bit is a marked load (ONCE);
 * test_and_{set,clear,change}_bit are value-returning RMWs (fully ordered, like atomic_*_return);
 * test_and_set_bit_lock is an ACQUIRE RMW and clear_bit_unlock a RELEASE RMW (a bit spinlock);
 * test_bit_acquire an acquire load. The __ forms are plain accesses: one concurrent with any other
 * access to the word is a KCSAN data race. Each helper is ONE op on the word holding the bit.
 *
 * The word is a `Field<number>` (bits 0..52, exact in a JS number), a `Field<bigint>` (bits 0..63,
 * a full unsigned long), or a `Bitmap` (any number of bits, one Field<bigint> per 64-bit word, so
 * bits in different words are different memory, as in C). A bit number out of range, or a word
 * that is not a non-negative integer, is a usage error.
 * Leaves out: the wait_on_bit / wake_up_bit family (use a wait queue), atomic64 bitops on
 * atomic_long_t (use a Field), the find_*_bit variants beyond first/next (set and zero), and
 * bitmap_* operations other than zero / empty / weight.
 */
import { Mo, type Op, OpKind, op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';
import { BITS_PER_LONG } from './ctypes.js';
import { Field } from './field.js';

type G<R> = Generator<Op, R, unknown>;

/** DECLARE_BITMAP(name, nbits): `ceil(nbits / 64)` unsigned longs, all zero. */
export class Bitmap {
  readonly words: Field<bigint>[];
  constructor(readonly name: string, readonly nbits: number, block = -1) {
    if (!Number.isInteger(nbits) || nbits < 1) throw new UsageError(`DECLARE_BITMAP(${name}, ${nbits}): the size must be a whole number of bits >= 1`);
    this.words = [];
    for (let i = 0; i < BITS_TO_LONGS(nbits); i++) this.words.push(new Field<bigint>(0n, BITS_TO_LONGS(nbits) === 1 ? name : `${name}[${i}]`, block));
  }
}

/** DECLARE_BITMAP in setup (or in a kmalloc `make(b)` with its block). */
export function DECLARE_BITMAP(name: string, nbits: number, block = -1): Bitmap {
  return new Bitmap(name, nbits, block);
}

/** BIT(nr): the mask of bit nr (a number: nr <= 52). */
export function BIT(nr: number): number {
  if (!Number.isInteger(nr) || nr < 0 || nr > 52) throw new UsageError(`BIT(${nr}): a JS number holds bits 0..52 exactly; use BIT_ULL for a bigint mask`);
  return 2 ** nr;
}

/** BIT_ULL(nr): the mask of bit nr as a bigint (nr <= 63). */
export function BIT_ULL(nr: number): bigint {
  if (!Number.isInteger(nr) || nr < 0 || nr > 63) throw new UsageError(`BIT_ULL(${nr}): bits 0..63`);
  return 1n << BigInt(nr);
}

/** BIT_WORD(nr): which unsigned long of a bitmap holds bit nr. */
export function BIT_WORD(nr: number): number {
  return Math.floor(nr / BITS_PER_LONG);
}

/** BITS_TO_LONGS(nbits). */
export function BITS_TO_LONGS(nbits: number): number {
  return Math.ceil(nbits / BITS_PER_LONG);
}

export type BitWord = Field<number> | Field<bigint> | Bitmap;

/** The word holding bit `nr` of `addr`, and the bit's index inside it. */
function locate(nr: number, addr: BitWord, fn: string): [Field<number> | Field<bigint>, number] {
  if (!Number.isInteger(nr) || nr < 0) throw new UsageError(`${fn}(${nr}, ...): the bit number must be a whole number >= 0`);
  if (addr instanceof Bitmap) {
    if (nr >= addr.nbits) throw new UsageError(`${fn}(${nr}, ${addr.name}): the bitmap has ${addr.nbits} bits`);
    return [addr.words[BIT_WORD(nr)] as Field<bigint>, nr % BITS_PER_LONG];
  }
  if (!(addr instanceof Field)) throw new UsageError(`${fn}() needs a Field<number>, a Field<bigint> or a Bitmap (DECLARE_BITMAP) as the word`);
  const max = typeof addr.v === 'bigint' ? 63 : 52;
  if (nr > max) throw new UsageError(`${fn}(${nr}, ${addr.name}): a ${typeof addr.v === 'bigint' ? 'Field<bigint> holds bits 0..63' : 'Field<number> holds bits 0..52 exactly; use a Field<bigint> or a Bitmap'}`);
  return [addr, nr];
}

/** Read bit `b` of a word value (checking the value is a non-negative integer). */
function bitOf(w: Field<number> | Field<bigint>, b: number, fn: string): boolean {
  const v = w.v;
  if (typeof v === 'bigint') {
    if (v < 0n) throw new UsageError(`${fn}: ${w.name} holds a negative value; an unsigned long is >= 0`);
    return ((v >> BigInt(b)) & 1n) === 1n;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UsageError(`${fn}: ${w.name} holds ${String(v)}, not an unsigned long (a non-negative whole number)`);
  return Math.floor(v / 2 ** b) % 2 === 1;
}

/** Set bit `b` of the word to `on`. */
function put(w: Field<number> | Field<bigint>, b: number, on: boolean, was: boolean): void {
  if (on === was) return;
  if (typeof w.v === 'bigint') (w as Field<bigint>).v = on ? w.v | (1n << BigInt(b)) : w.v & ~(1n << BigInt(b));
  else (w as Field<number>).v = (w.v as number) + (on ? 2 ** b : -(2 ** b));
}

type Change = 'set' | 'clear' | 'change' | 'test';

/** One op on the word, then the change; returns the bit before it. */
function* bitOp(nr: number, addr: BitWord, kind: number, mo: Mo, change: Change, fn: string, label: string): G<boolean> {
  const [w, b] = locate(nr, addr, fn);
  bitOf(w, b, fn);
  yield kind === OpKind.PlainWrite ? op.plainWrite(w.id, label) : kind === OpKind.Read ? op.read(w.id, label, mo) : op.rmw(w.id, label, mo);
  const was = bitOf(w, b, fn);
  if (change !== 'test') put(w, b, change === 'set' ? true : change === 'clear' ? false : !was, was);
  return was;
}

/** set_bit(nr, addr): atomic, unordered (NORETURN). */
export function* set_bit(nr: number, addr: BitWord, label = 'set_bit'): G<void> {
  yield* bitOp(nr, addr, OpKind.Rmw, Mo.Noreturn, 'set', 'set_bit', label);
}

/** clear_bit(nr, addr): atomic, unordered (NORETURN). */
export function* clear_bit(nr: number, addr: BitWord, label = 'clear_bit'): G<void> {
  yield* bitOp(nr, addr, OpKind.Rmw, Mo.Noreturn, 'clear', 'clear_bit', label);
}

/** change_bit(nr, addr): atomic, unordered (NORETURN). */
export function* change_bit(nr: number, addr: BitWord, label = 'change_bit'): G<void> {
  yield* bitOp(nr, addr, OpKind.Rmw, Mo.Noreturn, 'change', 'change_bit', label);
}

/** test_bit(nr, addr): a marked load (ONCE). */
export function* test_bit(nr: number, addr: BitWord, label = 'test_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.Read, Mo.Once, 'test', 'test_bit', label);
}

/** test_bit_acquire(nr, addr): an acquire load. */
export function* test_bit_acquire(nr: number, addr: BitWord, label = 'test_bit_acquire'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.Read, Mo.Acquire, 'test', 'test_bit_acquire', label);
}

/** test_and_set_bit(nr, addr): the old bit; fully ordered. */
export function* test_and_set_bit(nr: number, addr: BitWord, label = 'test_and_set_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.Rmw, Mo.Mb, 'set', 'test_and_set_bit', label);
}

/** test_and_clear_bit(nr, addr): the old bit; fully ordered. */
export function* test_and_clear_bit(nr: number, addr: BitWord, label = 'test_and_clear_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.Rmw, Mo.Mb, 'clear', 'test_and_clear_bit', label);
}

/** test_and_change_bit(nr, addr): the old bit; fully ordered. */
export function* test_and_change_bit(nr: number, addr: BitWord, label = 'test_and_change_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.Rmw, Mo.Mb, 'change', 'test_and_change_bit', label);
}

/** test_and_set_bit_lock(nr, addr): the old bit; ACQUIRE (take a bit lock: true = it was held). */
export function* test_and_set_bit_lock(nr: number, addr: BitWord, label = 'test_and_set_bit_lock'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.Rmw, Mo.Acquire, 'set', 'test_and_set_bit_lock', label);
}

/** clear_bit_unlock(nr, addr): RELEASE (drop a bit lock). */
export function* clear_bit_unlock(nr: number, addr: BitWord, label = 'clear_bit_unlock'): G<void> {
  yield* bitOp(nr, addr, OpKind.Rmw, Mo.Release, 'clear', 'clear_bit_unlock', label);
}

/** __set_bit(nr, addr): non-atomic (a plain read-modify-write: races with any concurrent access). */
export function* __set_bit(nr: number, addr: BitWord, label = '__set_bit'): G<void> {
  yield* bitOp(nr, addr, OpKind.PlainWrite, Mo.Sc, 'set', '__set_bit', label);
}

export function* __clear_bit(nr: number, addr: BitWord, label = '__clear_bit'): G<void> {
  yield* bitOp(nr, addr, OpKind.PlainWrite, Mo.Sc, 'clear', '__clear_bit', label);
}

export function* __change_bit(nr: number, addr: BitWord, label = '__change_bit'): G<void> {
  yield* bitOp(nr, addr, OpKind.PlainWrite, Mo.Sc, 'change', '__change_bit', label);
}

export function* __test_and_set_bit(nr: number, addr: BitWord, label = '__test_and_set_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.PlainWrite, Mo.Sc, 'set', '__test_and_set_bit', label);
}

export function* __test_and_clear_bit(nr: number, addr: BitWord, label = '__test_and_clear_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.PlainWrite, Mo.Sc, 'clear', '__test_and_clear_bit', label);
}

export function* __test_and_change_bit(nr: number, addr: BitWord, label = '__test_and_change_bit'): G<boolean> {
  return yield* bitOp(nr, addr, OpKind.PlainWrite, Mo.Sc, 'change', '__test_and_change_bit', label);
}

/** Bits set in the bitmap, or in a word, without an op (for invariants and inspect). */
export function bitsOf(addr: BitWord): number[] {
  const words = addr instanceof Bitmap ? addr.words : [addr];
  const limit = addr instanceof Bitmap ? addr.nbits : typeof addr.v === 'bigint' ? 64 : 53;
  const out: number[] = [];
  for (let nr = 0; nr < limit; nr++) {
    const w = words[BIT_WORD(nr)];
    if (w !== undefined && bitOf(w, nr % BITS_PER_LONG, 'bitsOf')) out.push(nr);
  }
  return out;
}

/** Plain loads of the words holding bits [offset, size) (the find_* helpers read a bitmap plainly). */
function* scan(map: Bitmap, size: number, offset: number, want: boolean, fn: string, label: string): G<number> {
  if (!(map instanceof Bitmap)) throw new UsageError(`${fn}() needs a Bitmap (DECLARE_BITMAP)`);
  const end = Math.min(size, map.nbits);
  let loaded = -1;
  for (let nr = Math.max(0, offset); nr < end; nr++) {
    const wi = BIT_WORD(nr);
    const w = map.words[wi] as Field<bigint>;
    if (wi !== loaded) {
      yield op.plainRead(w.id, label);
      loaded = wi;
    }
    if (bitOf(w, nr % BITS_PER_LONG, fn) === want) return nr;
  }
  return size;
}

/** find_first_bit(map, size): the first set bit, or `size` when none (plain loads, one per word). */
export function* find_first_bit(map: Bitmap, size: number, label = 'find_first_bit'): G<number> {
  return yield* scan(map, size, 0, true, 'find_first_bit', label);
}

/** find_next_bit(map, size, offset): the next set bit at or after offset, or `size`. */
export function* find_next_bit(map: Bitmap, size: number, offset: number, label = 'find_next_bit'): G<number> {
  return yield* scan(map, size, offset, true, 'find_next_bit', label);
}

export function* find_first_zero_bit(map: Bitmap, size: number, label = 'find_first_zero_bit'): G<number> {
  return yield* scan(map, size, 0, false, 'find_first_zero_bit', label);
}

export function* find_next_zero_bit(map: Bitmap, size: number, offset: number, label = 'find_next_zero_bit'): G<number> {
  return yield* scan(map, size, offset, false, 'find_next_zero_bit', label);
}

/** bitmap_zero(map, nbits): plain stores of zero to every word. */
export function* bitmap_zero(map: Bitmap, label = 'bitmap_zero'): G<void> {
  for (const w of map.words) yield* w.set(0n, label);
}

/** bitmap_empty(map, nbits): no bit set (plain loads). */
export function* bitmap_empty(map: Bitmap, label = 'bitmap_empty'): G<boolean> {
  return (yield* find_first_bit(map, map.nbits, label)) === map.nbits;
}

/** bitmap_weight(map, nbits): how many bits are set (plain loads). */
export function* bitmap_weight(map: Bitmap, label = 'bitmap_weight'): G<number> {
  for (const w of map.words) yield op.plainRead(w.id, label);
  return bitsOf(map).length;
}
