/**
 * Object lifetimes, RCU-deferred frees and publication under `--memory-model lkmm`
 * (src/engine/lkmm/lifetime.ts, memory.ts), on the kernel's own idiom: a reader walks an RCU list
 * inside rcu_read_lock() and reads an entry's field while the updater unlinks the entry
 * (list_del_rcu) and frees it after synchronize_rcu() or with kfree_rcu(). Under the LKMM the
 * engine's interleaving does not decide whether an access saw the object freed: the graph does.
 * The reader may run its section after the grace period in the engine's order and still take the
 * stale list pointer (nothing orders it), and the execution must not then report a use after free
 * the RCU guarantee rules out (the regression this file was written for: a prefix halted at the
 * access, with the reader's section still open). Each weakening (no grace period, the field read
 * outside the section that loaded the pointer) must still be found, so the tests can fail both ways.
 * Also: a wait on a flag acquires the store that satisfied it; rcu_dereference's pointer is an
 * address dependency for the accesses through it (rcu_access_pointer's is not); the audit's
 * commutation check moves a step's reads-from choices with it.
 */
import { describe, expect, it } from 'vitest';
import {
  Field, type KPtr, LIST_HEAD, ListHead, type Model, type Op, OpKind, READS_OWN, check, defineModel, kfree, kfree_rcu,
  list_del_rcu, list_for_each_entry_rcu, rcuCallbackThread, rcu_access_pointer, rcu_assign_pointer, rcu_dereference,
  rcu_read_lock, rcu_read_unlock, setup_kzalloc, smp_store_release, synchronize_rcu, thread, kmalloc, GFP_KERNEL, READ_ONCE, WRITE_ONCE,
} from '../../src/index.js';

type G<R> = Generator<Op, R, unknown>;
interface Node { list: ListHead<Node>; val: Field<number> }
interface S { head: ListHead<Node>; node: KPtr<Node>; seen: number }
type Free = 'sync' | 'none' | 'kfree_rcu';
type Read = 'in-section' | 'split';

function rcuList(free: Free, read: Read): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `lkmm-lifetime/${free}-${read}`,
    scenarios: { default: {} },
    setup: () => {
      const head = LIST_HEAD<Node>('head');
      const node = setup_kzalloc<Node>('struct node', (b) => {
        const n: Node = { list: new ListHead<Node>('node.list', b), val: new Field(7, 'node.val', b) };
        n.list.owner = n;
        return n;
      });
      head.next.v = node.list;
      head.prev.v = node.list;
      node.list.next.v = head;
      node.list.prev.v = head;
      return { head, node, seen: -1 };
    },
    threads: (s) => [
      thread('updater', function* () {
        yield* list_del_rcu(s.node.list, 'list_del_rcu(&node->list)');
        if (free === 'sync') {
          yield* synchronize_rcu('synchronize_rcu()');
          yield* kfree(s.node, 'kfree(node)');
        } else if (free === 'none') {
          yield* kfree(s.node, 'kfree(node)');
        } else {
          yield* kfree_rcu(s.node, 'kfree_rcu(node, rcu)');
        }
      }),
      thread('reader', function* () {
        yield* rcu_read_lock('rcu_read_lock()');
        let found: Node | null = null;
        yield* list_for_each_entry_rcu(s.head, function* (n: Node) {
          found = n;
          if (read === 'in-section') s.seen = yield* n.val.get('n->val');
          return true;
        }, 'list_for_each_entry_rcu');
        yield* rcu_read_unlock('rcu_read_unlock()');
        if (read === 'split' && found !== null) s.seen = yield* (found as Node).val.get('n->val (after rcu_read_unlock)');
      }),
      ...(free === 'kfree_rcu' ? [rcuCallbackThread()] : []),
    ],
  });
}

/** The first violation's title under DFS and DPOR (they must agree; a clean run must be exhaustive). */
function verdict(m: Model<S, Record<string, never>>, memoryModel: 'sc' | 'lkmm'): string | null {
  const out = (['dfs', 'dpor'] as const).map((strategy) => {
    const r = check(m, { strategy, memoryModel, maxExecutions: 50_000 });
    expect(r.finding !== null || r.exhaustive, `${m.name} ${strategy} ${memoryModel}`).toBe(true);
    expect(r.notes.filter((n) => /swapping/.test(n)), `${m.name} ${strategy} ${memoryModel}: audit`).toEqual([]);
    return r.finding?.violation.title ?? null;
  });
  expect(out[0], `${m.name}: DFS and DPOR agree under ${memoryModel}`).toBe(out[1]);
  return out[0] ?? null;
}

describe('RCU-deferred free under the LKMM', () => {
  it('list_del_rcu + synchronize_rcu + kfree, field read inside the section: no use after free (sc and lkmm)', () => {
    expect(verdict(rcuList('sync', 'in-section'), 'sc')).toBeNull();
    expect(verdict(rcuList('sync', 'in-section'), 'lkmm')).toBeNull();
  });

  it('kfree_rcu (call_rcu has LKMM semantics: a release, then a grace period before the callback): no use after free', () => {
    expect(verdict(rcuList('kfree_rcu', 'in-section'), 'sc')).toBeNull();
    expect(verdict(rcuList('kfree_rcu', 'in-section'), 'lkmm')).toBeNull();
  });

  it('kfree without a grace period, or the field read after rcu_read_unlock: the use after free is found under both models', () => {
    for (const m of [rcuList('none', 'in-section'), rcuList('sync', 'split'), rcuList('kfree_rcu', 'split')]) {
      expect(verdict(m, 'sc'), m.name).toMatch(/^BUG: KASAN: use-after-free/);
      expect(verdict(m, 'lkmm'), m.name).toMatch(/^BUG: KASAN: use-after-free/);
    }
  });
});

interface P { data: Field<number>; flag: Field<number>; gp: Field<KPtr<{ f: Field<number> }> | null>; seen: number }

function pub(name: string, reader: (s: P) => G<void>, writer: (s: P) => G<void>): Model<P, Record<string, never>> {
  return defineModel<P, Record<string, never>>({
    name: `lkmm-lifetime/${name}`, scenarios: { default: {} }, leakCheck: false,
    setup: () => ({ data: new Field(0, 'data'), flag: new Field(0, 'flag'), gp: new Field<KPtr<{ f: Field<number> }> | null>(null, 'gp'), seen: -1 }),
    threads: (s) => [thread('writer', () => writer(s)), thread('reader', () => reader(s))],
    final: [{ name: 'the reader saw the initialised value', check: (s) => s.seen === -1 || s.seen === 1 }],
  });
}

describe('publication under the LKMM', () => {
  it('a wait on a flag set by smp_store_release acquires it: the plain data written before is visible and race-free', () => {
    const waiter = function* (s: P): G<void> {
      yield { kind: OpKind.Wait, obj: s.flag.id, label: 'wait for flag', until: () => s.flag.v === 1, reads: READS_OWN };
      s.seen = yield* s.data.get('data');
    };
    const setter = (release: boolean) => function* (s: P): G<void> {
      yield* s.data.set(1, 'data = 1');
      if (release) yield* smp_store_release(s.flag, 1, 'smp_store_release(&flag, 1)');
      else yield* WRITE_ONCE(s.flag, 1, 'WRITE_ONCE(flag, 1)');
    };
    expect(verdict(pub('wait-acquires', waiter, setter(true)) as unknown as Model<S, Record<string, never>>, 'lkmm')).toBeNull();
    // With WRITE_ONCE instead of the release, the wait orders nothing on the writer's side: a race.
    expect(verdict(pub('wait-once', waiter, setter(false)) as unknown as Model<S, Record<string, never>>, 'lkmm')).toMatch(/KCSAN: data-race/);
  });

  function publisher(s: P): G<void> {
    return (function* () {
      const p = yield* kmalloc<{ f: Field<number> }>('struct obj', GFP_KERNEL, (b) => ({ f: new Field(0, 'obj.f', b) }), 'kmalloc(obj)');
      if (p === null) return;
      yield* p.f.set(1, 'p->f = 1');
      yield* rcu_assign_pointer(s.gp, p, 'rcu_assign_pointer(gp, p)');
    })();
  }

  it("rcu_dereference's pointer carries an address dependency to p->f; rcu_access_pointer's does not (a data race)", () => {
    const deref = pub('rcu-deref', function* (s) {
      yield* rcu_read_lock();
      const p = yield* rcu_dereference(s.gp, 'p = rcu_dereference(gp)');
      if (p !== null) s.seen = yield* p.f.get('p->f');
      yield* rcu_read_unlock();
    }, publisher);
    expect(verdict(deref as unknown as Model<S, Record<string, never>>, 'lkmm')).toBeNull();
    const access = pub('rcu-access', function* (s) {
      const p = yield* rcu_access_pointer(s.gp, 'p = rcu_access_pointer(gp)');
      if (p !== null) s.seen = yield* p.f.get('p->f');
    }, publisher);
    expect(verdict(access as unknown as Model<S, Record<string, never>>, 'lkmm')).toMatch(/KCSAN: data-race/);
    // READ_ONCE of the pointer and READ_ONCE of the field: the stale field is reachable without the dependency.
    const once = pub('read-once', function* (s) {
      const p = yield* READ_ONCE(s.gp, 'p = READ_ONCE(gp)');
      if (p !== null) s.seen = yield* READ_ONCE(p.f, 'READ_ONCE(p->f)');
    }, function* (s) {
      const p = yield* kmalloc<{ f: Field<number> }>('struct obj', GFP_KERNEL, (b) => ({ f: new Field(0, 'obj.f', b) }), 'kmalloc(obj)');
      if (p === null) return;
      yield* WRITE_ONCE(p.f, 1, 'WRITE_ONCE(p->f, 1)');
      yield* rcu_assign_pointer(s.gp, p, 'rcu_assign_pointer(gp, p)');
    });
    expect(verdict(once as unknown as Model<S, Record<string, never>>, 'lkmm')).toMatch(/the reader saw the initialised value/);
  });
});

interface X { x: Field<number>; y: Field<number>; z: Field<number> }

describe("the audit under the LKMM", () => {
  it("swapping two independent steps moves a read's reads-from choice with it (no false 'model shares state' note)", () => {
    const m = defineModel<X, Record<string, never>>({
      name: 'lkmm-lifetime/audit-swap', scenarios: { default: {} }, leakCheck: false,
      setup: () => ({ x: new Field(0, 'x'), y: new Field(0, 'y'), z: new Field(0, 'z') }),
      threads: (s) => [
        thread('P0', function* () { yield* WRITE_ONCE(s.x, 1); yield* WRITE_ONCE(s.x, 2); yield* READ_ONCE(s.y); }),
        thread('P1', function* () { yield* READ_ONCE(s.x); yield* READ_ONCE(s.x); yield* WRITE_ONCE(s.y, 1); }),
        thread('P2', function* () { yield* WRITE_ONCE(s.z, 1); yield* READ_ONCE(s.y); yield* WRITE_ONCE(s.z, 2); }),
      ],
    });
    for (const strategy of ['dpor', 'dfs'] as const) {
      const r = check(m, { strategy, memoryModel: 'lkmm', maxExecutions: 100_000 });
      expect(r.notes, strategy).toEqual([]);
      expect(r.exhaustive, strategy).toBe(true);
      expect(r.finding, strategy).toBeNull();
    }
  });
});
