/**
 * Small models whose bugs the kernel reports in its own shapes, for the report suite: a spinlock
 * ABBA (lockdep's circular dependency), a three-lock chain (lockdep's "Chain exists of"), a
 * use-after-free of an atomic_t field (KASAN: write of size 4, allocated-by / freed-by stacks), a
 * refcount_t increment from zero, a WARN_ON and a BUG_ON, and a long trace (one thread's many steps
 * before the bug) for the HTML report's folding. Thread code goes through named generator
 * functions so the call chains in the reports have something to show.
 * Leaves out: the seed designs (the examples suite covers them).
 */
import {
  AtomicT, BUG_ON, GFP_KERNEL, type KPtr, RefcountT, type SpinlockT, type ThreadGen, WARN_ON, atomic_inc, atomic_inc_return, atomic_read, atomic_set,
  defineModel, kfree, kmalloc, rcu_read_lock, rcu_read_unlock,
  refcount_dec_and_test, refcount_inc, spin_lock, spin_lock_init, spin_unlock, thread,
} from '../../src/index.js';

interface Locks { a: SpinlockT; b: SpinlockT; c: SpinlockT }

function* take_two(first: SpinlockT, second: SpinlockT, who: string): ThreadGen<void> {
  yield* spin_lock(first, `${who}: spin_lock(&${first.name})`);
  yield* spin_lock(second, `${who}: spin_lock(&${second.name})`);
  yield* spin_unlock(second, `${who}: spin_unlock(&${second.name})`);
  yield* spin_unlock(first, `${who}: spin_unlock(&${first.name})`);
}

function* path_ab(s: Locks): ThreadGen<void> {
  yield* take_two(s.a, s.b, 'path_ab');
}

function* path_ba(s: Locks): ThreadGen<void> {
  yield* take_two(s.b, s.a, 'path_ba');
}

/** Thread 0 nests A -> B, thread 1 B -> A: lockdep reports the second nesting however they interleave. */
export const spinAbba = defineModel<Locks, Record<string, never>>({
  name: 'test/spin-abba',
  scenarios: { default: {} },
  setup: () => ({ a: spin_lock_init('A'), b: spin_lock_init('B'), c: spin_lock_init('C') }),
  threads: (s) => [thread('ab', () => path_ab(s)), thread('ba', () => path_ba(s))],
});

/** A -> B, B -> C, then C -> A: the chain has a middle lock. */
export const spinChain = defineModel<Locks, Record<string, never>>({
  name: 'test/spin-chain',
  scenarios: { default: {} },
  setup: () => ({ a: spin_lock_init('A'), b: spin_lock_init('B'), c: spin_lock_init('C') }),
  threads: (s) => [thread('chain', function* () {
    yield* take_two(s.a, s.b, 'ab');
    yield* take_two(s.b, s.c, 'bc');
    yield* take_two(s.c, s.a, 'ca');
  })],
});

interface Obj { hits: AtomicT }
interface Holder { obj: KPtr<Obj> | null; ready: AtomicT }

function* obj_create(h: Holder): ThreadGen<void> {
  h.obj = yield* kmalloc('struct obj', GFP_KERNEL, (b) => ({ hits: new AtomicT(0, 'hits', b) }), 'obj_create: kmalloc(sizeof(*obj))');
}

function* obj_destroy(h: Holder): ThreadGen<void> {
  yield* kfree(h.obj, 'obj_destroy: kfree(obj)');
}

function* obj_hit(h: Holder): ThreadGen<void> {
  if ((yield* atomic_read(h.ready, 'obj_hit: atomic_read(&ready)')) === 1 && h.obj) yield* atomic_inc(h.obj.hits, 'obj_hit: atomic_inc(&obj->hits)');
}

/** The owner frees the object while the user still increments a field of it. */
export const useAfterFree = defineModel<Holder, Record<string, never>>({
  name: 'test/uaf',
  scenarios: { default: {} },
  setup: () => ({ obj: null, ready: new AtomicT(0, 'ready') }),
  threads: (h) => [
    thread('owner', function* owner() {
      yield* obj_create(h);
      yield* atomic_set(h.ready, 1, 'owner: atomic_set(&ready, 1)');
      yield* obj_destroy(h);
    }),
    thread('user', function* user() {
      yield* rcu_read_lock('user: rcu_read_lock');
      yield* obj_hit(h);
      yield* rcu_read_unlock('user: rcu_read_unlock');
    }),
  ],
});

function* get_ref(r: RefcountT): ThreadGen<void> {
  yield* refcount_inc(r, 'get_ref: refcount_inc(&obj->ref)');
}

function* put_ref(r: RefcountT): ThreadGen<void> {
  yield* refcount_dec_and_test(r, 'put_ref: refcount_dec_and_test(&obj->ref)');
}

/** One thread drops the last reference, the other takes one from zero. */
export const refFromZero = defineModel<{ ref: RefcountT }, Record<string, never>>({
  name: 'test/ref-zero',
  scenarios: { default: {} },
  setup: () => ({ ref: new RefcountT(1, 'obj.ref') }),
  threads: (s) => [thread('putter', () => put_ref(s.ref)), thread('getter', () => get_ref(s.ref))],
});

function* check_state(x: AtomicT, bug: boolean): ThreadGen<void> {
  const v = yield* atomic_inc_return(x, 'check_state: atomic_inc_return(&state)');
  if (bug) BUG_ON(v > 1, 'check_state: BUG_ON(state > 1)');
  else WARN_ON(v > 1, 'check_state: WARN_ON(state > 1)');
}

/** Two threads each expect to be first: a WARN_ON (or a BUG_ON) fires in the second. */
export function warnModel(bug: boolean): ReturnType<typeof defineModel<{ x: AtomicT }, Record<string, never>>> {
  return defineModel<{ x: AtomicT }, Record<string, never>>({
    name: bug ? 'test/bug-on' : 'test/warn-on',
    scenarios: { default: {} },
    setup: () => ({ x: new AtomicT(0, 'state') }),
    threads: (s) => [thread('first', () => check_state(s.x, bug)), thread('second', () => check_state(s.x, bug))],
  });
}

function* spin_count(x: AtomicT, n: number): ThreadGen<void> {
  for (let i = 0; i < n; i++) yield* atomic_inc(x, `spin_count: atomic_inc(&x) #${i}`);
}

/** A long run of one thread's steps, then the WARN_ON of the other thread. */
export const longTrace = defineModel<{ x: AtomicT }, Record<string, never>>({
  name: 'test/long-trace',
  scenarios: { default: {} },
  setup: () => ({ x: new AtomicT(0, 'x') }),
  threads: (s) => [
    thread('busy', () => spin_count(s.x, 40)),
    thread('checker', function* checker() {
      const v = yield* atomic_read(s.x, 'checker: atomic_read(&x)');
      WARN_ON(v >= 40, 'checker: WARN_ON(x >= 40)');
    }),
  ],
});
