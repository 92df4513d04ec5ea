// Bit operations (src/linux/bitops.ts): sequential results on every kind of word, atomicity of
// test_and_set_bit, the memory-order tags (set_bit/test_bit order nothing, test_and_set_bit is
// fully ordered, the bit lock is acquire/release), the __ forms as plain accesses, bitmaps across
// words, and bad bit numbers as usage errors.
import { describe, expect, it } from 'vitest';
import {
  BIT, BIT_ULL, BIT_WORD, BITS_TO_LONGS, Bitmap, DECLARE_BITMAP, Field, __change_bit, __clear_bit, __set_bit, __test_and_change_bit,
  __test_and_clear_bit, __test_and_set_bit, bitmap_empty, bitmap_weight, bitmap_zero, bitsOf, change_bit, clear_bit,
  clear_bit_unlock, defineModel, find_first_bit, find_first_zero_bit, find_next_bit, find_next_zero_bit, set_bit, test_and_change_bit,
  test_and_clear_bit, test_and_set_bit, test_and_set_bit_lock, test_bit, test_bit_acquire, thread, type Op, op, READS_OWN,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

type G<R> = Generator<Op, R, unknown>;

/** One thread running `body` over a word made by `make`; returns what it recorded. */
function sequential<W>(make: () => W, body: (w: W, log: unknown[]) => G<void>): unknown[] {
  let out: unknown[] = [];
  const m = defineModel<{ w: W }, Record<string, never>>({
    name: 'linux-test/bitops-seq', scenarios: { default: {} }, setup: () => ({ w: make() }),
    threads: (s) => [thread('t', function* () {
      const log: unknown[] = [];
      yield* body(s.w, log);
      out = log;
    })],
  });
  expectClean(exhaust(m));
  return out;
}

describe('bitops: sequential contract', () => {
  it('set / clear / change / test and the test_and_ family return the old bit (Field<number>)', () => {
    const log = sequential(() => new Field(0, 'flags'), function* (w, log) {
      yield* set_bit(3, w);
      log.push(w.v, yield* test_bit(3, w), yield* test_bit(2, w));
      log.push(yield* test_and_set_bit(3, w), yield* test_and_set_bit(5, w), w.v);
      log.push(yield* test_and_clear_bit(3, w), yield* test_and_clear_bit(3, w), w.v);
      yield* change_bit(0, w);
      log.push(w.v, yield* test_and_change_bit(0, w), w.v);
      yield* clear_bit(5, w);
      yield* set_bit(52, w);
      log.push(w.v === 2 ** 52, bitsOf(w));
    });
    expect(log).toEqual([8, true, false, true, false, 40, true, false, 32, 33, true, 32, true, [52]]);
  });

  it('a Field<bigint> holds all 64 bits; the __ forms do the same as plain accesses', () => {
    const log = sequential(() => new Field(0n, 'word'), function* (w, log) {
      yield* __set_bit(63, w);
      yield* __set_bit(0, w);
      log.push(w.v === (1n << 63n) + 1n);
      log.push(yield* __test_and_set_bit(0, w), yield* __test_and_clear_bit(63, w), yield* __test_and_change_bit(1, w));
      yield* __clear_bit(0, w);
      yield* __change_bit(2, w);
      log.push(w.v, bitsOf(w));
    });
    expect(log).toEqual([true, true, true, false, 6n, [1, 2]]);
  });

  it('a bitmap spans words: bit 70 lives in word 1, find_* scan across words', () => {
    const log = sequential(() => DECLARE_BITMAP('map', 130), function* (m, log) {
      log.push(m.words.length, yield* bitmap_empty(m), yield* find_first_bit(m, 130));
      yield* set_bit(70, m);
      yield* set_bit(129, m);
      log.push(m.words[0]?.v, m.words[1]?.v === 1n << 6n, yield* find_first_bit(m, 130), yield* find_next_bit(m, 130, 71));
      log.push(yield* find_first_zero_bit(m, 130), yield* find_next_zero_bit(m, 130, 70), yield* bitmap_weight(m), yield* bitmap_empty(m));
      log.push(yield* find_next_bit(m, 100, 71));
      yield* bitmap_zero(m);
      log.push(bitsOf(m));
    });
    expect(log).toEqual([3, true, 130, 0n, true, 70, 129, 0, 71, 2, false, 100, []]);
    expect([BIT(4), BIT_ULL(63), BIT_WORD(70), BITS_TO_LONGS(65)]).toEqual([16, 1n << 63n, 1, 2]);
  });

  it('bad bit numbers and words are usage errors, in thread code and at construction', () => {
    const bad = (body: (w: Field<number>) => G<unknown>, init = 0): string => {
      const m = defineModel<{ w: Field<number> }, Record<string, never>>({
        name: 'linux-test/bitops-bad', scenarios: { default: {} }, setup: () => ({ w: new Field(init, 'flags') }),
        threads: (s) => [thread('t', function* () { yield* body(s.w); })],
      });
      return expectKind(exhaust(m), 'usage').message;
    };
    expect(bad((w) => set_bit(53, w))).toMatch(/Field<number> holds bits 0\.\.52/);
    expect(bad((w) => test_bit(-1, w))).toMatch(/whole number >= 0/);
    expect(bad((w) => set_bit(1, w), -4)).toMatch(/not an unsigned long/);
    expect(bad((w) => set_bit(0, { v: 0 } as unknown as Field<number>))).toMatch(/needs a Field<number>, a Field<bigint> or a Bitmap/);
    expect(bad(() => set_bit(200, new Bitmap('m', 128)))).toMatch(/the bitmap has 128 bits/);
    expect(() => BIT(60)).toThrow(/BIT_ULL/);
  });
});

interface Flags { flag: Field<number>; data: Field<number>; got: number[] }

function flagModel(name: string, writer: (s: Flags) => G<void>, reader: (s: Flags) => G<void>, init = 0) {
  return defineModel<Flags, Record<string, never>>({
    name, scenarios: { default: {} },
    setup: () => ({ flag: new Field(init, 'flags'), data: new Field(0, 'data'), got: [] }),
    threads: (s) => [thread('writer', () => writer(s)), thread('reader', () => reader(s))],
  });
}

describe('bitops: atomicity and ordering', () => {
  it('two test_and_set_bit on one bit: exactly one finds it clear, in every interleaving', () => {
    const out = new Outcomes();
    const m = defineModel<{ w: Field<number>; r: boolean[] }, Record<string, never>>({
      name: 'linux-test/tas-atomic', scenarios: { default: {} }, setup: () => ({ w: new Field(0, 'flags'), r: [] }),
      threads: (s) => [0, 1].map((i) => thread(`t${i}`, function* () { s.r[i] = yield* test_and_set_bit(0, s.w); })),
      final: [{ name: 'record', check: (s) => out.record(s.r.join(',')) }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['false,true', 'true,false']);
  });

  it('two unlocked __test_and_set_bit race (KCSAN: plain read-modify-writes)', () => {
    const m = defineModel<{ w: Field<number> }, Record<string, never>>({
      name: 'linux-test/nonatomic-tas', scenarios: { default: {} }, setup: () => ({ w: new Field(0, 'flags') }),
      threads: (s) => [0, 1].map((i) => thread(`t${i}`, function* () { yield* __test_and_set_bit(i, s.w); })),
    });
    expect(expectKind(dpor(m), 'data-race').message).toMatch(/flags/);
  });

  it('set_bit + test_bit publish nothing: the plain data read races (NORETURN / ONCE)', () => {
    const m = flagModel('linux-test/set-bit-publish', function* (s) {
      yield* s.data.set(1);
      yield* set_bit(0, s.flag);
    }, function* (s) {
      if (yield* test_bit(0, s.flag)) s.got.push(yield* s.data.get());
    });
    expect(expectKind(dpor(m), 'data-race').message).toMatch(/data/);
  });

  it('test_and_set_bit (fully ordered) or clear_bit_unlock (release) + test_bit_acquire publish the data', () => {
    const full = flagModel('linux-test/tas-publish', function* (s) {
      yield* s.data.set(1);
      yield* test_and_set_bit(0, s.flag);
    }, function* (s) {
      if (yield* test_and_clear_bit(0, s.flag)) s.got.push(yield* s.data.get());
    });
    expectClean(exhaust(full));
    const rel = flagModel('linux-test/unlock-publish', function* (s) {
      yield* s.data.set(1);
      yield* clear_bit_unlock(1, s.flag);
    }, function* (s) {
      if (!(yield* test_bit_acquire(1, s.flag))) s.got.push(yield* s.data.get());
    }, 2);
    expectClean(exhaust(rel));
    // The same with relaxed ops races: the tags are what orders.
    const relaxed = flagModel('linux-test/clear-bit-publish', function* (s) {
      yield* s.data.set(1);
      yield* clear_bit(1, s.flag);
    }, function* (s) {
      if (!(yield* test_bit(1, s.flag))) s.got.push(yield* s.data.get());
    }, 2);
    expectKind(dpor(relaxed), 'data-race');
  });

  it('a bit spinlock (test_and_set_bit_lock / clear_bit_unlock) gives mutual exclusion and orders the critical sections', () => {
    const out = new Outcomes();
    const lockModel = (acquire: boolean) => defineModel<{ lock: Field<bigint>; count: Field<number> }, Record<string, never>>({
      name: acquire ? 'linux-test/bit-spinlock' : 'linux-test/bit-spinlock-relaxed', scenarios: { default: {} },
      setup: () => ({ lock: new Field(0n, 'lock_word'), count: new Field(0, 'count') }),
      threads: (s) => [0, 1].map((i) => thread(`t${i}`, function* () {
        // bit_spin_lock: try, and while the bit is held wait for it to clear (a Wait: no spinning ops).
        while (acquire ? yield* test_and_set_bit_lock(7, s.lock) : yield* test_and_set_bit(7, s.lock)) {
          yield op.wait(s.lock.id, 'bit_spin_lock: wait', () => (s.lock.v & BIT_ULL(7)) === 0n, READS_OWN);
        }
        const c = yield* s.count.get();
        yield* s.count.set(c + 1);
        yield* (acquire ? clear_bit_unlock(7, s.lock) : clear_bit(7, s.lock));
      })),
      final: [{ name: 'record', check: (s) => out.record(String(s.count.v)) }],
    });
    expectClean(exhaust(lockModel(true)));
    expect(out.sorted()).toEqual(['2']);
    // Unlocking with the relaxed clear_bit does not publish the critical section: KCSAN reports it.
    expectKind(dpor(lockModel(false)), 'data-race');
  });
});
