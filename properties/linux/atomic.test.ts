// atomic_t contracts, litmus style: the set of outcomes exhaustive DFS reaches. Each helper is one
// op, so `atomic_sub(); atomic_read()` has a window (seed 000's bug) and `atomic_sub_return` has none.
import { describe, expect, it } from 'vitest';
import {
  AtomicT, atomic_add_unless, atomic_cmpxchg, atomic_dec_and_test, atomic_inc_not_zero, atomic_read, atomic_sub,
  atomic_sub_return, atomic_xchg, defineModel, thread,
} from '../../src/index.js';
import { Outcomes, exhaust } from './helpers.js';

function subModel(out: Outcomes, fused: boolean) {
  return defineModel<{ used: AtomicT; r: number[] }, Record<string, never>>({
    name: fused ? 'linux-test/atomic-sub-return' : 'linux-test/atomic-sub-then-read',
    scenarios: { default: {} },
    setup: () => ({ used: new AtomicT(2, 'used'), r: [-1, -1] }),
    threads: (s) => [0, 1].map((i) => thread(`put${i}`, function* () {
      if (fused) s.r[i] = yield* atomic_sub_return(1, s.used, `put${i}: atomic_sub_return(1, used)`);
      else {
        yield* atomic_sub(1, s.used, `put${i}: atomic_sub(1, used)`);
        s.r[i] = yield* atomic_read(s.used, `put${i}: atomic_read(used)`);
      }
    })),
    final: [{ name: 'record', check: (s) => out.record(s.r.join(',')) }],
  });
}

describe('atomic_t', () => {
  it('atomic_sub then atomic_read: both threads can see 0 (two ops, a window)', () => {
    const out = new Outcomes();
    const r = exhaust(subModel(out, false));
    expect(out.sorted()).toEqual(['0,0', '0,1', '1,0']);
    expect(r.executions).toBe(6); // C(4,2) interleavings of 2 + 2 ops on one object
  });
  it('atomic_sub_return: exactly one thread sees 0 (one op)', () => {
    const out = new Outcomes();
    const r = exhaust(subModel(out, true));
    expect(out.sorted()).toEqual(['0,1', '1,0']);
    expect(r.executions).toBe(2);
  });

  it('atomic_inc_not_zero vs atomic_dec_and_test: a get after the last put fails', () => {
    const out = new Outcomes();
    const m = defineModel<{ v: AtomicT; got: boolean; zero: boolean }, Record<string, never>>({
      name: 'linux-test/atomic-inc-not-zero',
      scenarios: { default: {} },
      setup: () => ({ v: new AtomicT(1, 'count'), got: false, zero: false }),
      threads: (s) => [
        thread('put', function* () { s.zero = yield* atomic_dec_and_test(s.v); }),
        thread('get', function* () { s.got = yield* atomic_inc_not_zero(s.v); }),
      ],
      final: [{ name: 'record', check: (s) => out.record(`zero=${s.zero} got=${s.got} count=${s.v.value}`) }],
    });
    exhaust(m);
    expect(out.sorted()).toEqual(['zero=false got=true count=1', 'zero=true got=false count=0']);
  });

  it('a cmpxchg retry loop loses no increment (3 threads)', () => {
    const out = new Outcomes();
    const m = defineModel<{ v: AtomicT }, Record<string, never>>({
      name: 'linux-test/atomic-cmpxchg-loop',
      scenarios: { default: {} },
      setup: () => ({ v: new AtomicT(0, 'count') }),
      threads: (s) => [0, 1, 2].map((i) => thread(`inc${i}`, function* () {
        for (;;) {
          const old = yield* atomic_read(s.v);
          if ((yield* atomic_cmpxchg(s.v, old, old + 1)) === old) return;
        }
      })),
      final: [{ name: 'record', check: (s) => out.record(String(s.v.value)) }],
    });
    const r = exhaust(m);
    expect(out.sorted()).toEqual(['3']);
    expect(r.executions).toBeGreaterThan(6);
  });

  it('xchg hands the old value to exactly one taker; add_unless stops at the limit', () => {
    const out = new Outcomes();
    const m = defineModel<{ slot: AtomicT; lim: AtomicT; took: number[]; added: boolean[] }, Record<string, never>>({
      name: 'linux-test/atomic-xchg',
      scenarios: { default: {} },
      setup: () => ({ slot: new AtomicT(7, 'slot'), lim: new AtomicT(1, 'lim'), took: [0, 0], added: [false, false] }),
      threads: (s) => [0, 1].map((i) => thread(`t${i}`, function* () {
        s.took[i] = yield* atomic_xchg(s.slot, 0);
        s.added[i] = yield* atomic_add_unless(s.lim, 1, 2);
      })),
      final: [{ name: 'record', check: (s) => out.record(`${s.took.join(',')} ${s.added.join(',')} lim=${s.lim.value}`) }],
    });
    exhaust(m);
    expect(out.sorted()).toEqual(['0,7 false,true lim=2', '0,7 true,false lim=2', '7,0 false,true lim=2', '7,0 true,false lim=2']);
  });

  it('values wrap as a 32-bit int', () => {
    const out = new Outcomes();
    const m = defineModel<{ v: AtomicT }, Record<string, never>>({
      name: 'linux-test/atomic-wrap',
      scenarios: { default: {} },
      setup: () => ({ v: new AtomicT(0x7fffffff, 'v') }),
      threads: (s) => [thread('t', function* () { yield* atomic_sub(-1, s.v); })],
      final: [{ name: 'record', check: (s) => out.record(String(s.v.value)) }],
    });
    exhaust(m);
    expect(out.sorted()).toEqual(['-2147483648']);
  });
});
