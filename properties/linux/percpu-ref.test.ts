// percpu_ref (atomic mode): users find an object under RCU and tryget_live / put around their use
// of it, the owner kills the ref, waits for the release, unpublishes, waits a grace period, frees; DPOR (exhaustive) finds no use after free. The twin that frees right after the kill (no wait) is found by DPOR,
// as is a second kill (WARN) and a put without a get (the count's WARN); init fails under
// allocation-failure injection and a ref never exited is a kmemleak leak.
import { describe, expect, it } from 'vitest';
import {
  Completion, Field, GFP_KERNEL, type KPtr, PercpuRef, complete, defineModel, kernelConfig, kfree, kzalloc, percpu_ref_exit,
  percpu_ref_init, percpu_ref_kill, percpu_ref_put, percpu_ref_tryget_live, thread, wait_for_completion, check,
  WRITE_ONCE, rcu_assign_pointer, rcu_dereference, rcu_read_lock, rcu_read_unlock, synchronize_rcu,
} from '../../src/index.js';
import { dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface Obj { ref: PercpuRef; done: Completion; data: Field<number> }
interface S { pub: Field<KPtr<Obj> | null> }

/** Two users and an owner; `wait`: the owner waits for the release before kfree. */
function model(wait: boolean, exit = true) {
  return defineModel<S, Record<string, never>>({
    name: `linux-test/percpu-ref-${wait ? 'kill-and-wait' : 'kill-and-free'}${exit ? '' : '-no-exit'}`,
    scenarios: { default: {} },
    setup: () => ({ pub: new Field<KPtr<Obj> | null>(null, 'published obj') }),
    threads: (s) => [
      thread('owner', function* () {
        const o = yield* kzalloc<Obj>('obj', GFP_KERNEL, (b) => ({ ref: new PercpuRef('obj->ref', b), done: new Completion('obj->done', b), data: new Field(0, 'data', b) }));
        if (o === null) return;
        if ((yield* percpu_ref_init(o.ref, () => complete(o.done, 'release: complete'), GFP_KERNEL)) !== 0) {
          yield* kfree(o);
          return;
        }
        yield* rcu_assign_pointer(s.pub, o, 'owner: publish');
        yield* percpu_ref_kill(o.ref, 'owner: percpu_ref_kill');
        if (wait) yield* wait_for_completion(o.done, 'owner: wait_for_completion');
        yield* rcu_assign_pointer(s.pub, null, 'owner: unpublish');
        yield* synchronize_rcu('owner: synchronize_rcu');
        if (exit) yield* percpu_ref_exit(o.ref);
        yield* kfree(o, 'owner: kfree');
      }),
      ...[0, 1].map((i) => thread(`user${i}`, function* () {
        yield* rcu_read_lock(`user${i}: rcu_read_lock`);
        const o = yield* rcu_dereference(s.pub, `user${i}: look it up`);
        const got = o !== null && (yield* percpu_ref_tryget_live(o.ref, `user${i}: tryget_live`));
        yield* rcu_read_unlock(`user${i}: rcu_read_unlock`);
        if (o !== null && got) {
          yield* WRITE_ONCE(o.data, i + 1, `user${i}: use`);
          yield* percpu_ref_put(o.ref, `user${i}: put`);
        }
      })),
    ],
  });
}

describe('percpu_ref', () => {
  it('kill, then wait for the release, then free: no use after free in any interleaving', () => {
    expectClean(dpor(model(true), undefined, 200_000));
  });

  it('kill, then free at once: a user that got its reference before the kill uses freed memory (DPOR)', () => {
    expectKind(dpor(model(false)), 'use-after-free');
  });

  it('a ref never percpu_ref_exit()ed leaks its counters', () => {
    expectKind(dpor(model(true, false)), 'leak');
  });

  it('percpu_ref_init fails under allocation-failure injection, and the failure path is clean', () => {
    const m = defineModel<{ rc: number[] }, Record<string, never>>({
      name: 'linux-test/percpu-ref-init-fails',
      scenarios: { default: {} },
      setup: () => { kernelConfig({ failAllocs: true }); return { rc: [] }; },
      threads: (s) => [thread('init', function* () {
        const r = new PercpuRef('ref');
        const rc = yield* percpu_ref_init(r, function* () { /* nothing */ }, GFP_KERNEL);
        s.rc.push(rc);
        if (rc === 0) { yield* percpu_ref_kill(r); yield* percpu_ref_exit(r); }
      })],
      final: [{ name: 'rc', check: (s) => s.rc[0] === 0 || s.rc[0] === -12 }],
    });
    const r = check(m, { strategy: 'dfs', maxExecutions: 10 });
    expect(r.finding).toBeNull();
    expect(r.executions).toBe(2);
  });

  it('a second kill WARNs; a put without a reference WARNs', () => {
    const m = (twice: boolean) => defineModel<Record<string, never>, Record<string, never>>({
      name: `linux-test/percpu-ref-${twice ? 'double-kill' : 'extra-put'}`,
      scenarios: { default: {} },
      setup: () => ({}),
      threads: () => [thread('t', function* () {
        const r = new PercpuRef('ref');
        yield* percpu_ref_init(r, function* () { /* nothing */ }, GFP_KERNEL);
        yield* percpu_ref_kill(r);
        if (twice) yield* percpu_ref_kill(r);
        else yield* percpu_ref_put(r);
        yield* percpu_ref_exit(r);
      })],
    });
    expect(expectKind(exhaust(m(true)), 'assertion').title).toContain('percpu_ref_kill() called more than once');
    expect(expectKind(exhaust(m(false)), 'assertion').title).toContain('percpu ref <= 0');
  });
});
