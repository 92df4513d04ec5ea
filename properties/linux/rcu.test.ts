// RCU contracts: grace periods wait for exactly the readers that were inside a section when they
// started; publish / retire with synchronize_rcu, kfree_rcu + callback thread, rcu_barrier; and
// the RCU sanitizer ('rcu' violations) reached only on some interleavings.
import { describe, expect, it } from 'vitest';
import {
  Field, GFP_KERNEL, type KPtr, KMutex, type Model, check, call_rcu, defineModel, kfree, kfree_rcu, kmalloc,
  mutex_lock, mutex_unlock, op, rcuCallbackThread, rcu_assign_pointer, rcu_barrier, rcu_dereference, rcu_read_lock,
  rcu_read_unlock, synchronize_rcu, thread,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface Gp { r1: Field<number>; r2: Field<number>; data: Field<number>; a: number; b: number }

function gpModel(out: Outcomes): Model<Gp, Record<string, never>> {
  return defineModel<Gp, Record<string, never>>({
    name: 'linux-test/rcu-grace-period',
    scenarios: { default: {} },
    setup: () => ({ r1: new Field(0, 'r1'), r2: new Field(0, 'r2'), data: new Field(0, 'data'), a: -1, b: -1 }),
    threads: (s) => [
      thread('reader1', function* () {
        yield* rcu_read_lock('reader1: rcu_read_lock');
        yield* s.r1.setOnce(1);
        yield* s.data.set(1, 'reader1: plain write in section');
        // Stay inside until reader2 has entered: reader2's section overlaps ours.
        yield op.wait(s.r2.id, 'reader1: wait for reader2', () => s.r2.v >= 1);
        yield* s.r1.setOnce(2);
        yield* rcu_read_unlock('reader1: rcu_read_unlock');
      }),
      thread('reader2', function* () {
        yield* rcu_read_lock('reader2: rcu_read_lock');
        yield* s.r2.setOnce(1);
        yield* s.r2.setOnce(2);
        yield* rcu_read_unlock('reader2: rcu_read_unlock');
      }),
      thread('updater', function* () {
        yield op.wait(s.r1.id, 'updater: wait until reader1 is inside', () => s.r1.v >= 1);
        yield* synchronize_rcu('updater: synchronize_rcu');
        s.a = yield* s.r1.once();
        s.b = yield* s.r2.once();
        yield* s.data.set(2, 'updater: plain write after the grace period');
      }),
    ],
    final: [{ name: 'record', check: (s) => out.record(`r1=${s.a} r2=${s.b}`) }],
  });
}

describe('synchronize_rcu grace periods', () => {
  it('waits for the sections in progress at its start, and only those (exhaustive DFS and DPOR)', () => {
    const out = new Outcomes();
    expectClean(exhaust(gpModel(out)));
    // reader1 was inside at the start: always finished. reader2 may still be inside (r2=1): it
    // began after the grace period started, which a "wait for zero readers" RCU could not allow.
    expect(out.sorted()).toEqual(['r1=2 r2=1', 'r1=2 r2=2']);
    const viaDpor = new Outcomes();
    expectClean(dpor(gpModel(viaDpor)));
    expect(viaDpor.sorted()).toEqual(out.sorted());
  });
});

interface Obj { data: Field<number> }
interface Pub { gp: Field<KPtr<Obj> | null>; flag: Field<number> }
type Retire = 'none' | 'sync' | 'kfree_rcu' | 'kfree_rcu-no-runner' | 'barrier';

function pubModel(retire: Retire, readers = 1): Model<Pub, Record<string, never>> {
  return defineModel<Pub, Record<string, never>>({
    name: `linux-test/rcu-publish-${retire}`,
    scenarios: { default: {} },
    setup: () => ({ gp: new Field<KPtr<Obj> | null>(null, 'gp'), flag: new Field(0, 'flag') }),
    threads: (s) => [
      thread('updater', function* () {
        const mk = (b: number): Obj => ({ data: new Field(1, 'data', b) });
        const a = yield* kmalloc('objA', GFP_KERNEL, mk);
        yield* rcu_assign_pointer(s.gp, a, 'updater: publish A');
        const b = yield* kmalloc('objB', GFP_KERNEL, mk);
        yield* rcu_assign_pointer(s.gp, b, 'updater: replace A with B');
        if (retire === 'sync') {
          yield* synchronize_rcu('updater: synchronize_rcu');
          yield* kfree(a, 'updater: kfree(A)');
        } else if (retire === 'none') {
          yield* kfree(a, 'updater: kfree(A)');
        } else {
          yield* kfree_rcu(a, 'updater: kfree_rcu(A)');
        }
        yield* rcu_assign_pointer(s.gp, null, 'updater: unpublish B');
        if (retire === 'barrier') {
          yield* kfree_rcu(b, 'updater: kfree_rcu(B)');
          yield* rcu_barrier('updater: rcu_barrier');
        } else {
          yield* synchronize_rcu('updater: synchronize_rcu (B)');
          yield* kfree(b, 'updater: kfree(B)');
        }
      }),
      ...Array.from({ length: readers }, (_, i) => thread(`reader${i}`, function* () {
        yield* rcu_read_lock(`reader${i}: rcu_read_lock`);
        const p = yield* rcu_dereference(s.gp, `reader${i}: p = rcu_dereference(gp)`);
        if (p !== null) yield* p.data.get(`reader${i}: read p->data`);
        yield* rcu_read_unlock(`reader${i}: rcu_read_unlock`);
      })),
      ...(retire === 'kfree_rcu' ? [rcuCallbackThread()] : []),
    ],
  });
}

describe('publish / retire', () => {
  // DFS, not DPOR: the engine's dependent() compares object ids, so a kfree (on the block) and a
  // field access (on the field) look independent to DPOR, which then misses every UAF.
  it('kfree without a grace period: a reader uses the old object after free (DFS)', () => {
    const v = expectKind(exhaust(pubModel('none')), 'use-after-free');
    expect(v.title).toBe('BUG: KASAN: use-after-free in reader0');
    expect(v.object?.freed?.label).toBe('updater: kfree(A)');
    expect(v.object?.allocated?.label).toBe('kmalloc');
  });
  it('synchronize_rcu before kfree is clean (exhaustive DFS, 1 and 2 readers)', () => {
    expectClean(exhaust(pubModel('sync')));
    expectClean(exhaust(pubModel('sync', 2), undefined, 100_000));
  });
  it('kfree_rcu with the callback thread is clean (exhaustive DFS)', () => {
    expectClean(exhaust(pubModel('kfree_rcu')));
  });
  it('rcu_barrier runs the queued callbacks after their grace periods (exhaustive DFS)', () => {
    expectClean(exhaust(pubModel('barrier')));
  });
  it('kfree_rcu with nobody running callbacks leaves the object allocated: a leak', () => {
    const v = expectKind(check(pubModel('kfree_rcu-no-runner'), { strategy: 'dfs', maxExecutions: 1 }), 'leak');
    expect(v.message).toContain('objA');
  });
  it('an RCU callback runs in softirq context: sleeping in it is sleep-in-atomic', () => {
    const m = defineModel<{ m: KMutex }, Record<string, never>>({
      name: 'linux-test/rcu-callback-sleeps',
      scenarios: { default: {} },
      setup: () => ({ m: new KMutex('cfg') }),
      threads: (s) => [
        thread('t', function* () {
          yield* call_rcu(function* () { yield* mutex_lock(s.m, 'cb: mutex_lock'); yield* mutex_unlock(s.m); });
        }),
        rcuCallbackThread(),
      ],
    });
    const v = expectKind(exhaust(m), 'sleep-in-atomic');
    expect(v.message).toContain('in_softirq(): 1');
  });
});

/** A reader that skips rcu_read_lock on a "fast path" another thread may switch on. */
function derefModel(buggy: boolean, unbalanced = false) {
  return defineModel<Pub, Record<string, never>>({
    name: `linux-test/rcu-deref-${buggy ? 'posted' : 'fixed'}${unbalanced ? '-unlock' : ''}`,
    scenarios: { default: {} },
    setup: () => ({ gp: new Field<KPtr<Obj> | null>(null, 'gp'), flag: new Field(0, 'fastpath') }),
    threads: (s) => [
      thread('reader', function* () {
        const fast = buggy && (yield* s.flag.once()) === 1;
        if (!fast || unbalanced) {
          if (!fast) yield* rcu_read_lock();
          yield* rcu_dereference(s.gp, 'reader: rcu_dereference(gp)');
          yield* rcu_read_unlock('reader: rcu_read_unlock');
        } else {
          yield* rcu_dereference(s.gp, 'reader: rcu_dereference(gp)');
        }
      }),
      thread('switch', function* () { yield* s.flag.setOnce(1); }),
    ],
  });
}

describe("RCU sanitizer ('rcu')", () => {
  it('rcu_dereference outside rcu_read_lock on one path is suspicious RCU usage', () => {
    const v = expectKind(dpor(derefModel(true)), 'rcu');
    expect(v.title).toBe('WARNING: suspicious RCU usage');
    expect(v.sites[0]?.label).toBe('reader: rcu_dereference(gp)');
    expectClean(exhaust(derefModel(false)));
  });
  it('an rcu_read_unlock without its lock is reported', () => {
    const v = expectKind(dpor(derefModel(true, true)), 'rcu');
    expect(v.message).toMatch(/rcu_read_unlock|rcu_dereference/);
  });
});
