// Pointer-valued atomics: a Field<T> holds any value, and xchg / cmpxchg (with their _relaxed /
// _acquire / _release forms) work on pointers by identity; AtomicT holds a 32-bit integer and
// refuses a pointer (or NULL, a string, a fraction) with a usage error instead of silently
// storing 0, wherever the value enters.
import { describe, expect, it } from 'vitest';
import {
  AtomicT, Field, atomic_add, atomic_cmpxchg, atomic_set, atomic_set_release, atomic_xchg, atomic_fetch_or, cmpxchg, cmpxchg_acquire,
  cmpxchg_release, defineModel, smp_load_acquire, thread, xchg, xchg_relaxed, type Op,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface Node { id: number; data: Field<number> }

describe('pointer-valued xchg / cmpxchg on a Field', () => {
  it('two threads cmpxchg(NULL -> their node): exactly one installs it, by identity, in every interleaving', () => {
    const out = new Outcomes();
    const m = defineModel<{ slot: Field<Node | null>; nodes: Node[]; won: boolean[] }, Record<string, never>>({
      name: 'linux-test/ptr-cmpxchg', scenarios: { default: {} },
      setup: () => ({ slot: new Field<Node | null>(null, 'slot'), nodes: [0, 1].map((id) => ({ id, data: new Field(0, `node${id}.data`) })), won: [] }),
      threads: (s) => [0, 1].map((i) => thread(`t${i}`, function* () {
        const me = s.nodes[i] as Node;
        s.won[i] = (yield* cmpxchg(s.slot, null, me)) === null;
      })),
      final: [{ name: 'record', check: (s) => out.record(`${s.won.join(',')}:${s.slot.v?.id ?? 'null'}`) }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['false,true:1', 'true,false:0']);
  });

  it('xchg returns the old pointer; cmpxchg against a different object of equal contents fails', () => {
    let log: unknown[] = [];
    const m = defineModel<{ slot: Field<Node | null>; a: Node; b: Node }, Record<string, never>>({
      name: 'linux-test/ptr-xchg', scenarios: { default: {} },
      setup: () => ({ slot: new Field<Node | null>(null, 'slot'), a: { id: 1, data: new Field(0, 'a.data') }, b: { id: 1, data: new Field(0, 'b.data') } }),
      threads: (s) => [thread('t', function* () {
        const r: unknown[] = [yield* xchg(s.slot, s.a)];
        r.push((yield* xchg_relaxed(s.slot, s.b)) === s.a);
        r.push((yield* cmpxchg_acquire(s.slot, s.a, null)) === s.b, s.slot.v === s.b);
        r.push((yield* cmpxchg_release(s.slot, s.b, null)) === s.b, s.slot.v);
        log = r;
      })],
    });
    expectClean(exhaust(m));
    expect(log).toEqual([null, true, true, true, true, null]);
  });

  it('publishing a node with cmpxchg (fully ordered) orders its initialisation before a reader\'s acquire load', () => {
    const m = (relaxed: boolean) => defineModel<{ slot: Field<Node | null>; n: Node }, Record<string, never>>({
      name: `linux-test/ptr-publish-${relaxed}`, scenarios: { default: {} },
      setup: () => ({ slot: new Field<Node | null>(null, 'slot'), n: { id: 1, data: new Field(0, 'node.data') } }),
      threads: (s) => [thread('writer', function* () {
        yield* s.n.data.set(42);
        if (relaxed) yield* xchg_relaxed(s.slot, s.n);
        else yield* cmpxchg(s.slot, null, s.n);
      }), thread('reader', function* () {
        const p = yield* smp_load_acquire(s.slot);
        if (p !== null) yield* p.data.get();
      })],
    });
    expectClean(exhaust(m(false)));
    expectKind(dpor(m(true)), 'data-race');
  });
});

describe('AtomicT refuses pointers', () => {
  const bad = (name: string, body: (v: AtomicT) => Generator<Op, unknown, unknown>, init: unknown = 0): string => {
    const m = defineModel<{ v: AtomicT }, Record<string, never>>({
      name: `linux-test/atomic-ptr-${name}`, scenarios: { default: {} }, setup: () => ({ v: new AtomicT(init as number, 'counter') }),
      threads: (s) => [thread('t', function* () { yield* body(s.v); })],
    });
    return expectKind(exhaust(m), 'usage').message;
  };
  const node = { id: 1 };
  it('in atomic_set, atomic_xchg, atomic_cmpxchg, the RMWs and the constructor, naming the call', () => {
    expect(bad('set', (v) => atomic_set(v, node as unknown as number, 'publish: atomic_set'))).toMatch(/^T0 \(t\) threw: publish: atomic_set: atomic_t holds a 32-bit integer, but was given a pointer \(an object\); for a pointer use a Field<T> with xchg/);
    expect(bad('set-release', (v) => atomic_set_release(v, null as unknown as number))).toMatch(/given NULL/);
    expect(bad('xchg', (v) => atomic_xchg(v, node as unknown as number))).toMatch(/atomic_xchg: atomic_t holds a 32-bit integer/);
    expect(bad('cmpxchg', (v) => atomic_cmpxchg(v, 0, node as unknown as number))).toMatch(/atomic_cmpxchg: .*pointer/);
    expect(bad('add', (v) => atomic_add('1' as unknown as number, v))).toMatch(/given string 1/);
    expect(bad('or', (v) => atomic_fetch_or(node as unknown as number, v))).toMatch(/atomic_fetch_or: .*pointer/);
    expect(bad('fraction', (v) => atomic_set(v, 1.5))).toMatch(/given number 1\.5/);
    const setupMsg = ((): string => {
      const m = defineModel<{ v: AtomicT }, Record<string, never>>({
        name: 'linux-test/atomic-ptr-ctor', scenarios: { default: {} }, setup: () => ({ v: new AtomicT(node as unknown as number, 'counter') }),
        threads: () => [],
      });
      return expectKind(exhaust(m), 'usage').message;
    })();
    expect(setupMsg).toMatch(/new AtomicT\(counter\): atomic_t holds a 32-bit integer, but was given a pointer/);
  });

  it('integers still wrap at 32 bits as before', () => {
    let got = 0;
    const m = defineModel<{ v: AtomicT }, Record<string, never>>({
      name: 'linux-test/atomic-wrap', scenarios: { default: {} }, setup: () => ({ v: new AtomicT(0x7fffffff, 'v') }),
      threads: (s) => [thread('t', function* () { yield* atomic_add(1, s.v); got = s.v.value; })],
    });
    expectClean(exhaust(m));
    expect(got).toBe(-0x80000000);
  });
});
