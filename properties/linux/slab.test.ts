// kmalloc / vmalloc contracts and the KASAN / kmemleak sanitizers: failure injection as explored
// choose points (off by default, on per scenario), an error path that leaks only when the second
// allocation fails, double free and use-after-free reached only on some interleavings.
import { describe, expect, it } from 'vitest';
import {
  ENOMEM, Field, GFP_ATOMIC, GFP_KERNEL, type KPtr, SpinlockT, __GFP_NOFAIL, defineModel, kernelConfig, kfree,
  kmalloc, kvfree, setKernelDefaults, spin_lock, spin_unlock, thread, vfree, vmalloc, Completion, complete, spawn,
  wait_for_completion, op,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface Pair { a: Field<number> }
interface P { failAllocs: boolean; [k: string]: boolean }

/** probe(): two allocations; the posted error path forgets to free the first. */
function probeModel(fixed: boolean, out: Outcomes) {
  return defineModel<{ ret: number }, P>({
    name: fixed ? 'linux-test/slab-probe-fixed' : 'linux-test/slab-probe-posted',
    scenarios: { inject: { failAllocs: true }, reliable: { failAllocs: false } },
    setup: (p) => {
      kernelConfig({ failAllocs: p.failAllocs });
      return { ret: 1 };
    },
    threads: (s) => [thread('probe', function* () {
      const a = yield* kmalloc<Pair>('ctx', GFP_KERNEL, (b) => ({ a: new Field(0, 'a', b) }), 'probe: ctx = kzalloc');
      if (a === null) { s.ret = -ENOMEM; return; }
      const bm = yield* kmalloc('bitmap', GFP_KERNEL, undefined, 'probe: bitmap = kzalloc');
      if (bm === null) {
        if (fixed) yield* kfree(a, 'probe: err: kfree(ctx)');
        s.ret = -ENOMEM;
        return;
      }
      s.ret = 0;
      yield* kfree(bm);
      yield* kfree(a);
    })],
    final: [{ name: 'record', check: (s) => out.record(String(s.ret)) }],
  });
}

describe('allocation failure injection', () => {
  it('is off by default: one execution, allocation succeeds', () => {
    const out = new Outcomes();
    const r = exhaust(probeModel(true, out), 'reliable');
    expectClean(r);
    expect(r.executions).toBe(1);
    expect(out.sorted()).toEqual(['0']);
  });
  it('switched on per scenario, every failure point is explored', () => {
    const out = new Outcomes();
    const r = exhaust(probeModel(true, out), 'inject');
    expectClean(r);
    expect(r.executions).toBe(3);
    expect(out.sorted()).toEqual(['-12', '0']);
  });
  it('the posted error path leaks the first allocation when only the second fails', () => {
    const v = expectKind(exhaust(probeModel(false, new Outcomes()), 'inject'), 'leak');
    expect(v.title).toBe('unreferenced object kmalloc ctx (kmemleak)');
    expect(v.sites[0]?.label).toBe('probe: ctx = kzalloc');
  });
  it('setKernelDefaults switches injection on for a whole run; kernelConfig in setup still wins', () => {
    setKernelDefaults({ failAllocs: true });
    try {
      const m = defineModel<{ n: number }, { cfg: string; [k: string]: string }>({
        name: 'linux-test/slab-run-default',
        scenarios: { inherit: { cfg: 'inherit' }, off: { cfg: 'off' } },
        setup: (p) => { if (p.cfg === 'off') kernelConfig({ failAllocs: false }); return { n: 0 }; },
        threads: () => [thread('t', function* () { yield* kfree(yield* kmalloc('x', GFP_KERNEL)); })],
      });
      expect(exhaust(m, 'inherit').executions).toBe(2);
      expect(exhaust(m, 'off').executions).toBe(1);
    } finally {
      setKernelDefaults({ failAllocs: false });
    }
  });
  it('__GFP_NOFAIL allocations are never failed', () => {
    const m = defineModel<Record<string, never>, Record<string, never>>({
      name: 'linux-test/slab-nofail',
      scenarios: { default: {} },
      setup: () => { kernelConfig({ failAllocs: true }); return {}; },
      threads: () => [thread('t', function* () {
        const p = yield* kmalloc('x', GFP_KERNEL | __GFP_NOFAIL);
        if (p === null) throw new Error('NOFAIL allocation failed');
        yield* kfree(p);
      })],
    });
    const r = exhaust(m);
    expectClean(r);
    expect(r.executions).toBe(1);
  });
});

interface Slot { slot: Field<KPtr<Pair> | null>; lock: SpinlockT }

function releaseModel(locked: boolean) {
  return defineModel<Slot, Record<string, never>>({
    name: locked ? 'linux-test/slab-release-locked' : 'linux-test/slab-release-racy',
    scenarios: { default: {} },
    setup: () => ({ slot: new Field<KPtr<Pair> | null>(null, 'dev->buf'), lock: new SpinlockT('dev_lock') }),
    threads: (s) => [
      thread('open', function* () {
        const p = yield* kmalloc<Pair>('buf', GFP_KERNEL, (b) => ({ a: new Field(0, 'a', b) }), 'open: kmalloc');
        yield* s.slot.setOnce(p, 'open: dev->buf = p');
        yield* releaser(s, 0);
      }),
      thread('release', function* () { yield* releaser(s, 1); }),
    ],
  });
  function* releaser(s: Slot, i: number) {
    if (locked) yield* spin_lock(s.lock);
    const p = yield* s.slot.once(`release${i}: p = dev->buf`);
    if (p !== null) {
      yield* s.slot.setOnce(null, `release${i}: dev->buf = NULL`);
      if (locked) yield* spin_unlock(s.lock);
      yield* kfree(p, `release${i}: kfree(p)`);
      return;
    }
    if (locked) yield* spin_unlock(s.lock);
  }
}

describe('KASAN', () => {
  it('an unlocked check-then-free frees twice on some interleaving, with both sites', () => {
    const v = expectKind(dpor(releaseModel(false)), 'double-free');
    expect(v.title).toMatch(/^BUG: KASAN: double-free in release/);
    expect(v.object?.allocated?.label).toBe('open: kmalloc');
    expect(v.sites.map((x) => x.label).every((l) => l.endsWith('kfree(p)'))).toBe(true);
    expectClean(exhaust(releaseModel(true)));
  });
  it('use after free names the access, the allocation and the free', () => {
    const m = defineModel<Slot, Record<string, never>>({
      name: 'linux-test/slab-uaf',
      scenarios: { default: {} },
      setup: () => ({ slot: new Field<KPtr<Pair> | null>(null, 'dev->buf'), lock: new SpinlockT('dev_lock') }),
      threads: (s) => [
        thread('owner', function* () {
          const p = yield* kmalloc<Pair>('buf', GFP_KERNEL, (b) => ({ a: new Field(0, 'a', b) }), 'owner: kmalloc');
          yield* s.slot.setOnce(p);
          yield* s.slot.setOnce(null);
          yield* kfree(p, 'owner: kfree');
        }),
        thread('user', function* () {
          const p = yield* s.slot.once();
          if (p !== null) yield* p.a.get('user: read p->a');
        }),
      ],
    });
    const v = expectKind(exhaust(m), 'use-after-free');
    expect(v.title).toBe('BUG: KASAN: use-after-free in user');
    expect(v.object?.name).toBe('buf.a');
    expect(v.object?.allocated?.label).toBe('owner: kmalloc');
    expect(v.object?.freed?.label).toBe('owner: kfree');
  });
  it('kfree(NULL) is a no-op; kfree of vmalloc memory and of a non-heap object are invalid frees', () => {
    const mk = (what: 'null' | 'vmalloc' | 'static' | 'kvfree') => defineModel<{ f: Field<number> }, Record<string, never>>({
      name: `linux-test/slab-free-${what}`,
      scenarios: { default: {} },
      setup: () => ({ f: new Field(0, 'static_buf') }),
      threads: (s) => [thread('t', function* () {
        if (what === 'null') yield* kfree(null);
        else if (what === 'static') yield* kfree(s.f as unknown as { kblock?: number });
        else {
          const p = yield* vmalloc('area');
          if (what === 'kvfree') yield* kvfree(p);
          else { yield* kfree(p, 't: kfree(vmalloc area)'); yield* vfree(p); }
        }
      })],
    });
    expectClean(exhaust(mk('null')));
    expectClean(exhaust(mk('kvfree')));
    expect(expectKind(exhaust(mk('vmalloc')), 'invalid-free').message).toContain('allocated by vmalloc()');
    expectKind(exhaust(mk('static')), 'invalid-free');
  });
  it('a buffer from kmalloc or vmalloc (size set by another thread) freed with kfree: invalid free on one path; kvfree twin clean', () => {
    const mk = (fixed: boolean) => defineModel<{ size: Field<number> }, Record<string, never>>({
      name: `linux-test/slab-kv-${fixed ? 'fixed' : 'posted'}`,
      scenarios: { default: {} },
      setup: () => ({ size: new Field(64, 'req_size') }),
      threads: (s) => [
        thread('alloc', function* () {
          const big = (yield* s.size.once()) > 4096;
          const p = big ? yield* vmalloc('table', undefined, 'alloc: vmalloc') : yield* kmalloc('table', GFP_KERNEL, undefined, 'alloc: kmalloc');
          if (fixed) yield* kvfree(p, 'alloc: kvfree');
          else yield* kfree(p, 'alloc: kfree');
        }),
        thread('resize', function* () { yield* s.size.setOnce(1 << 20); }),
      ],
    });
    const v = expectKind(dpor(mk(false)), 'invalid-free');
    expect(v.message).toContain('allocated by vmalloc()');
    expectClean(exhaust(mk(true)));
  });
  it('kfree of a struct whose lock another thread holds is "held lock freed!"; waiting for the user first is clean', () => {
    interface Dev { lock: SpinlockT; data: Field<number> }
    const mk = (fixed: boolean) => defineModel<{ done: Completion; busy: Field<boolean> }, Record<string, never>>({
      name: `linux-test/slab-held-lock-freed-${fixed ? 'fixed' : 'posted'}`,
      scenarios: { default: {} },
      setup: () => ({ done: new Completion('user_done'), busy: new Field(false, 'busy') }),
      threads: (s) => [
        thread('remove', function* () {
          const d = yield* kmalloc<Dev>('dev', GFP_KERNEL, (b) => ({ lock: new SpinlockT('dev->lock', b), data: new Field(0, 'data', b) }));
          if (d === null) return;
          yield* spawn(function* () {
            yield* spin_lock(d.lock, 'user: spin_lock(&dev->lock)');
            yield* s.busy.setOnce(true, 'user: busy = 1');
            yield* d.data.set(1);
            yield* spin_unlock(d.lock);
            yield* complete(s.done);
          }, 'user');
          // Posted: the remover only waits for the device to be in use, not for the user to finish.
          yield op.wait(s.busy.id, 'remove: wait until busy', () => s.busy.v);
          if (fixed) yield* wait_for_completion(s.done);
          yield* kfree(d, 'remove: kfree(dev)');
        }),
      ],
    });
    const v = expectKind(exhaust(mk(false)), 'lock-misuse');
    expect(v.title).toBe('WARNING: held lock freed!');
    expect(v.message).toContain("holds dev.dev->lock inside it (taken at 'user: spin_lock(&dev->lock)')");
    expectClean(exhaust(mk(true)));
  });
  it('GFP_ATOMIC allocations may fail too when injection is on', () => {
    const m = defineModel<{ n: number }, Record<string, never>>({
      name: 'linux-test/slab-atomic-fail',
      scenarios: { default: {} },
      setup: () => { kernelConfig({ failAllocs: true }); return { n: 0 }; },
      threads: (s) => [thread('t', function* () {
        const p = yield* kmalloc('x', GFP_ATOMIC);
        if (p !== null) { s.n++; yield* kfree(p); }
      })],
    });
    expect(exhaust(m).executions).toBe(2);
  });
});
