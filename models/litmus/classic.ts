/**
 * Classic small litmus models: store buffering (SB), message passing (MP) with a release/acquire
 * flag and with a plain flag, a lost-update counter built from a separate load and store, and an
 * ABBA deadlock. Under the default sequentially consistent model SB's r0 = r1 = 0 is forbidden
 * and correct MP passes; the others must fail: MP with a plain flag as a KCSAN data race, the
 * counter as a broken final check, ABBA as a deadlock with its wait-for cycle.
 * Leaves out: weak-memory outcomes (SB's 0/0 is allowed on real x86 without smp_mb()).
 */
import { Atomic, Cell, Mutex, assert, defineModel, thread, schema } from '../../src/index.js';

export const storeBuffering = defineModel<{ x: Atomic; y: Atomic; r: number[] }, Record<string, never>>({
  name: 'litmus/store-buffering',
  description: 'SB: x = 1; r0 = y || y = 1; r1 = x. r0 = r1 = 0 is forbidden under SC',
  scenarios: { default: {} },
  paramsSchema: schema.object({}),
  setup: () => ({ x: new Atomic(0, 'x'), y: new Atomic(0, 'y'), r: [-1, -1] }),
  threads: (s) => [
    thread('P0', function* () {
      yield* s.x.store(1, 'P0: WRITE_ONCE(x, 1)');
      s.r[0] = yield* s.y.load('P0: r0 = READ_ONCE(y)');
    }),
    thread('P1', function* () {
      yield* s.y.store(1, 'P1: WRITE_ONCE(y, 1)');
      s.r[1] = yield* s.x.load('P1: r1 = READ_ONCE(x)');
    }),
  ],
  final: [{ name: 'SC forbids r0 = r1 = 0', check: (s) => !(s.r[0] === 0 && s.r[1] === 0) }],
});

interface Mp { data: Cell<number>; flag: Atomic; plainFlag: Cell<number> }

function mp(name: string, plain: boolean): ReturnType<typeof defineModel<Mp, Record<string, never>>> {
  return defineModel<Mp, Record<string, never>>({
    name,
    description: plain ? 'MP with a plain flag: a KCSAN data race on data' : 'MP: data = 1; smp_store_release(flag) || smp_load_acquire(flag) then data',
    scenarios: { default: {} },
    paramsSchema: schema.object({}),
    setup: () => ({ data: new Cell(0, 'data'), flag: new Atomic(0, 'flag'), plainFlag: new Cell(0, 'flag') }),
    threads: (s) => [
      thread('producer', function* () {
        yield* s.data.set(42, 'producer: data = 42');
        if (plain) yield* s.plainFlag.set(1, 'producer: flag = 1');
        else yield* s.flag.store(1, 'producer: smp_store_release(&flag, 1)');
      }),
      thread('consumer', function* () {
        const f = plain ? yield* s.plainFlag.get('consumer: r = flag') : yield* s.flag.load('consumer: smp_load_acquire(&flag)');
        if (f === 1) {
          const d = yield* s.data.get('consumer: read data');
          assert(d === 42, `consumer saw flag = 1 but data = ${d}`, 'consumer: BUG_ON(data != 42)');
        }
      }),
    ],
  });
}

export const messagePassing = mp('litmus/message-passing', false);
export const messagePassingPlain = mp('litmus/message-passing-plain', true);

export const lostUpdate = defineModel<{ count: Atomic; expected: number }, { threads: number }>({
  name: 'litmus/lost-update',
  description: 'count = count + 1 as a separate atomic load and store in each thread: an update is lost',
  scenarios: { t2: { threads: 2 }, t3: { threads: 3 } },
  paramsSchema: schema.object({ threads: schema.int(1, 8) }),
  setup: (p) => ({ count: new Atomic(0, 'count'), expected: p.threads }),
  threads: (s, p) => Array.from({ length: p.threads }, (_, i) => thread(`inc${i}`, function* () {
    const v = yield* s.count.load(`inc${i}: v = atomic_read(&count)`);
    yield* s.count.store(v + 1, `inc${i}: atomic_set(&count, v + 1)`);
  })),
  final: [{ name: 'no lost update', check: (s) => s.count.value === s.expected || `count is ${s.count.value} after ${s.expected} increments` }],
  inspect: (s) => ({ count: s.count.value }),
});

export const abba = defineModel<{ a: Mutex; b: Mutex }, Record<string, never>>({
  name: 'litmus/abba',
  description: 'T0 takes A then B, T1 takes B then A: an ABBA deadlock',
  scenarios: { default: {} },
  paramsSchema: schema.object({}),
  setup: () => ({ a: new Mutex('A'), b: new Mutex('B') }),
  threads: (s) => [
    thread('ab', function* () {
      yield* s.a.lock('ab: mutex_lock(A)');
      yield* s.b.lock('ab: mutex_lock(B)');
      yield* s.b.unlock('ab: mutex_unlock(B)');
      yield* s.a.unlock('ab: mutex_unlock(A)');
    }),
    thread('ba', function* () {
      yield* s.b.lock('ba: mutex_lock(B)');
      yield* s.a.lock('ba: mutex_lock(A)');
      yield* s.a.unlock('ba: mutex_unlock(A)');
      yield* s.b.unlock('ba: mutex_unlock(B)');
    }),
  ],
});
