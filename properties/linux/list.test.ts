// list_head and RCU list contracts: outcome sets of concurrent inserts, races without the lock,
// poisoning after list_del (a walk through a deleted entry, a double list_del), and RCU lists
// retired with and without a grace period.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Field, GFP_KERNEL, type KPtr, ListHead, SpinlockT, type Model, defineModel, kfree, kmalloc, list_add, list_add_rcu,
  list_add_tail, list_del, list_del_init, list_del_rcu, list_empty, list_entry, list_first_entry, list_for_each_entry,
  list_for_each_entry_rcu, list_for_each_entry_safe, list_next, rcu_read_lock, rcu_read_unlock, spin_lock, spin_unlock,
  synchronize_rcu, thread, KMutex, mutex_lock, mutex_unlock,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface Item { id: number; list: ListHead<Item> }

function item(id: number): Item {
  const it: Item = { id, list: new ListHead<Item>(`item${id}.list`) };
  it.list.owner = it;
  return it;
}

/** Read a list by following the pointers' current values (no ops: for final checks). */
function contents(head: ListHead<Item>): number[] {
  const out: number[] = [];
  for (let p = head.next.v; p !== head && p instanceof ListHead && out.length < 10; p = p.next.v) out.push(p.owner?.id ?? -1);
  return out;
}

interface Two { head: ListHead<Item>; lock: SpinlockT; a: Item; b: Item }

function addModel(locked: boolean, out: Outcomes) {
  return defineModel<Two, Record<string, never>>({
    name: locked ? 'linux-test/list-add-locked' : 'linux-test/list-add-unlocked',
    scenarios: { default: {} },
    setup: () => ({ head: new ListHead<Item>('head'), lock: new SpinlockT('list_lock'), a: item(1), b: item(2) }),
    threads: (s) => [s.a, s.b].map((x) => thread(`add${x.id}`, function* () {
      if (locked) yield* spin_lock(s.lock);
      yield* list_add_tail(x.list, s.head, `add${x.id}: list_add_tail`);
      if (locked) yield* spin_unlock(s.lock);
    })),
    final: [{ name: 'record', check: (s) => out.record(contents(s.head).join(',')) }],
  });
}

describe('list_head', () => {
  it('sequential contract: add, add_tail, first_entry, del, empty', () => {
    const out = new Outcomes();
    const m = defineModel<{ head: ListHead<Item>; xs: Item[] }, Record<string, never>>({
      name: 'linux-test/list-seq',
      scenarios: { default: {} },
      setup: () => ({ head: new ListHead<Item>('head'), xs: [item(1), item(2), item(3)] }),
      threads: (s) => [thread('t', function* () {
        const log: string[] = [String(yield* list_empty(s.head))];
        yield* list_add(s.xs[0]!.list, s.head);
        yield* list_add(s.xs[1]!.list, s.head);
        yield* list_add_tail(s.xs[2]!.list, s.head);
        log.push(contents(s.head).join(','), String((yield* list_first_entry(s.head)).id));
        yield* list_del(s.xs[1]!.list);
        log.push(contents(s.head).join(','));
        const seen: number[] = [];
        yield* list_for_each_entry(s.head, function* (e) { seen.push(e.id); });
        log.push(seen.join(','), String(yield* list_empty(s.head)));
        out.record(log.join(' '));
      })],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['true 2,1,3 2 1,3 1,3 false']);
  });
  it('random add / add_tail / del / del_init sequences match an array model (fast-check)', () => {
    const opArb = fc.tuple(fc.constantFrom('add', 'add_tail', 'del', 'del_init'), fc.integer({ min: 0, max: 3 }));
    fc.assert(fc.property(fc.array(opArb, { maxLength: 12 }), (ops) => {
      // The array model, computed once outside the checker (the model only reads it).
      const expected: number[] = [];
      const onRef = new Set<number>();
      for (const [kind, i] of ops) {
        if (kind === 'add' || kind === 'add_tail') {
          if (onRef.has(i)) continue;
          if (kind === 'add') expected.unshift(i);
          else expected.push(i);
          onRef.add(i);
        } else if (onRef.has(i)) {
          expected.splice(expected.indexOf(i), 1);
          onRef.delete(i);
        }
      }
      let lists: string[] = [];
      const m = defineModel<{ head: ListHead<Item>; xs: Item[] }, Record<string, never>>({
        name: 'linux-test/list-fc',
        scenarios: { default: {} },
        setup: () => ({ head: new ListHead<Item>('head'), xs: [item(0), item(1), item(2), item(3)] }),
        threads: (s) => [thread('t', function* () {
          const on = new Set<number>();
          for (const [kind, i] of ops) {
            const x = s.xs[i] as Item;
            if (kind === 'add' || kind === 'add_tail') {
              if (on.has(i)) continue;
              if (kind === 'add') yield* list_add(x.list, s.head);
              else yield* list_add_tail(x.list, s.head);
              on.add(i);
            } else {
              if (!on.has(i)) continue;
              if (kind === 'del') yield* list_del(x.list);
              else yield* list_del_init(x.list);
              on.delete(i);
            }
          }
          const walked: number[] = [];
          yield* list_for_each_entry(s.head, function* (e) { walked.push(e.id); });
          // Assigned, not appended: the run's audit re-runs executions.
          lists = [walked.join(','), String(yield* list_empty(s.head))];
        })],
      });
      expectClean(exhaust(m));
      expect(lists).toEqual([expected.join(','), String(expected.length === 0)]);
    }), { numRuns: 150 });
  });
  it('two locked list_add_tail: both orders, nothing lost', () => {
    const out = new Outcomes();
    expectClean(exhaust(addModel(true, out)));
    expect(out.sorted()).toEqual(['1,2', '2,1']);
  });
  it('two unlocked list_add_tail race on the head pointers (KCSAN)', () => {
    const v = expectKind(dpor(addModel(false, new Outcomes())), 'data-race');
    expect(v.message).toMatch(/head\.(next|prev)/);
  });
});

interface Walk { head: ListHead<Item>; lock: SpinlockT; xs: Item[] }

/** The walker drops the lock in the middle of a walk; the deleter list_del()s meanwhile. */
function staleWalk(restart: boolean): Model<Walk, Record<string, never>> {
  return defineModel<Walk, Record<string, never>>({
    name: restart ? 'linux-test/list-walk-restart' : 'linux-test/list-walk-stale',
    scenarios: { default: {} },
    setup: () => {
      const head = new ListHead<Item>('head');
      const xs = [item(1), item(2)];
      // Pre-link head -> 1 -> 2 -> head (setup may set values directly).
      head.next.v = xs[0]!.list; xs[0]!.list.prev.v = head; xs[0]!.list.next.v = xs[1]!.list;
      xs[1]!.list.prev.v = xs[0]!.list; xs[1]!.list.next.v = head; head.prev.v = xs[1]!.list;
      return { head, lock: new SpinlockT('list_lock'), xs };
    },
    threads: (s) => [
      thread('walker', function* () {
        yield* spin_lock(s.lock, 'walker: spin_lock');
        let pos = yield* list_next(s.head, 'walker: pos = head->next');
        yield* spin_unlock(s.lock, 'walker: spin_unlock (cond_resched)');
        yield* spin_lock(s.lock, 'walker: spin_lock again');
        if (restart) pos = yield* list_next(s.head, 'walker: restart from head');
        while (pos !== s.head) pos = yield* list_next(pos, 'walker: pos = pos->next');
        yield* spin_unlock(s.lock, 'walker: spin_unlock');
      }),
      thread('deleter', function* () {
        yield* spin_lock(s.lock, 'deleter: spin_lock');
        yield* list_del(s.xs[0]!.list, 'deleter: list_del(item1)');
        yield* spin_unlock(s.lock, 'deleter: spin_unlock');
      }),
    ],
  });
}

describe('list poisoning', () => {
  it('continuing a walk through an entry deleted while the lock was dropped hits LIST_POISON1', () => {
    const v = expectKind(dpor(staleWalk(false)), 'page-fault');
    expect(v.title).toContain('LIST_POISON1');
    expect(v.message).toContain("walker: pos = pos->next");
    expectClean(exhaust(staleWalk(true)));
  });

  function doubleDel(fixed: boolean) {
    return defineModel<{ head: ListHead<Item>; lock: SpinlockT; x: Item; on: Field<boolean> }, Record<string, never>>({
      name: fixed ? 'linux-test/list-del-once' : 'linux-test/list-del-twice',
      scenarios: { default: {} },
      setup: () => {
        const head = new ListHead<Item>('head');
        const x = item(1);
        head.next.v = x.list; head.prev.v = x.list; x.list.next.v = head; x.list.prev.v = head;
        return { head, lock: new SpinlockT('list_lock'), x, on: new Field(true, 'x->on_list') };
      },
      threads: (s) => [0, 1].map((i) => thread(`remove${i}`, function* () {
        yield* spin_lock(s.lock);
        let on = yield* s.on.get();
        if (!fixed) {
          yield* spin_unlock(s.lock);
          yield* spin_lock(s.lock);
        }
        if (on) {
          yield* list_del(s.x.list, `remove${i}: list_del`);
          yield* s.on.set(false);
          on = false;
        }
        yield* spin_unlock(s.lock);
      })),
    });
  }
  it('a check-then-delete split across two critical sections deletes twice: list_del corruption', () => {
    const v = expectKind(dpor(doubleDel(false)), 'assertion');
    expect(v.title).toContain('list_del corruption');
    expect(v.message).toContain("list_del'd at 'remove");
    expectClean(exhaust(doubleDel(true)));
  });
  it('list_for_each_entry_safe survives kfree of the current entry; the unsafe walk is a use-after-free', () => {
    for (const safe of [true, false]) {
      const m = defineModel<{ head: ListHead<KPtr<{ list: ListHead<unknown> }>> }, Record<string, never>>({
        name: `linux-test/list-free-walk-${safe ? 'safe' : 'unsafe'}`,
        scenarios: { default: {} },
        setup: () => ({ head: new ListHead('head') }),
        threads: (s) => [thread('t', function* () {
          for (let i = 0; i < 2; i++) {
            const e = yield* kmalloc('entry', GFP_KERNEL, (b) => ({ list: new ListHead<unknown>('list', b) }));
            if (e === null) return;
            e.list.owner = e;
            yield* list_add(e.list as ListHead<never>, s.head as ListHead<never>);
          }
          const walk = safe ? list_for_each_entry_safe : list_for_each_entry;
          yield* walk(s.head, function* (e) {
            yield* list_del(e.list as ListHead<never>);
            yield* kfree(e, 'free entry in the walk');
          });
        })],
      });
      const r = exhaust(m);
      if (safe) expectClean(r);
      else expect(expectKind(r, 'use-after-free').object?.freed?.label).toBe('free entry in the walk');
    }
  });
});

interface RcuList { head: ListHead<KPtr<{ key: Field<number>; list: ListHead<unknown> }>>; m: KMutex }

function rcuListModel(retire: 'sync' | 'none' | 'no-read-lock') {
  type E = KPtr<{ key: Field<number>; list: ListHead<unknown> }>;
  return defineModel<RcuList, Record<string, never>>({
    name: `linux-test/rculist-${retire}`,
    scenarios: { default: {} },
    setup: () => ({ head: new ListHead('ranges'), m: new KMutex('register_lock') }),
    threads: (s) => [
      thread('register', function* () {
        const e = yield* kmalloc('range', GFP_KERNEL, (b) => ({ key: new Field(7, 'key', b), list: new ListHead<unknown>('list', b) }));
        if (e === null) return;
        e.list.owner = e;
        yield* mutex_lock(s.m);
        yield* list_add_rcu(e.list as ListHead<E>, s.head as ListHead<E>, 'register: list_add_rcu');
        yield* mutex_unlock(s.m);
        yield* mutex_lock(s.m);
        yield* list_del_rcu(e.list as ListHead<E>, 'unregister: list_del_rcu');
        yield* mutex_unlock(s.m);
        if (retire !== 'none') yield* synchronize_rcu('unregister: synchronize_rcu');
        yield* kfree(e, 'unregister: kfree');
      }),
      thread('lookup', function* () {
        const locked = retire !== 'no-read-lock';
        if (locked) yield* rcu_read_lock('lookup: rcu_read_lock');
        yield* list_for_each_entry_rcu(s.head as ListHead<E>, function* (e) {
          return (yield* e.key.get('lookup: read e->key')) === 7;
        }, 'lookup: list_for_each_entry_rcu');
        if (locked) yield* rcu_read_unlock('lookup: rcu_read_unlock');
      }),
    ],
  });
}

describe('RCU lists', () => {
  it('list_del_rcu + synchronize_rcu + kfree is clean against a concurrent walk (exhaustive DFS)', () => {
    expectClean(exhaust(rcuListModel('sync')));
  });
  it('without the grace period the walk reads the freed entry (DFS)', () => {
    const v = expectKind(exhaust(rcuListModel('none')), 'use-after-free');
    expect(v.object?.freed?.label).toBe('unregister: kfree');
  });
  it('a walk outside rcu_read_lock is suspicious RCU usage', () => {
    const v = expectKind(exhaust(rcuListModel('no-read-lock')), 'rcu');
    expect(v.title).toContain('RCU-list traversed in non-reader section');
  });
  it('list_entry on a bare head says how to fix it', () => {
    const m = defineModel<{ head: ListHead<Item> }, Record<string, never>>({
      name: 'linux-test/list-entry-head',
      scenarios: { default: {} },
      setup: () => ({ head: new ListHead<Item>('head') }),
      threads: (s) => [thread('t', function* () { yield* list_next(s.head); list_entry(s.head); })],
    });
    const v = expectKind(exhaust(m), 'usage');
    expect(v.message).toContain('set .owner');
  });
});
