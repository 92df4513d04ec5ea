// C integer conversions (checked against BigInt arithmetic with fast-check), error pointers, and
// WARN_ON / BUG_ON as violations with the kernel's titles, reached on one interleaving.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUG_ON, ENOMEM, ERR_CAST, ERR_PTR, Field, IS_ERR, IS_ERR_OR_NULL, IS_ERR_VALUE, PTR_ERR, UsageError, WARN_ON,
  defineModel, deref, misuse, yieldNow, s32, s64, s8, shl, thread, u16, u32, u64, u8, ulong, slong, ALIGN, ALIGN_DOWN,
} from '../../src/index.js';
import { dpor, exhaust, expectClean, expectKind } from './helpers.js';

describe('C integer helpers', () => {
  it('s32 / u32 / u8 / s8 / u16 wrap modulo 2^N like C (fast-check vs BigInt)', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (x) => {
      const b = BigInt(x);
      expect(s32(x)).toBe(Number(BigInt.asIntN(32, b)));
      expect(u32(x)).toBe(Number(BigInt.asUintN(32, b)));
      expect(u8(x)).toBe(Number(BigInt.asUintN(8, b)));
      expect(s8(x)).toBe(Number(BigInt.asIntN(8, b)));
      expect(u16(x)).toBe(Number(BigInt.asUintN(16, b)));
      expect(u64(x)).toBe(BigInt.asUintN(64, b));
      expect(s64(x)).toBe(BigInt.asIntN(64, b));
    }));
  });
  it('int truncation of a page-count shift is visible (seed-style `int size = nr << PAGE_SHIFT`)', () => {
    expect(s32(0x80000 * 4096)).toBe(-2147483648);
    expect(ulong(-1, 32)).toBe(0xffffffff);
    expect(slong(0xffffffff, 32)).toBe(-1);
    expect(shl(1, 32, 32)).toBe(0n);
    expect(ALIGN(4097, 4096)).toBe(8192);
    expect(ALIGN_DOWN(4097, 4096)).toBe(4096);
  });
  it('refuses inexact numbers instead of rounding', () => {
    expect(() => ulong(-1)).toThrow(UsageError); // 2^64 - 1 does not fit a JS number
    expect(() => u32(2 ** 60)).toThrow(/BigInt/);
    expect(() => s32(1.5)).toThrow(/not an integer/);
    expect(u32(2n ** 60n + 5n)).toBe(5);
  });
});

describe('error pointers', () => {
  it('ERR_PTR round-trips and is told apart from real pointers and NULL', () => {
    const e = ERR_PTR(-ENOMEM);
    expect(IS_ERR(e)).toBe(true);
    expect(PTR_ERR(e)).toBe(-12);
    expect(IS_ERR(ERR_CAST(e))).toBe(true);
    expect(IS_ERR({})).toBe(false);
    expect(IS_ERR_OR_NULL(null)).toBe(true);
    expect(IS_ERR_OR_NULL({})).toBe(false);
    expect(IS_ERR_VALUE(-12)).toBe(true);
    expect(IS_ERR_VALUE(-5000)).toBe(false);
  });
});

function warnModel(kind: 'warn' | 'bug', buggy: boolean) {
  return defineModel<{ state: Field<number> }, Record<string, never>>({
    name: `linux-test/${kind}-${buggy ? 'posted' : 'fixed'}`,
    scenarios: { default: {} },
    setup: () => ({ state: new Field(0, 'state') }),
    threads: (s) => [
      // Posted: publishes a half-initialised state (1) before the final one (2); fixed: only the final.
      thread('activate', function* () { if (buggy) yield* s.state.setOnce(1); yield* s.state.setOnce(2); }),
      thread('use', function* () {
        const v = yield* s.state.once();
        const half = v === 1;
        if (kind === 'warn') WARN_ON(half, 'vcm_activate.c:120');
        else BUG_ON(half, 'vcm_activate.c:121');
      }),
    ],
  });
}

describe('WARN_ON / BUG_ON', () => {
  it('WARN_ON that fires on one interleaving is an assertion with the kernel title', () => {
    const v = expectKind(dpor(warnModel('warn', true)), 'assertion');
    expect(v.title).toBe('WARNING: CPU: 0 PID: 1 at vcm_activate.c:120');
  });
  it('BUG_ON likewise, with `kernel BUG at <label>!`', () => {
    const v = expectKind(dpor(warnModel('bug', true)), 'assertion');
    expect(v.title).toBe('kernel BUG at vcm_activate.c:121!');
  });
  it('the twins that never publish the half state are clean', () => {
    expectClean(exhaust(warnModel('warn', false)));
    expectClean(exhaust(warnModel('bug', false)));
  });
});

describe('misuse(): a WARN earned by a deliberate misuse is the answer to the caller, not a finding', () => {
  // The body WARNs, then (when `oops`) dereferences NULL: the oops is still a finding, and the WARN
  // printed before it still reaches the sink.
  const misuser = (oops: boolean, sink: string[]) => defineModel<Record<string, never>, Record<string, never>>({
    name: `linux-test/misuse-sink-${oops}`,
    scenarios: { default: {} },
    setup: () => ({}),
    threads: () => [thread('caller', function* () {
      const r = yield* misuse('caller: free(0 bytes)', (function* () {
        yield* yieldNow('free: enter');
        WARN_ON(true, 'free: WARN_ON(!size)');
        if (oops) deref<{ x: number }>(null, 'free: p->x');
        return 7;
      })(), sink);
      expect(r).toEqual({ result: 7, warnings: ['WARN_ON(free: WARN_ON(!size))'] });
    })],
  });
  it('the WARN is returned and put in the sink; nothing is reported', () => {
    const sink: string[] = [];
    expectClean(exhaust(misuser(false, sink)));
    expect(sink).toContain('caller: free(0 bytes): WARN_ON(free: WARN_ON(!size))');
  });
  it('an oops inside the misuse is a finding, and the WARN before it still reaches the sink', () => {
    const sink: string[] = [];
    expectKind(exhaust(misuser(true, sink)), 'page-fault');
    expect(sink).toContain('caller: free(0 bytes): WARN_ON(free: WARN_ON(!size))');
  });
});
