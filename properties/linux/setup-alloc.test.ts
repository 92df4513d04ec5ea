// Setup-time allocation and kmemleak annotations (src/linux/slab-setup.ts): a struct allocated in
// setup is a heap block the threads can use and free (with every KASAN check), a leak when nobody
// frees it unless kmemleak_not_leak says it outlives the model, and misuse is a usage error.
import { describe, expect, it } from 'vitest';
import {
  AtomicT, Field, GFP_KERNEL, type KPtr, atomic_dec_and_test, atomic_inc, defineModel, kfree, kmalloc, kmemleak_ignore, kmemleak_not_leak,
  setup_kmalloc, setup_kzalloc, setup_vmalloc, thread, vfree, yieldNow,
} from '../../src/index.js';
import { buildReport } from '../../src/report/index.js';
import { exhaust, expectClean, expectKind } from './helpers.js';

interface Dev { refs: AtomicT; name: Field<string> }
interface S { dev: KPtr<Dev> }

/** A device struct allocated at probe time (setup); two users drop their references. */
function devModel(opts: { free: boolean; notLeak?: boolean; extraGet?: boolean }) {
  return defineModel<S, Record<string, never>>({
    name: `linux-test/setup-alloc-${opts.free}-${opts.notLeak ?? false}-${opts.extraGet ?? false}`, scenarios: { default: {} },
    setup: () => {
      const dev = setup_kzalloc<Dev>('my_dev', (b) => ({ refs: new AtomicT(opts.extraGet ? 1 : 2, 'refs', b), name: new Field('eth0', 'name', b) }), 'probe: kzalloc(my_dev)');
      if (opts.notLeak) kmemleak_not_leak(dev);
      return { dev };
    },
    threads: (s) => [0, 1].map((i) => thread(`user${i}`, function* () {
      if (opts.extraGet && i === 1) yield* atomic_inc(s.dev.refs, 'get');
      yield* s.dev.name.get(`user${i}: read dev->name`);
      if ((yield* atomic_dec_and_test(s.dev.refs, `user${i}: put`)) && opts.free) yield* kfree(s.dev, `user${i}: kfree(dev)`);
    })),
  });
}

describe('setup_kmalloc / setup_kzalloc / setup_vmalloc', () => {
  it('a struct allocated before the threads start: freed by the last put, nothing reported', () => {
    expectClean(exhaust(devModel({ free: true })));
  });

  it('never freed: a leak whose allocation site says it was setup', () => {
    const v = expectKind(exhaust(devModel({ free: false })), 'leak');
    expect(v.object?.allocated).toMatchObject({ thread: -1, step: -1, label: 'probe: kzalloc(my_dev)' });
    expect(v.threads).toEqual([]);
    expect(v.title).toBe('unreferenced object kmalloc my_dev (kmemleak)');
  });

  it('freed while the other thread still uses it: KASAN use-after-free; the report names the setup allocation', () => {
    const r = exhaust(devModel({ free: true, extraGet: true }));
    const v = expectKind(r, 'use-after-free');
    expect(v.message).toMatch(/accessed my_dev\.(refs|name) \(kmalloc\) after it was freed/);
    const rep = buildReport(devModel({ free: true, extraGet: true }), r.finding?.token ?? '');
    expect(rep.violation.object?.allocated?.label).toBe('probe: kzalloc(my_dev)');
  });

  it('kmemleak_not_leak: an object meant to outlive the model is not reported; freeing it is still checked', () => {
    expectClean(exhaust(devModel({ free: false, notLeak: true })));
    expectClean(exhaust(devModel({ free: true, notLeak: true })));
    const twice = defineModel<{ p: KPtr<{ x: Field<number> }> }, Record<string, never>>({
      name: 'linux-test/not-leak-double-free', scenarios: { default: {} },
      setup: () => {
        const p = setup_kmalloc('cache', (b) => ({ x: new Field(0, 'x', b) }));
        kmemleak_ignore(p);
        return { p };
      },
      threads: (s) => [thread('t', function* () {
        yield* kfree(s.p);
        yield* kfree(s.p);
      })],
    });
    expectKind(exhaust(twice), 'double-free');
  });

  it('a thread-allocated object marked with kmemleak_not_leak is not a leak either; other leaks still are', () => {
    const m = (mark: boolean) => defineModel<{ n: number }, Record<string, never>>({
      name: `linux-test/not-leak-thread-${mark}`, scenarios: { default: {} }, setup: () => ({ n: 0 }),
      threads: () => [thread('t', function* () {
        const keep = yield* kmalloc('global_table', GFP_KERNEL);
        if (mark) kmemleak_not_leak(keep);
        yield* kmalloc('forgotten', GFP_KERNEL);
      })],
    });
    expect(expectKind(exhaust(m(true)), 'leak').message).toMatch(/1 heap object\(s\).*forgotten/);
    expect(expectKind(exhaust(m(false)), 'leak').message).toMatch(/2 heap object\(s\)/);
  });

  it('misuse is a usage error: setup_kmalloc in a thread, kmemleak_not_leak of something that is not a live block', () => {
    const inThread = defineModel<{ n: number }, Record<string, never>>({
      name: 'linux-test/setup-alloc-in-thread', scenarios: { default: {} }, setup: () => ({ n: 0 }),
      threads: () => [thread('t', function* () {
        yield* yieldNow();
        setup_kmalloc('late');
      })],
    });
    expect(expectKind(exhaust(inThread), 'usage').message).toMatch(/setup_kmalloc\('late'\) is for a model's setup\(\); in thread code use yield\* kmalloc/);
    const notLive = defineModel<{ f: Field<number> }, Record<string, never>>({
      name: 'linux-test/not-leak-bad', scenarios: { default: {} }, setup: () => ({ f: new Field(0, 'f') }),
      threads: (s) => [thread('t', function* () {
        const p = yield* kmalloc('x', GFP_KERNEL);
        yield* kfree(p);
        kmemleak_not_leak(p);
        kmemleak_not_leak(s.f as unknown as { kblock: number });
      })],
    });
    expect(expectKind(exhaust(notLive), 'usage').message).toMatch(/kmemleak_not_leak\(\) needs a live kmalloc\/vmalloc pointer/);
  });

  it('setup_vmalloc pairs with vfree; kfree of it is an invalid free', () => {
    const m = (useVfree: boolean) => defineModel<{ p: KPtr<object> }, Record<string, never>>({
      name: `linux-test/setup-vmalloc-${useVfree}`, scenarios: { default: {} }, setup: () => ({ p: setup_vmalloc('vbuf') }),
      threads: (s) => [thread('t', function* () { yield* (useVfree ? vfree(s.p) : kfree(s.p)); })],
    });
    expectClean(exhaust(m(true)));
    expectKind(exhaust(m(false)), 'invalid-free');
  });
});
