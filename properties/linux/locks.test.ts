// Lock contracts (spinlock, mutex, semaphore) as outcome sets under exhaustive DFS, and the
// per-thread context they drive (preempt count, irqs-disabled, saved flags).
import { describe, expect, it } from 'vitest';
import {
  Field, KMutex, Semaphore, SpinlockT, defineModel, down, down_trylock, in_atomic, irqs_disabled, local_irq_restore,
  local_irq_save, mutex_lock, mutex_trylock, mutex_unlock, spin_lock, spin_lock_irqsave, spin_trylock, spin_unlock,
  spin_unlock_irqrestore, thread, up, AtomicT, atomic_inc_return, atomic_dec,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

function counterModel(kind: 'spin' | 'mutex' | 'sem' | 'none') {
  return defineModel<{ c: Field<number>; s: SpinlockT; m: KMutex; sem: Semaphore }, Record<string, never>>({
    name: `linux-test/counter-${kind}`,
    scenarios: { default: {} },
    setup: () => ({ c: new Field(0, 'count'), s: new SpinlockT('s'), m: new KMutex('m'), sem: new Semaphore('sem', 1) }),
    threads: (st) => [0, 1].map((i) => thread(`inc${i}`, function* () {
      if (kind === 'spin') yield* spin_lock(st.s);
      if (kind === 'mutex') yield* mutex_lock(st.m);
      if (kind === 'sem') yield* down(st.sem);
      const v = yield* st.c.get();
      yield* st.c.set(v + 1);
      if (kind === 'spin') yield* spin_unlock(st.s);
      if (kind === 'mutex') yield* mutex_unlock(st.m);
      if (kind === 'sem') yield* up(st.sem);
    })),
    final: [{ name: 'no lost update', check: (s) => s.c.value === 2 || `count = ${s.c.value}` }],
  });
}

describe('mutual exclusion', () => {
  it('an unlocked read-modify-write of a plain field is a KCSAN data race', () => {
    const v = expectKind(dpor(counterModel('none')), 'data-race');
    expect(v.title).toContain('KCSAN');
  });
  for (const k of ['spin', 'mutex', 'sem'] as const) {
    it(`${k}: no race, no lost update, exhaustively`, () => {
      expectClean(exhaust(counterModel(k)));
    });
  }
});

describe('trylock outcome sets', () => {
  it('spin_trylock / mutex_trylock / down_trylock: at most one of two wins while the other holds', () => {
    const out = new Outcomes();
    const m = defineModel<{ s: SpinlockT; m: KMutex; sem: Semaphore; r: string[] }, Record<string, never>>({
      name: 'linux-test/trylocks',
      scenarios: { default: {} },
      setup: () => ({ s: new SpinlockT('s'), m: new KMutex('m'), sem: new Semaphore('sem', 1), r: ['', ''] }),
      threads: (st) => [0, 1].map((i) => thread(`t${i}`, function* () {
        const a = yield* spin_trylock(st.s);
        const b = (yield* mutex_trylock(st.m)) === 1;
        const c = (yield* down_trylock(st.sem)) === 0;
        st.r[i] = `${+a}${+b}${+c}`;
        if (c) yield* up(st.sem);
        if (b) yield* mutex_unlock(st.m);
        if (a) yield* spin_unlock(st.s);
      })),
      final: [{ name: 'record', check: (s) => out.record(s.r.join(' ')) }],
    });
    exhaust(m);
    // Each lock goes to exactly one thread when they overlap, to both when they do not.
    for (const o of out.seen) {
      const [x, y] = o.split(' ') as [string, string];
      for (let k = 0; k < 3; k++) expect(x[k] === '1' || y[k] === '1').toBe(true);
    }
    expect(out.seen.has('111 111')).toBe(true);
    expect(out.seen.has('111 000')).toBe(true);
    expect(out.seen.has('000 111')).toBe(true);
  });
});

describe('semaphore', () => {
  it('count 2 admits at most two holders, and two are reachable (3 threads, exhaustive DPOR)', () => {
    const out = new Outcomes();
    const m = defineModel<{ sem: Semaphore; in: AtomicT; max: number }, Record<string, never>>({
      name: 'linux-test/sem-count2',
      scenarios: { default: {} },
      setup: () => ({ sem: new Semaphore('sem', 2), in: new AtomicT(0, 'inside'), max: 0 }),
      threads: (st) => [0, 1, 2].map((i) => thread(`t${i}`, function* () {
        yield* down(st.sem);
        const n = yield* atomic_inc_return(st.in);
        st.max = Math.max(st.max, n);
        yield* atomic_dec(st.in);
        yield* up(st.sem);
      })),
      final: [{ name: 'record', check: (s) => out.record(`max=${s.max} count=${s.sem.value}`) }],
    });
    const r = dpor(m);
    expect(r.finding).toBeNull();
    expect(r.exhaustive).toBe(true);
    expect(out.sorted()).toEqual(['max=1 count=2', 'max=2 count=2']);
  });
  it('down blocks until another thread ups (a completion built from a semaphore)', () => {
    const out = new Outcomes();
    const m = defineModel<{ done: Semaphore; data: Field<number>; seen: number }, Record<string, never>>({
      name: 'linux-test/sem-completion',
      scenarios: { default: {} },
      setup: () => ({ done: new Semaphore('done', 0), data: new Field(0, 'data'), seen: -1 }),
      threads: (st) => [
        thread('producer', function* () { yield* st.data.set(42); yield* up(st.done); }),
        thread('consumer', function* () { yield* down(st.done); st.seen = yield* st.data.get(); }),
      ],
      final: [{ name: 'record', check: (s) => out.record(String(s.seen)) }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['42']);
  });
  it('a down nobody ups is reported as a deadlock naming the semaphore', () => {
    const m = defineModel<{ sem: Semaphore }, Record<string, never>>({
      name: 'linux-test/sem-stuck',
      scenarios: { default: {} },
      setup: () => ({ sem: new Semaphore('sem', 1) }),
      threads: (st) => [0, 1].map((i) => thread(`t${i}`, function* () { yield* down(st.sem); })),
    });
    const v = expectKind(exhaust(m), 'deadlock');
    expect(v.message).toContain('semaphore sem');
  });
});

describe('atomic context', () => {
  it('spin_lock_irqsave nests: flags restore the outer state; preempt count follows the locks', () => {
    const out = new Outcomes();
    const m = defineModel<{ a: SpinlockT; b: SpinlockT; log: string[] }, Record<string, never>>({
      name: 'linux-test/irqsave',
      scenarios: { default: {} },
      setup: () => ({ a: new SpinlockT('a'), b: new SpinlockT('b'), log: [] }),
      threads: (st) => [thread('t', function* () {
        const st0 = `${+in_atomic()}${+irqs_disabled()}`;
        const f1 = yield* spin_lock_irqsave(st.a);
        const f2 = yield* spin_lock_irqsave(st.b);
        const st2 = `${+in_atomic()}${+irqs_disabled()}`;
        yield* spin_unlock_irqrestore(st.b, f2);
        const st3 = `${+in_atomic()}${+irqs_disabled()}`;
        yield* spin_unlock_irqrestore(st.a, f1);
        const st4 = `${+in_atomic()}${+irqs_disabled()}`;
        const g = local_irq_save();
        const st5 = `${+irqs_disabled()}`;
        local_irq_restore(g);
        st.log.push(st0, `${f1}${f2}`, st2, st3, st4, st5, `${+irqs_disabled()}`);
      })],
      final: [{ name: 'record', check: (s) => out.record(s.log.join(' ')) }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['00 01 11 11 00 1 0']);
  });
});
