// refcount_t / kref sanitizer: each misuse is reached only through an interleaving (an unlocked
// check-then-act), found by DPOR; the corrected twin must pass exhaustive DFS.
import { describe, expect, it } from 'vitest';
import {
  Field, GFP_KERNEL, Kref, type KPtr, REFCOUNT_MAX, RefcountT, SpinlockT, defineModel, kfree, kmalloc, kref_get,
  kref_get_unless_zero, kref_put, refcount_dec_and_test, refcount_inc, refcount_inc_not_zero, refcount_read,
  refcount_set, spin_lock, spin_unlock, thread, check, KMutex, mutex_lock, mutex_unlock, kref_put_mutex, kernelExitCheck,
} from '../../src/index.js';
import { dpor, exhaust, expectClean, expectKind } from './helpers.js';

/** Lookup-then-get on an object whose last put may run concurrently. */
function getModel(safe: boolean) {
  return defineModel<{ r: RefcountT; got: boolean }, Record<string, never>>({
    name: safe ? 'linux-test/refcount-inc-not-zero' : 'linux-test/refcount-check-then-inc',
    scenarios: { default: {} },
    setup: () => ({ r: new RefcountT(1, 'obj->ref'), got: false }),
    threads: (s) => [
      thread('put', function* () { yield* refcount_dec_and_test(s.r, 'put: refcount_dec_and_test'); }),
      thread('get', function* () {
        if (safe) s.got = yield* refcount_inc_not_zero(s.r, 'get: refcount_inc_not_zero');
        else if ((yield* refcount_read(s.r, 'get: refcount_read')) > 0) {
          yield* refcount_inc(s.r, 'get: refcount_inc');
          s.got = true;
        }
      }),
    ],
  });
}

/** Two "put if still referenced" threads: both see 1, both decrement. */
function putModel(locked: boolean) {
  return defineModel<{ r: RefcountT; l: SpinlockT }, Record<string, never>>({
    name: locked ? 'linux-test/refcount-put-locked' : 'linux-test/refcount-put-unlocked',
    scenarios: { default: {} },
    setup: () => ({ r: new RefcountT(1, 'ref'), l: new SpinlockT('ref_lock') }),
    threads: (s) => [0, 1].map((i) => thread(`put${i}`, function* () {
      if (locked) yield* spin_lock(s.l);
      if ((yield* refcount_read(s.r)) > 0) yield* refcount_dec_and_test(s.r, `put${i}: refcount_dec_and_test`);
      if (locked) yield* spin_unlock(s.l);
    })),
  });
}

/** Two "inc if below the limit" threads starting one below REFCOUNT_MAX. */
function satModel(locked: boolean) {
  return defineModel<{ r: RefcountT; l: SpinlockT }, Record<string, never>>({
    name: locked ? 'linux-test/refcount-sat-locked' : 'linux-test/refcount-sat-unlocked',
    scenarios: { default: {} },
    setup: () => ({ r: new RefcountT(REFCOUNT_MAX - 1, 'ref'), l: new SpinlockT('ref_lock') }),
    threads: (s) => [0, 1].map((i) => thread(`get${i}`, function* () {
      if (locked) yield* spin_lock(s.l);
      if ((yield* refcount_read(s.r)) < REFCOUNT_MAX) yield* refcount_inc(s.r, `get${i}: refcount_inc`);
      if (locked) yield* spin_unlock(s.l);
    })),
  });
}

describe('refcount_t', () => {
  it('increment from 0 after an unlocked check is found, with the kernel title', () => {
    const v = expectKind(dpor(getModel(false)), 'refcount');
    expect(v.title).toBe('refcount_t: addition on 0; use-after-free.');
    expect(v.sites[0]?.label).toBe('get: refcount_inc');
  });
  it('refcount_inc_not_zero twin is clean, and both outcomes are reachable', () => {
    expectClean(exhaust(getModel(true)));
  });
  it('underflow from a double put is found; the locked twin is clean', () => {
    const v = expectKind(dpor(putModel(false)), 'refcount');
    expect(v.title).toBe('refcount_t: underflow; use-after-free.');
    expectClean(exhaust(putModel(true)));
  });
  it('saturation past INT_MAX is found; the locked twin is clean', () => {
    const v = expectKind(dpor(satModel(false)), 'refcount');
    expect(v.title).toBe('refcount_t: saturated; leaking memory.');
    expectClean(exhaust(satModel(true)));
  });
  it('with sanitizers off the same interleaving is not reported (the check is the sanitizer)', () => {
    expect(exhaust(getModel(false)).finding?.violation.kind).toBe('refcount');
    const off = check(getModel(false), { strategy: 'dfs', sanitize: false });
    expect(off.finding).toBeNull();
    expect(off.exhaustive).toBe(true);
  });
});

interface Obj { kref: Kref; data: Field<number> }
interface KState { lock: SpinlockT; slot: Field<KPtr<Obj> | null>; ready: boolean }

/** kref lookup under a lock vs the last put: kref_get (posted) vs kref_get_unless_zero (fixed). */
function krefModel(fixed: boolean) {
  return defineModel<KState, Record<string, never>>({
    name: fixed ? 'linux-test/kref-get-unless-zero' : 'linux-test/kref-get',
    scenarios: { default: {} },
    setup: () => ({ lock: new SpinlockT('table_lock'), slot: new Field<KPtr<Obj> | null>(null, 'table'), ready: false }),
    threads: (s) => [
      thread('owner', function* () {
        const o = yield* kmalloc<Obj>('obj', GFP_KERNEL, (b) => ({ kref: new Kref('kref', b), data: new Field(1, 'data', b) }));
        if (o === null) return;
        yield* spin_lock(s.lock);
        yield* s.slot.set(o);
        yield* spin_unlock(s.lock);
        // Drop the owner's reference; the release unpublishes under the lock, as in kref.rst.
        yield* kref_put(o.kref, function* () {
          yield* spin_lock(s.lock);
          yield* s.slot.set(null);
          yield* spin_unlock(s.lock);
          yield* kfree(o, 'release: kfree');
        }, 'owner: kref_put');
      }),
      thread('lookup', function* () {
        yield* spin_lock(s.lock);
        const o = yield* s.slot.get();
        let got = false;
        if (o !== null) {
          if (fixed) got = (yield* kref_get_unless_zero(o.kref, 'lookup: kref_get_unless_zero')) === 1;
          else { yield* kref_get(o.kref, 'lookup: kref_get'); got = true; }
        }
        yield* spin_unlock(s.lock);
        if (o !== null && got) {
          yield* o.data.get('lookup: read o->data');
          yield* kref_put(o.kref, function* () { yield* kfree(o, 'lookup: kfree'); }, 'lookup: kref_put');
        }
      }),
    ],
  });
}

describe('kref', () => {
  it('kref_get racing with the final kref_put is found (addition on 0)', () => {
    const v = expectKind(dpor(krefModel(false)), 'refcount');
    expect(v.title).toContain('addition on 0');
  });
  it('kref_get_unless_zero twin is clean under exhaustive DFS', () => {
    expectClean(exhaust(krefModel(true)));
  });
  it('kref_put_mutex: lookup under the mutex + final put under it is clean; outcomes cover both orders', () => {
    const m = defineModel<{ m: KMutex; slot: Field<KPtr<Obj> | null> }, Record<string, never>>({
      name: 'linux-test/kref-put-mutex',
      scenarios: { default: {} },
      setup: () => ({ m: new KMutex('tbl_mutex'), slot: new Field<KPtr<Obj> | null>(null, 'tbl') }),
      threads: (s) => {
        const release = (o: KPtr<Obj>) => function* () {
          yield* s.slot.set(null);
          yield* mutex_unlock(s.m);
          yield* kfree(o);
        };
        return [
          thread('owner', function* () {
            const o = yield* kmalloc<Obj>('obj', GFP_KERNEL, (b) => ({ kref: new Kref('kref', b), data: new Field(1, 'data', b) }));
            if (o === null) return;
            yield* mutex_lock(s.m);
            yield* s.slot.set(o);
            yield* mutex_unlock(s.m);
            yield* kref_put_mutex(o.kref, release(o), s.m);
          }),
          thread('lookup', function* () {
            yield* mutex_lock(s.m);
            const o = yield* s.slot.get();
            if (o !== null) yield* kref_get(o.kref);
            yield* mutex_unlock(s.m);
            if (o !== null) {
              yield* o.data.get();
              yield* kref_put_mutex(o.kref, release(o), s.m);
            }
          }),
        ];
      },
      final: [kernelExitCheck],
    });
    expectClean(exhaust(m));
  });
  it('kref_init resets a counter with one op', () => {
    const m = defineModel<{ r: RefcountT }, Record<string, never>>({
      name: 'linux-test/refcount-set',
      scenarios: { default: {} },
      setup: () => ({ r: new RefcountT(0, 'r') }),
      threads: (s) => [thread('t', function* () { yield* refcount_set(s.r, 5); })],
      final: [{ name: 'is 5', check: (s) => s.r.value === 5 }],
    });
    const r = exhaust(m);
    expectClean(r);
    expect(r.steps).toBe(1);
  });
});
