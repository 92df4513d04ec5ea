// Module refcount: the 2.4 MOD_INC_USE_COUNT race (unload between the call into the module and
// the increment) is a use-after-free of the module found on an interleaving; the 2.6
// try_module_get-before-the-call twin is clean; delete_module's outcomes are -EBUSY or 0.
import { describe, expect, it } from 'vitest';
import {
  EBUSY, ENODEV, MOD_DEC_USE_COUNT, MOD_INC_USE_COUNT, Module, defineModel, delete_module, module_call, module_put,
  try_module_get, thread, GFP_KERNEL, SpinlockT, spin_lock, spin_unlock, kmalloc, kfree, type KPtr, Field,
} from '../../src/index.js';
import { Outcomes, exhaust, expectClean, expectKind } from './helpers.js';

interface M { mod: Module; open: number; rmmod: number; lock: SpinlockT; registered: Field<boolean> }

function driverModel(fixed: boolean, out: Outcomes) {
  return defineModel<M, Record<string, never>>({
    name: fixed ? 'linux-test/module-try-get' : 'linux-test/module-mod-inc',
    scenarios: { default: {} },
    setup: () => {
      const lock = new SpinlockT('chrdevs_lock');
      const registered = new Field(true, 'chrdev registered');
      // module_exit unregisters the device under the lookup lock, as unregister_chrdev does.
      const mod = new Module('kvmap_sample', function* () {
        yield* spin_lock(lock, 'sample_exit: spin_lock');
        yield* registered.set(false, 'sample_exit: unregister_chrdev');
        yield* spin_unlock(lock, 'sample_exit: spin_unlock');
      });
      return { mod, open: 1, rmmod: 1, lock, registered };
    },
    threads: (s) => [
      thread('open', function* () {
        if (fixed) {
          // chrdev_open: look the device up and pin its module under the lookup lock.
          yield* spin_lock(s.lock, 'chrdev_open: spin_lock');
          const ok = (yield* s.registered.get('chrdev_open: lookup')) && (yield* try_module_get(s.mod, 'chrdev_open: try_module_get(fops->owner)'));
          yield* spin_unlock(s.lock, 'chrdev_open: spin_unlock');
          if (!ok) {
            s.open = -ENODEV;
            return;
          }
        }
        yield* module_call(s.mod, 'sample_open: enter module code');
        if (!fixed) yield* MOD_INC_USE_COUNT(s.mod, 'sample_open: MOD_INC_USE_COUNT');
        s.open = 0;
        if (!fixed) yield* MOD_DEC_USE_COUNT(s.mod, 'sample_release: MOD_DEC_USE_COUNT');
        else yield* module_put(s.mod, 'fput: module_put(fops->owner)');
      }),
      thread('rmmod', function* () { s.rmmod = yield* delete_module(s.mod, 'rmmod'); }),
    ],
    final: [{ name: 'record', check: (s) => out.record(`open=${s.open} rmmod=${s.rmmod}`) }],
  });
}

describe('module refcount', () => {
  it('MOD_INC_USE_COUNT after the call into the module races with unload: use-after-free', () => {
    const v = expectKind(exhaust(driverModel(false, new Outcomes())), 'use-after-free');
    expect(v.object?.freed?.label).toBe('rmmod: free_module(kvmap_sample)');
    expect(v.sites[0]?.label).toMatch(/^sample_open/);
  });
  it('try_module_get before the call: clean; unload gets -EBUSY or open gets -ENODEV', () => {
    const out = new Outcomes();
    expectClean(exhaust(driverModel(true, out)));
    expect(out.sorted()).toEqual([`open=${-ENODEV} rmmod=0`, `open=0 rmmod=${-EBUSY}`, 'open=0 rmmod=0']);
  });
  it('module_put without a get is a use count underflow', () => {
    const m = defineModel<{ mod: Module }, Record<string, never>>({
      name: 'linux-test/module-put-underflow',
      scenarios: { default: {} },
      setup: () => ({ mod: new Module('m') }),
      threads: (s) => [thread('t', function* () { yield* module_put(s.mod, 't: module_put'); })],
    });
    expect(expectKind(exhaust(m), 'refcount').title).toContain('use count underflow');
  });
  it('unload runs module_exit, which may free the module\'s allocations; unloading twice is -ENOENT', () => {
    const out = new Outcomes();
    const m = defineModel<{ mod: Module; buf: KPtr<{ f: Field<number> }> | null; r: number[] }, Record<string, never>>({
      name: 'linux-test/module-exit',
      scenarios: { default: {} },
      setup: () => {
        const s: { mod: Module; buf: KPtr<{ f: Field<number> }> | null; r: number[] } = { mod: null as unknown as Module, buf: null, r: [] };
        s.mod = new Module('m', function* () { yield* kfree(s.buf, 'm_exit: kfree(buf)'); });
        return s;
      },
      threads: (s) => [thread('t', function* () {
        s.buf = yield* kmalloc('buf', GFP_KERNEL, (b) => ({ f: new Field(0, 'f', b) }));
        s.r.push(yield* delete_module(s.mod), yield* delete_module(s.mod));
      })],
      final: [{ name: 'record', check: (s) => out.record(s.r.join(',')) }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['0,-2']);
  });
});
