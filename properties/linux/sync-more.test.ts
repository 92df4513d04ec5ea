// rwlock_t / rw_semaphore, completions, refcount_dec_and_lock, lockdep_assert_held and the
// thread-exit check: outcome sets under exhaustive DFS, triggers on one interleaving, clean twins.
import { describe, expect, it } from 'vitest';
import {
  AtomicT, Completion, Field, GFP_KERNEL, type KPtr, RefcountT, RwSemaphore, RwlockT, SpinlockT, atomic_dec_and_lock,
  atomic_dec, atomic_inc_return, complete, complete_all, defineModel, down_read, down_write, kernelExitCheck,
  kfree, kmalloc, lockdep_assert_held, read_lock, read_unlock, refcount_dec_and_lock, refcount_dec_and_test, refcount_inc, spin_lock,
  spin_unlock, thread, up_read, up_write, wait_for_completion, write_lock, write_unlock,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

describe('reader-writer locks', () => {
  it('rwlock_t: readers overlap, a writer excludes them (3 threads, exhaustive DFS)', () => {
    const out = new Outcomes();
    const m = defineModel<{ l: RwlockT; readers: AtomicT; data: Field<number>; maxR: number; wSawReaders: boolean }, Record<string, never>>({
      name: 'linux-test/rwlock',
      scenarios: { default: {} },
      setup: () => ({ l: new RwlockT('tbl_lock'), readers: new AtomicT(0, 'readers'), data: new Field(0, 'data'), maxR: 0, wSawReaders: false }),
      threads: (s) => [
        ...[0, 1].map((i) => thread(`reader${i}`, function* () {
          yield* read_lock(s.l);
          s.maxR = Math.max(s.maxR, yield* atomic_inc_return(s.readers));
          yield* s.data.get();
          yield* atomic_dec(s.readers);
          yield* read_unlock(s.l);
        })),
        thread('writer', function* () {
          yield* write_lock(s.l);
          if ((yield* atomic_inc_return(s.readers)) !== 1) s.wSawReaders = true;
          yield* s.data.set(1);
          yield* atomic_dec(s.readers);
          yield* write_unlock(s.l);
        }),
      ],
      final: [{ name: 'record', check: (s) => out.record(`maxR=${s.maxR} writerSawOthers=${s.wSawReaders}`) }, kernelExitCheck],
    });
    // DFS, not DPOR: DPOR's lock rule orders a shared acquire after the previous holder's
    // release, so it never overlaps two readers (it reports only maxR=1).
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['maxR=1 writerSawOthers=false', 'maxR=2 writerSawOthers=false']);
  });
  it('rw_semaphore: down_write excludes down_read; nested down_read is reported as recursive', () => {
    const m = defineModel<{ s: RwSemaphore; data: Field<number> }, Record<string, never>>({
      name: 'linux-test/rwsem',
      scenarios: { default: {} },
      setup: () => ({ s: new RwSemaphore('mmap_sem'), data: new Field(0, 'vma') }),
      threads: (s) => [
        thread('fault', function* () { yield* down_read(s.s); yield* s.data.get(); yield* up_read(s.s); }),
        thread('munmap', function* () { yield* down_write(s.s); yield* s.data.set(1); yield* up_write(s.s); }),
      ],
      final: [kernelExitCheck],
    });
    expectClean(exhaust(m));
    const nested = defineModel<{ s: RwSemaphore }, Record<string, never>>({
      name: 'linux-test/rwsem-nested',
      scenarios: { default: {} },
      setup: () => ({ s: new RwSemaphore('mmap_sem') }),
      threads: (s) => [thread('t', function* () { yield* down_read(s.s); yield* down_read(s.s); })],
    });
    expect(expectKind(exhaust(nested), 'lock-misuse').title).toBe('WARNING: possible recursive locking detected');
  });
});

describe('completion', () => {
  it('wait_for_completion returns only after complete(); the data is ordered (no race)', () => {
    const out = new Outcomes();
    const m = defineModel<{ c: Completion; buf: Field<number>; got: number[] }, Record<string, never>>({
      name: 'linux-test/completion',
      scenarios: { default: {} },
      setup: () => ({ c: new Completion('dma_done'), buf: new Field(0, 'dma_buf'), got: [] }),
      threads: (s) => [
        thread('dma', function* () { yield* s.buf.set(42); yield* complete_all(s.c); }),
        ...[0, 1].map((i) => thread(`waiter${i}`, function* () { yield* wait_for_completion(s.c); s.got.push(yield* s.buf.get()); })),
      ],
      final: [{ name: 'record', check: (s) => out.record(s.got.join(',')) }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['42,42']);
  });
  it('one complete() releases one of two waiters: the other is reported blocked', () => {
    const m = defineModel<{ c: Completion }, Record<string, never>>({
      name: 'linux-test/completion-one',
      scenarios: { default: {} },
      setup: () => ({ c: new Completion('done') }),
      threads: (s) => [
        thread('c', function* () { yield* complete(s.c); }),
        ...[0, 1].map((i) => thread(`w${i}`, function* () { yield* wait_for_completion(s.c); })),
      ],
    });
    expect(expectKind(exhaust(m), 'deadlock').message).toContain('completion done to be completed');
  });
});

interface Obj { ref: RefcountT; f: Field<number> }
interface Tbl { lock: SpinlockT; slot: Field<KPtr<Obj> | null> }

describe('refcount_dec_and_lock', () => {
  // Lookup takes a plain refcount_inc under the table lock, so the final put must drop the count
  // to 0 only with that lock held (refcount_dec_and_lock); dec_and_test then lock leaves a window.
  function model(fixed: boolean) {
    return defineModel<Tbl, Record<string, never>>({
      name: fixed ? 'linux-test/dec-and-lock' : 'linux-test/dec-then-lock',
      scenarios: { default: {} },
      setup: () => ({ lock: new SpinlockT('tbl_lock'), slot: new Field<KPtr<Obj> | null>(null, 'tbl') }),
      threads: (s) => [
        thread('owner', function* () {
          const o = yield* kmalloc<Obj>('obj', GFP_KERNEL, (b) => ({ ref: new RefcountT(1, 'ref', b), f: new Field(0, 'f', b) }));
          if (o === null) return;
          yield* spin_lock(s.lock);
          yield* s.slot.set(o);
          yield* spin_unlock(s.lock);
          yield* put(s, o, 'owner');
        }),
        thread('lookup', function* () {
          yield* spin_lock(s.lock);
          const o = yield* s.slot.get();
          if (o !== null) yield* refcount_inc(o.ref, 'lookup: refcount_inc (under tbl_lock)');
          yield* spin_unlock(s.lock);
          if (o !== null) {
            yield* o.f.get();
            yield* put(s, o, 'lookup');
          }
        }),
      ],
    });
    function* put(s: Tbl, o: KPtr<Obj>, who: string) {
      if (fixed) {
        if (!(yield* refcount_dec_and_lock(o.ref, s.lock, `${who}: refcount_dec_and_lock`))) return;
      } else {
        if (!(yield* refcount_dec_and_test(o.ref, `${who}: refcount_dec_and_test`))) return;
        yield* spin_lock(s.lock, `${who}: spin_lock`);
      }
      lockdep_assert_held(s.lock, `${who}: unpublish`);
      yield* s.slot.set(null);
      yield* spin_unlock(s.lock);
      yield* kfree(o, `${who}: kfree`);
    }
  }
  it('dec_and_test, then lock: a lookup in the window increments from 0', () => {
    expect(expectKind(exhaust(model(false)), 'refcount').title).toContain('addition on 0');
  });
  it('the dec_and_lock twin is clean under exhaustive DFS', () => {
    expectClean(exhaust(model(true)));
  });
  it('atomic_dec_and_lock takes the lock only on the last put', () => {
    const out = new Outcomes();
    const m = defineModel<{ v: AtomicT; l: SpinlockT; r: boolean[] }, Record<string, never>>({
      name: 'linux-test/atomic-dec-and-lock',
      scenarios: { default: {} },
      setup: () => ({ v: new AtomicT(2, 'v'), l: new SpinlockT('l'), r: [false, false] }),
      threads: (s) => [0, 1].map((i) => thread(`put${i}`, function* () {
        s.r[i] = yield* atomic_dec_and_lock(s.v, s.l);
        if (s.r[i]) { lockdep_assert_held(s.l); yield* spin_unlock(s.l); }
      })),
      final: [{ name: 'record', check: (s) => out.record(s.r.join(',')) }, kernelExitCheck],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['false,true', 'true,false']);
  });
});

describe('lockdep_assert_held and the exit check', () => {
  it('a helper that requires the lock, called without it on one path, WARNs', () => {
    const m = (fixed: boolean) => defineModel<{ l: SpinlockT; flag: Field<number> }, Record<string, never>>({
      name: `linux-test/assert-held-${fixed ? 'fixed' : 'posted'}`,
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('iova_lock'), flag: new Field(0, 'flag') }),
      threads: (s) => [
        thread('t', function* () {
          const fast = (yield* s.flag.once()) === 1;
          if (!fast || fixed) yield* spin_lock(s.l);
          lockdep_assert_held(s.l, '__alloc_iova: lockdep_assert_held(&mapping->lock)');
          if (!fast || fixed) yield* spin_unlock(s.l);
        }),
        thread('u', function* () { yield* s.flag.setOnce(1); }),
      ],
    });
    expect(expectKind(dpor(m(false)), 'assertion').title).toContain('(lockdep_assert_held)');
    expectClean(exhaust(m(true)));
  });
  it('a thread that returns with a lock held on one path fails kernelExitCheck', () => {
    const m = (fixed: boolean) => defineModel<{ l: SpinlockT; flag: Field<number> }, Record<string, never>>({
      name: `linux-test/exit-held-${fixed ? 'fixed' : 'posted'}`,
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('dev_lock'), flag: new Field(0, 'err') }),
      threads: (s) => [
        thread('t', function* () {
          yield* spin_lock(s.l, 't: spin_lock');
          if ((yield* s.flag.once()) === 1 && !fixed) return; // error path forgets the unlock
          yield* spin_unlock(s.l);
        }),
        thread('u', function* () { yield* s.flag.setOnce(1); }),
      ],
      final: [kernelExitCheck],
    });
    const v = expectKind(exhaust(m(false)), 'invariant');
    expect(v.message).toContain("exited holding dev_lock (spinlock_t, taken at 't: spin_lock')");
    expectClean(exhaust(m(true)));
  });
});
