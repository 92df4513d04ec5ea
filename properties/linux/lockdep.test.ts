// Lockdep-style sanitizers: lock-order inversion from the class graph (kept across executions),
// recursive locking, bad unlock balance, and sleeping calls from atomic context. Every trigger is
// reached only on some interleavings (or some choose values); every corrected twin is clean.
import { describe, expect, it } from 'vitest';
import {
  Field, GFP_ATOMIC, GFP_KERNEL, KMutex, Semaphore, SpinlockT, down, up, check, choose, defineModel, kfree, kmalloc, local_irq_restore,
  local_irq_save, mutex_lock, mutex_unlock, rcu_read_lock, rcu_read_unlock, spin_lock, spin_unlock, synchronize_rcu,
  thread, irqThread, spin_lock_irqsave, spin_unlock_irqrestore,
} from '../../src/index.js';
import { dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface AB { a: SpinlockT; b: SpinlockT; flag: Field<number> }

/** T1 takes B then A, but only after T0 has been through its A -> B section: no execution deadlocks. */
function abbaModel(inverted: boolean) {
  return defineModel<AB, Record<string, never>>({
    name: inverted ? 'linux-test/lockdep-abba' : 'linux-test/lockdep-ab-ab',
    scenarios: { default: {} },
    setup: () => ({ a: new SpinlockT('A'), b: new SpinlockT('B'), flag: new Field(0, 'flag') }),
    threads: (s) => [
      thread('ab', function* () {
        yield* spin_lock(s.a, 'ab: spin_lock(A)');
        yield* spin_lock(s.b, 'ab: spin_lock(B)');
        yield* s.flag.setOnce(1);
        yield* spin_unlock(s.b, 'ab: spin_unlock(B)');
        yield* spin_unlock(s.a, 'ab: spin_unlock(A)');
      }),
      thread('late', function* () {
        const first = inverted && (yield* s.flag.once()) === 1 ? s.b : s.a;
        const second = first === s.a ? s.b : s.a;
        yield* spin_lock(first, `late: spin_lock(${first.name})`);
        yield* spin_lock(second, `late: spin_lock(${second.name})`);
        yield* spin_unlock(second, `late: spin_unlock(${second.name})`);
        yield* spin_unlock(first, `late: spin_unlock(${first.name})`);
      }),
    ],
  });
}

describe('lockdep: lock-order', () => {
  it('no execution of the ABBA model can deadlock (checked with lockdep off)', () => {
    const r = check(abbaModel(true), { strategy: 'dfs', sanitize: false });
    expect(r.finding).toBeNull();
    expect(r.exhaustive).toBe(true);
  });
  it('yet lockdep reports the circular dependency, with both chains', () => {
    const v = expectKind(dpor(abbaModel(true)), 'lock-order');
    expect(v.title).toBe('WARNING: possible circular locking dependency detected');
    expect(v.message).toContain("is trying to acquire A at 'late: spin_lock(A)'");
    expect(v.message).toContain("already holds B, taken at 'late: spin_lock(B)'");
    expect(v.message).toContain("B taken at 'ab: spin_lock(B)' while holding A (taken at 'ab: spin_lock(A)') by ab");
    expect(v.facts).toEqual({
      new_dependency: 'B -> A', existing_chain: 'A -> B', chain_from: 'this execution',
      // Each part once more, for the report's lockdep block.
      acquiring: 'A', acquiring_at: 'late: spin_lock(A)', held: 'B', held_at: 'late: spin_lock(B)',
      dep0: 'A -> B', dep0_at: 'ab: spin_lock(B)', dep0_holding_at: 'ab: spin_lock(A)', dep0_by: 'ab', dep0_earlier: false,
    });
  });
  it('the same-order twin is clean', () => {
    expectClean(exhaust(abbaModel(false)));
  });
  it('the graph is kept across executions: orders chosen in different executions still collide', () => {
    const m = defineModel<{ a: KMutex; b: KMutex }, Record<string, never>>({
      name: 'linux-test/lockdep-cross-exec',
      scenarios: { default: {} },
      setup: () => ({ a: new KMutex('A'), b: new KMutex('B') }),
      threads: (s) => [thread('t', function* () {
        const c = yield* choose(2);
        const [x, y] = c === 0 ? [s.a, s.b] : [s.b, s.a];
        yield* mutex_lock(x);
        yield* mutex_lock(y);
        yield* mutex_unlock(y);
        yield* mutex_unlock(x);
      })],
    });
    const one = check(m, { strategy: 'dfs', maxExecutions: 1 });
    expect(one.finding).toBeNull();
    const v = expectKind(exhaust(m), 'lock-order');
    expect(v.facts?.['new_dependency']).toBe('B -> A');
    expect(v.facts?.['chain_from']).toBe('earlier execution');
    expect(v.message).toContain('replaying this schedule alone does not show the inversion');
  });
});

describe('lockdep: lock-misuse', () => {
  function relock(buggy: boolean) {
    return defineModel<{ l: SpinlockT; flag: Field<number> }, Record<string, never>>({
      name: buggy ? 'linux-test/recursive-spin' : 'linux-test/recursive-spin-fixed',
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('dev_lock'), flag: new Field(0, 'flag') }),
      threads: (s) => [
        thread('worker', function* () {
          yield* spin_lock(s.l, 'worker: spin_lock');
          const slow = (yield* s.flag.once()) === 1;
          if (slow && buggy) yield* spin_lock(s.l, 'worker: slow path spin_lock');
          yield* spin_unlock(s.l, 'worker: spin_unlock');
        }),
        thread('setter', function* () { yield* s.flag.setOnce(1); }),
      ],
    });
  }
  it('a recursive spin_lock on one path is reported as recursive locking, not a deadlock', () => {
    const v = expectKind(dpor(relock(true)), 'lock-misuse');
    expect(v.title).toBe('WARNING: possible recursive locking detected');
    expect(v.message).toContain("taken at worker: spin_lock");
    expectClean(exhaust(relock(false)));
  });

  function unbalanced(buggy: boolean) {
    return defineModel<{ l: SpinlockT; flag: Field<number> }, Record<string, never>>({
      name: buggy ? 'linux-test/bad-unlock' : 'linux-test/bad-unlock-fixed',
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('dev_lock'), flag: new Field(0, 'flag') }),
      threads: (s) => [
        thread('worker', function* () {
          const fast = (yield* s.flag.once()) === 1;
          if (!fast) yield* spin_lock(s.l);
          if (!fast || buggy) yield* spin_unlock(s.l, 'worker: spin_unlock');
        }),
        thread('setter', function* () { yield* s.flag.setOnce(1); }),
      ],
    });
  }
  it('releasing a lock not held on one path is a bad unlock balance', () => {
    const v = expectKind(dpor(unbalanced(true)), 'lock-misuse');
    expect(v.title).toBe('WARNING: bad unlock balance detected!');
    expectClean(exhaust(unbalanced(false)));
  });
});

type Sleeper = 'gfp' | 'mutex' | 'rcu' | 'irq' | 'sem';

/** A sleeping call made inside an atomic section only when another thread's flag is seen. */
function sleepModel(what: Sleeper, buggy: boolean) {
  return defineModel<{ l: SpinlockT; m: KMutex; sem: Semaphore; flag: Field<number> }, Record<string, never>>({
    name: `linux-test/sleep-${what}-${buggy ? 'posted' : 'fixed'}`,
    scenarios: { default: {} },
    setup: () => ({ l: new SpinlockT('table_lock'), m: new KMutex('cfg_mutex'), sem: new Semaphore('cfg_sem', 1), flag: new Field(0, 'grow') }),
    threads: (s) => [
      thread('worker', function* () {
        let flags = 0;
        if (what === 'rcu') yield* rcu_read_lock('worker: rcu_read_lock');
        else if (what === 'irq') flags = local_irq_save();
        else yield* spin_lock(s.l, 'worker: spin_lock');
        const grow = (yield* s.flag.once()) === 1;
        const inside = buggy && grow;
        if (inside) yield* sleeper(s);
        if (what === 'rcu') yield* rcu_read_unlock('worker: rcu_read_unlock');
        else if (what === 'irq') local_irq_restore(flags);
        else yield* spin_unlock(s.l, 'worker: spin_unlock');
        if (grow && !inside) yield* sleeper(s);
      }),
      thread('grower', function* () { yield* s.flag.setOnce(1); }),
    ],
  });
  function* sleeper(s: { m: KMutex; sem: Semaphore }) {
    if (what === 'gfp') {
      const p = yield* kmalloc('buf', GFP_KERNEL, undefined, 'worker: kmalloc(GFP_KERNEL)');
      yield* kfree(p);
    } else if (what === 'sem') {
      yield* down(s.sem, 'worker: down');
      yield* up(s.sem);
    } else if (what === 'mutex' || what === 'irq') {
      yield* mutex_lock(s.m, 'worker: mutex_lock');
      yield* mutex_unlock(s.m);
    } else {
      yield* synchronize_rcu('worker: synchronize_rcu');
    }
  }
}

describe('might_sleep: sleep-in-atomic', () => {
  const cases: [Sleeper, string, string][] = [
    ['gfp', 'kmalloc(GFP_KERNEL)', 'in_atomic(): 1 (preempt_count 1, holding table_lock'],
    ['mutex', 'mutex_lock()', 'in_atomic(): 1'],
    ['rcu', 'synchronize_rcu()', 'rcu_read_lock nesting 1'],
    ['irq', 'mutex_lock()', 'irqs_disabled(): 1'],
    ['sem', 'down()', 'in_atomic(): 1'],
  ];
  for (const [what, call, why] of cases) {
    it(`${call} in atomic context (${what}) is found; the twin that calls it outside is clean`, () => {
      const v = expectKind(dpor(sleepModel(what, true)), 'sleep-in-atomic');
      expect(v.title).toContain('BUG: sleeping function called from invalid context at worker');
      expect(v.message).toContain(call);
      expect(v.message).toContain(why);
      if (what === 'gfp') expect(v.facts).toEqual({ in_atomic: true, irqs_disabled: false, rcu_read_lock_nesting: 0, locks_held: "table_lock at 'worker: spin_lock'" });
      expectClean(exhaust(sleepModel(what, false)));
    });
  }
  it('GFP_ATOMIC under a spinlock is fine', () => {
    const m = defineModel<{ l: SpinlockT }, Record<string, never>>({
      name: 'linux-test/gfp-atomic',
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('l') }),
      threads: (s) => [0, 1].map((i) => thread(`t${i}`, function* () {
        yield* spin_lock(s.l);
        const p = yield* kmalloc('buf', GFP_ATOMIC);
        yield* spin_unlock(s.l);
        yield* kfree(p);
      })),
    });
    expectClean(exhaust(m));
  });
  it('with sanitizers off the sleeping call is not checked', () => {
    const r = check(sleepModel('gfp', true), { strategy: 'dfs', sanitize: false });
    expect(r.finding).toBeNull();
    expect(r.exhaustive).toBe(true);
  });
});

describe('lockdep: irq safety', () => {
  /** A spinlock shared with an interrupt handler; process context forgets irqsave on one path. */
  function irqModel(fixed: boolean) {
    return defineModel<{ l: SpinlockT; flag: Field<number>; n: Field<number> }, Record<string, never>>({
      name: `linux-test/irq-lock-${fixed ? 'fixed' : 'posted'}`,
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('mapping->lock'), flag: new Field(0, 'fast'), n: new Field(0, 'count') }),
      threads: (s) => [
        thread('dma_map', function* () {
          const fast = !fixed && (yield* s.flag.once()) === 1;
          if (fast) {
            yield* spin_lock(s.l, 'dma_map: spin_lock (fast path)');
            yield* s.n.set(1);
            yield* spin_unlock(s.l);
          } else {
            const f = yield* spin_lock_irqsave(s.l, 'dma_map: spin_lock_irqsave');
            yield* s.n.set(1);
            yield* spin_unlock_irqrestore(s.l, f);
          }
        }),
        irqThread('dma_irq', function* () {
          yield* spin_lock(s.l, 'dma_irq: spin_lock');
          yield* s.n.get();
          yield* spin_unlock(s.l);
        }),
        thread('tuner', function* () { yield* s.flag.setOnce(1); }),
      ],
    });
  }
  it('a lock taken in a handler and, on one path, with irqs on is inconsistent lock state', () => {
    const v = expectKind(dpor(irqModel(false)), 'lock-order');
    expect(v.title).toBe('WARNING: inconsistent lock state');
    expect(v.message).toContain("taken in an interrupt handler at 'dma_irq: spin_lock'");
    expect(v.message).toContain("with interrupts enabled at 'dma_map: spin_lock (fast path)'");
    expectClean(exhaust(irqModel(true)));
  });
  it('sleeping in an interrupt handler is sleep-in-atomic', () => {
    const m = defineModel<{ m: KMutex }, Record<string, never>>({
      name: 'linux-test/irq-sleep',
      scenarios: { default: {} },
      setup: () => ({ m: new KMutex('m') }),
      threads: (s) => [irqThread('irq', function* () { yield* mutex_lock(s.m, 'irq: mutex_lock'); yield* mutex_unlock(s.m); })],
    });
    expect(expectKind(exhaust(m), 'sleep-in-atomic').message).toContain('in_irq(): 1');
  });
});
