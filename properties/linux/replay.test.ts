// Findings of the src/linux sanitizers replay from their token and minimize like any other:
// the per-execution kernel state (RCU object, callbacks, config) and the per-thread context are
// rebuilt from the schedule alone. A lock-order finding whose chain was learnt in the same
// execution replays; one learnt across executions says so in its message (lockdep.test.ts).
import { describe, expect, it } from 'vitest';
import {
  Field, GFP_KERNEL, type KPtr, RefcountT, SpinlockT, check, defineModel, kfree, kmalloc, minimize, rcu_assign_pointer,
  rcu_dereference, rcu_read_lock, rcu_read_unlock, refcount_dec_and_test, refcount_inc, refcount_read, replay,
  spin_lock, spin_unlock, thread, kernelConfig,
} from '../../src/index.js';

interface Obj { ref: RefcountT; data: Field<number> }
interface S { gp: Field<KPtr<Obj> | null>; lock: SpinlockT }

const model = defineModel<S, { failAllocs: boolean; [k: string]: boolean }>({
  name: 'linux-test/replay-mix',
  scenarios: { default: { failAllocs: true } },
  setup: (p) => {
    kernelConfig({ failAllocs: p.failAllocs });
    return { gp: new Field<KPtr<Obj> | null>(null, 'gp'), lock: new SpinlockT('gp_lock') };
  },
  threads: (s) => [
    thread('owner', function* () {
      const o = yield* kmalloc<Obj>('obj', GFP_KERNEL, (b) => ({ ref: new RefcountT(1, 'ref', b), data: new Field(0, 'data', b) }));
      if (o === null) return;
      yield* rcu_assign_pointer(s.gp, o);
      yield* spin_lock(s.lock);
      yield* rcu_assign_pointer(s.gp, null);
      yield* spin_unlock(s.lock);
      if (yield* refcount_dec_and_test(o.ref, 'owner: put')) yield* kfree(o, 'owner: kfree');
    }),
    thread('reader', function* () {
      yield* rcu_read_lock();
      const o = yield* rcu_dereference(s.gp);
      // Posted bug: check-then-get instead of refcount_inc_not_zero.
      if (o !== null && (yield* refcount_read(o.ref)) > 0) {
        yield* refcount_inc(o.ref, 'reader: refcount_inc');
        yield* rcu_read_unlock();
        if (yield* refcount_dec_and_test(o.ref, 'reader: put')) yield* kfree(o, 'reader: kfree');
        return;
      }
      yield* rcu_read_unlock();
    }),
  ],
});

describe('replay and minimization of src/linux findings', () => {
  // The model has two bugs (no grace period before kfree: KASAN; check-then-get: refcount_t).
  for (const strategy of ['dfs', 'random'] as const) {
    it(`a ${strategy} finding replays to the same violation and minimizes without growing`, () => {
      const r = check(model, { strategy, maxExecutions: 5000, seed: 11 });
      const f = r.finding;
      expect(['use-after-free', 'refcount']).toContain(f?.violation.kind);
      if (f === null) return;
      const again = replay(model, f.token);
      expect(again.violation?.kind).toBe(f.violation.kind);
      expect(again.violation?.title).toBe(f.violation.title);
      const m = minimize(model, f.token, { timeMs: 3000, scenario: false });
      expect(m.violation.kind).toBe(f.violation.kind);
      expect(m.steps).toBeLessThanOrEqual(f.steps);
      expect(replay(model, m.token).violation?.kind).toBe(f.violation.kind);
    });
  }
  it('a lock-order finding whose chain was learnt in the same execution replays', () => {
    const abba = defineModel<{ a: SpinlockT; b: SpinlockT; flag: Field<number> }, Record<string, never>>({
      name: 'linux-test/replay-abba',
      scenarios: { default: {} },
      setup: () => ({ a: new SpinlockT('A'), b: new SpinlockT('B'), flag: new Field(0, 'flag') }),
      threads: (s) => [
        thread('ab', function* () {
          yield* spin_lock(s.a); yield* spin_lock(s.b); yield* s.flag.setOnce(1); yield* spin_unlock(s.b); yield* spin_unlock(s.a);
        }),
        thread('late', function* () {
          const inv = (yield* s.flag.once()) === 1;
          const [x, y] = inv ? [s.b, s.a] : [s.a, s.b];
          yield* spin_lock(x); yield* spin_lock(y); yield* spin_unlock(y); yield* spin_unlock(x);
        }),
      ],
    });
    const f = check(abba, { strategy: 'dpor' }).finding;
    expect(f?.violation.kind).toBe('lock-order');
    expect(f?.violation.facts?.['chain_from']).toBe('this execution');
    if (f === null) return;
    expect(replay(abba, f.token).violation?.kind).toBe('lock-order');
  });
});
