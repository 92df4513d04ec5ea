// The kernel's race rules (src/engine/race.ts, src/engine/sync.ts), litmus style, each in both
// directions: a data race is two accesses to one location from different threads, at least one a
// write and at least one plain, not ordered by happens-before; marked accesses are relaxed and
// order nothing by themselves; happens-before comes from locks, release/acquire, fully ordered
// atomics and smp_mb, smp_wmb/smp_rmb pairs, spawn/join, RCU grace periods and completions.
// Every model is checked exhaustively by DFS and by DPOR, which must agree.
import { describe, expect, it } from 'vitest';
import {
  AtomicT, Completion, Field, KMutex, type Model, type Op, RwlockT, SpinlockT, atomic_add_return, atomic_inc, atomic_read,
  atomic_set, check, complete, data_race, defineModel, join, mutex_lock, mutex_unlock, rcu_assign_pointer,
  rcu_dereference, rcu_read_lock, rcu_read_unlock, read_lock, read_unlock, refcount_dec_and_test, RefcountT, smp_load_acquire,
  smp_mb, smp_rmb, smp_store_release, smp_wmb, spawn, spin_lock, spin_unlock, synchronize_rcu, thread, wait_for_completion,
  write_lock, write_unlock, xchg, READ_ONCE, WRITE_ONCE,
} from '../../src/index.js';

type G<R> = Generator<Op, R, unknown>;

interface S { data: Field<number>; flag: Field<number>; a: AtomicT; lock: SpinlockT; rw: RwlockT; m: KMutex; done: Completion; seen: number }

type Body = (s: S) => G<unknown>;

function litmus(name: string, writer: Body, reader: Body): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `race-rules/${name}`,
    scenarios: { default: {} },
    setup: () => ({
      data: new Field(0, 'data'), flag: new Field(0, 'flag'), a: new AtomicT(0, 'a'), lock: new SpinlockT('lock'),
      rw: new RwlockT('rw'), m: new KMutex('m'), done: new Completion('done'), seen: 0,
    }),
    threads: (s) => [thread('P0', () => writer(s)), thread('P1', () => reader(s))],
  });
}

function verdicts(m: Model<S, Record<string, never>>): [string | null, string | null] {
  const a = check(m, { strategy: 'dfs', maxExecutions: 50_000 });
  const b = check(m, { strategy: 'dpor', maxExecutions: 50_000 });
  expect(a.finding !== null || a.exhaustive, `${m.name}: DFS did not finish`).toBe(true);
  expect(b.finding !== null || b.exhaustive, `${m.name}: DPOR did not finish`).toBe(true);
  return [a.finding?.violation.kind ?? null, b.finding?.violation.kind ?? null];
}

function races(m: Model<S, Record<string, never>>): void {
  expect(verdicts(m), m.name).toEqual(['data-race', 'data-race']);
}

function clean(m: Model<S, Record<string, never>>): void {
  expect(verdicts(m), m.name).toEqual([null, null]);
}

// Message passing: P0 publishes `data` through `flag`; P1 reads `data` only after seeing the flag.
function* readIf(s: S, seen: boolean): G<void> {
  if (seen) s.seen = yield* s.data.get('P1: r = data');
}

describe('plain vs marked accesses', () => {
  it('a plain write racing with READ_ONCE is a race; WRITE_ONCE vs READ_ONCE is not', () => {
    races(litmus('plain-w-once-r', function* (s) { yield* s.data.set(1); }, function* (s) { yield* READ_ONCE(s.data); }));
    races(litmus('once-w-plain-r', function* (s) { yield* WRITE_ONCE(s.data, 1); }, function* (s) { yield* s.data.get(); }));
    clean(litmus('once-once', function* (s) { yield* WRITE_ONCE(s.data, 1); }, function* (s) { yield* READ_ONCE(s.data); }));
    clean(litmus('once-xchg', function* (s) { yield* xchg(s.data, 2); }, function* (s) { yield* WRITE_ONCE(s.data, 1); }));
  });

  it('data_race() marks an access as intentionally racy', () => {
    clean(litmus('data-race-annotated', function* (s) { yield* s.data.set(1); }, function* (s) { yield* data_race(s.data.get()); }));
    races(litmus('plain-plain', function* (s) { yield* s.data.set(1); }, function* (s) { yield* s.data.get(); }));
  });
});

describe('marked accesses are relaxed: message passing needs ordering', () => {
  it('WRITE_ONCE / READ_ONCE alone do not order the plain data (the issue\'s example)', () => {
    races(litmus('mp-once', function* (s) {
      yield* s.data.set(1);
      yield* WRITE_ONCE(s.flag, 1);
    }, function* (s) {
      yield* readIf(s, (yield* READ_ONCE(s.flag)) === 1);
    }));
  });

  it('smp_store_release / smp_load_acquire order it', () => {
    clean(litmus('mp-release-acquire', function* (s) {
      yield* s.data.set(1);
      yield* smp_store_release(s.flag, 1);
    }, function* (s) {
      yield* readIf(s, (yield* smp_load_acquire(s.flag)) === 1);
    }));
  });

  it('an smp_wmb / smp_rmb pair orders it; either alone does not', () => {
    clean(litmus('mp-wmb-rmb', function* (s) {
      yield* s.data.set(1);
      yield* smp_wmb();
      yield* WRITE_ONCE(s.flag, 1);
    }, function* (s) {
      const f = yield* READ_ONCE(s.flag);
      yield* smp_rmb();
      yield* readIf(s, f === 1);
    }));
    races(litmus('mp-wmb-only', function* (s) {
      yield* s.data.set(1);
      yield* smp_wmb();
      yield* WRITE_ONCE(s.flag, 1);
    }, function* (s) {
      yield* readIf(s, (yield* READ_ONCE(s.flag)) === 1);
    }));
    races(litmus('mp-rmb-only', function* (s) {
      yield* s.data.set(1);
      yield* WRITE_ONCE(s.flag, 1);
    }, function* (s) {
      const f = yield* READ_ONCE(s.flag);
      yield* smp_rmb();
      yield* readIf(s, f === 1);
    }));
  });

  it('smp_mb() on both sides orders it', () => {
    clean(litmus('mp-mb', function* (s) {
      yield* s.data.set(1);
      yield* smp_mb();
      yield* WRITE_ONCE(s.flag, 1);
    }, function* (s) {
      const f = yield* READ_ONCE(s.flag);
      yield* smp_mb();
      yield* readIf(s, f === 1);
    }));
  });

  it('atomic_set / atomic_read and atomic_inc are relaxed; value-returning atomics are fully ordered', () => {
    races(litmus('mp-atomic-set-read', function* (s) {
      yield* s.data.set(1);
      yield* atomic_set(s.a, 1);
    }, function* (s) {
      yield* readIf(s, (yield* atomic_read(s.a)) === 1);
    }));
    races(litmus('mp-atomic-inc', function* (s) {
      yield* s.data.set(1);
      yield* atomic_inc(s.a);
    }, function* (s) {
      yield* readIf(s, (yield* atomic_add_return(0, s.a)) === 1);
    }));
    clean(litmus('mp-atomic-return', function* (s) {
      yield* s.data.set(1);
      yield* atomic_add_return(1, s.a);
    }, function* (s) {
      yield* readIf(s, (yield* atomic_add_return(0, s.a)) === 1);
    }));
  });
});

describe('locks, spawn/join, completions', () => {
  it('a spinlock or mutex around both accesses orders them; one side unlocked races', () => {
    clean(litmus('spinlock', function* (s) {
      yield* spin_lock(s.lock);
      yield* s.data.set(1);
      yield* spin_unlock(s.lock);
    }, function* (s) {
      yield* spin_lock(s.lock);
      yield* s.data.get();
      yield* spin_unlock(s.lock);
    }));
    clean(litmus('mutex', function* (s) {
      yield* mutex_lock(s.m);
      yield* s.data.set(1);
      yield* mutex_unlock(s.m);
    }, function* (s) {
      yield* mutex_lock(s.m);
      yield* s.data.set(2);
      yield* mutex_unlock(s.m);
    }));
    races(litmus('half-locked', function* (s) {
      yield* spin_lock(s.lock);
      yield* s.data.set(1);
      yield* spin_unlock(s.lock);
    }, function* (s) {
      yield* s.data.get();
    }));
  });

  it('readers of an rwlock do not order each other; a writer orders against readers', () => {
    races(litmus('two-readers-write', function* (s) {
      yield* read_lock(s.rw);
      yield* s.data.set(1);
      yield* read_unlock(s.rw);
    }, function* (s) {
      yield* read_lock(s.rw);
      yield* s.data.set(2);
      yield* read_unlock(s.rw);
    }));
    clean(litmus('writer-reader', function* (s) {
      yield* write_lock(s.rw);
      yield* s.data.set(1);
      yield* write_unlock(s.rw);
    }, function* (s) {
      yield* read_lock(s.rw);
      yield* s.data.get();
      yield* read_unlock(s.rw);
    }));
  });

  it('spawn and join order parent and child', () => {
    clean(litmus('spawn-join', function* (s) {
      yield* s.data.set(1);
      const c = yield* spawn(function* () { yield* s.data.set(2); }, 'child');
      yield* join(c);
      yield* s.data.get();
    }, function* () { /* idle */ }));
  });

  it('complete() happens before wait_for_completion() returns', () => {
    clean(litmus('completion', function* (s) {
      yield* s.data.set(1);
      yield* complete(s.done);
    }, function* (s) {
      yield* wait_for_completion(s.done);
      yield* s.data.get();
    }));
  });
});

describe('RCU and refcounts', () => {
  it('a grace period orders a reader\'s section before the updater\'s later accesses', () => {
    // The updater unpublishes (flag = 0), waits for a grace period, then reuses the data; a reader
    // uses the data only when it still finds it published. A reader that began before the grace
    // period is waited for; one that began after it finds flag = 0.
    const reader: Body = function* (s) {
      yield* rcu_read_lock();
      yield* readIf(s, (yield* rcu_dereference(s.flag)) === 1);
      yield* rcu_read_unlock();
    };
    const published = (m: Model<S, Record<string, never>>): Model<S, Record<string, never>> =>
      defineModel<S, Record<string, never>>({ ...m, setup: (p) => { const s = m.setup(p); s.flag.v = 1; return s; } });
    clean(published(litmus('rcu-gp', function* (s) {
      yield* rcu_assign_pointer(s.flag, 0);
      yield* synchronize_rcu();
      yield* s.data.set(2);
    }, reader)));
    races(published(litmus('rcu-no-gp', function* (s) {
      yield* rcu_assign_pointer(s.flag, 0);
      yield* s.data.set(2);
    }, reader)));
  });

  it('RCU readers do not order each other', () => {
    races(litmus('rcu-two-readers', function* (s) {
      yield* rcu_read_lock();
      yield* s.data.set(1);
      yield* rcu_read_unlock();
    }, function* (s) {
      yield* rcu_read_lock();
      yield* s.data.set(2);
      yield* rcu_read_unlock();
    }));
  });

  it('rcu_assign_pointer publishes to rcu_dereference', () => {
    clean(litmus('rcu-publish', function* (s) {
      yield* s.data.set(7);
      yield* rcu_assign_pointer(s.flag, 1);
    }, function* (s) {
      yield* rcu_read_lock();
      yield* readIf(s, (yield* rcu_dereference(s.flag)) === 1);
      yield* rcu_read_unlock();
    }));
  });

  it('the last refcount_dec_and_test orders every earlier put before the free', () => {
    interface R { r: RefcountT; obj: { x: Field<number> } }
    // Two users of one object, each writes it plainly and then puts its reference; the last put
    // releases the object (another plain write, standing for kfree's reuse of the memory).
    const shared = defineModel<R, Record<string, never>>({
      name: 'race-rules/refcount-put',
      scenarios: { default: {} },
      setup: () => ({ r: new RefcountT(2, 'ref'), obj: { x: new Field(0, 'x') } }),
      threads: (s) => ['A', 'B'].map((n) => thread(n, function* () {
        yield* s.obj.x.set(1, `${n}: use obj`);
        if (yield* refcount_dec_and_test(s.r, `${n}: put`)) yield* s.obj.x.set(9, `${n}: release obj`);
      })),
    });
    const a = check(shared, { strategy: 'dfs', maxExecutions: 10_000 });
    // Both threads write x before their put: those writes race with each other (no order between
    // the two users), but the releasing write after the last put is ordered after both.
    expect(a.finding?.violation.kind).toBe('data-race');
    expect(a.finding?.violation.title).not.toContain('release obj');
    const only = check(defineModel<R, Record<string, never>>({
      ...shared,
      name: 'race-rules/refcount-put-one-user',
      threads: (s) => [
        thread('A', function* () {
          yield* s.obj.x.set(1, 'A: use obj');
          if (yield* refcount_dec_and_test(s.r, 'A: put')) yield* s.obj.x.set(9, 'A: release obj');
        }),
        thread('B', function* () {
          if (yield* refcount_dec_and_test(s.r, 'B: put')) yield* s.obj.x.set(9, 'B: release obj');
        }),
      ],
    }), { strategy: 'dfs', maxExecutions: 10_000 });
    expect(only.finding?.violation ?? null).toBeNull();
    expect(only.exhaustive).toBe(true);
  });
});
