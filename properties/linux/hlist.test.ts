// hlist (src/linux/hlist.ts) and list_move / list_splice / list_replace (src/linux/list-move.ts):
// sequential results against an array model, both orders of locked concurrent adds, races without
// the lock, poisoning after hlist_del, and RCU readers against hlist_del_rcu with and without a
// grace period.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GFP_KERNEL, HlistHead, HlistNode, type KPtr, ListHead, SpinlockT, defineModel, hlist_add_before, hlist_add_behind, hlist_add_head,
  hlist_add_head_rcu, hlist_del, hlist_del_init, hlist_del_init_rcu, hlist_del_rcu, hlist_empty, hlist_for_each_entry, hlist_for_each_entry_rcu,
  hlist_for_each_entry_safe, hlist_unhashed, hlist_unhashed_lockless, kfree, kzalloc, list_add_tail, list_empty, list_for_each_entry,
  list_is_first, list_is_last, list_is_singular, list_move, list_move_tail, list_del, list_replace, list_replace_init, list_splice,
  list_splice_init, list_splice_tail, list_splice_tail_init, rcu_read_lock, rcu_read_unlock, spin_lock, spin_unlock, synchronize_rcu, thread,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

interface Obj { id: number; node: HlistNode<Obj> }

function obj(id: number, block = -1): Obj {
  const o: Obj = { id, node: new HlistNode<Obj>(`obj${id}.node`, block) };
  o.node.owner = o;
  return o;
}

/** The bucket's ids by following current pointer values (no ops: for final checks). */
function ids(h: HlistHead<Obj>): number[] {
  const out: number[] = [];
  for (let p = h.first.v; p instanceof HlistNode && out.length < 10; p = p.next.v) out.push(p.owner?.id ?? -1);
  return out;
}

describe('hlist: sequential contract', () => {
  it('random add_head / add_before / add_behind / del / del_init sequences match an array model, pprev links included (fast-check)', () => {
    const opArb = fc.tuple(fc.constantFrom('head', 'before', 'behind', 'del', 'del_init'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(fc.property(fc.array(opArb, { maxLength: 12 }), (ops) => {
      // Written at the end of each run: the engine may run an execution more than once (its
      // nondeterminism audit), so nothing outside the thread accumulates across runs.
      let want: number[] = [];
      let seen: string[] = [];
      const m = defineModel<{ h: HlistHead<Obj>; xs: Obj[] }, Record<string, never>>({
        name: 'linux-test/hlist-fc', scenarios: { default: {} },
        setup: () => ({ h: new HlistHead<Obj>('bucket'), xs: [obj(0), obj(1), obj(2), obj(3)] }),
        threads: (s) => [thread('t', function* () {
          const expected: number[] = [];
          const on = new Set<number>();
          const deleted = new Set<number>();
          for (const [kind, i, j] of ops) {
            const x = s.xs[i] as Obj;
            const y = s.xs[j] as Obj;
            if (kind === 'del' || kind === 'del_init') {
              if (!on.has(i)) continue;
              if (kind === 'del') { yield* hlist_del(x.node); deleted.add(i); } else yield* hlist_del_init(x.node);
              expected.splice(expected.indexOf(i), 1);
              on.delete(i);
            } else {
              if (on.has(i) || deleted.has(i)) continue;
              if (kind === 'head') { yield* hlist_add_head(x.node, s.h); expected.unshift(i); } else {
                if (!on.has(j)) continue;
                if (kind === 'before') { yield* hlist_add_before(x.node, y.node); expected.splice(expected.indexOf(j), 0, i); } else { yield* hlist_add_behind(x.node, y.node); expected.splice(expected.indexOf(j) + 1, 0, i); }
              }
              on.add(i);
            }
          }
          const walked: number[] = [];
          yield* hlist_for_each_entry(s.h, function* (e) { walked.push(e.id); });
          // Every node's pprev points at the slot that points at it.
          let slot = s.h.first;
          let links = true;
          for (let p = s.h.first.v; p instanceof HlistNode; p = p.next.v) {
            if (p.pprev.v !== slot) links = false;
            slot = p.next;
          }
          let unhashedOk = true;
          for (const x of s.xs) if (!deleted.has(x.id) && (yield* hlist_unhashed(x.node)) !== !on.has(x.id)) unhashedOk = false;
          seen = [walked.join(','), String(yield* hlist_empty(s.h)), String(links), String(unhashedOk)];
          want = expected;
        })],
      });
      expectClean(exhaust(m));
      expect(seen).toEqual([want.join(','), String(want.length === 0), 'true', 'true']);
    }), { numRuns: 150 });
  });

  it('deleting inside hlist_for_each_entry faults on the poison (use _safe); a second hlist_del names the first', () => {
    const m = (twice: boolean) => defineModel<{ h: HlistHead<Obj>; a: Obj; b: Obj }, Record<string, never>>({
      name: twice ? 'linux-test/hlist-del-twice' : 'linux-test/hlist-del-in-walk', scenarios: { default: {} },
      setup: () => ({ h: new HlistHead<Obj>('bucket'), a: obj(1), b: obj(2) }),
      threads: (s) => [thread('t', function* () {
        yield* hlist_add_head(s.b.node, s.h);
        yield* hlist_add_head(s.a.node, s.h);
        if (twice) {
          yield* hlist_del(s.a.node, 'drop: hlist_del');
          yield* hlist_del(s.a.node, 'drop again: hlist_del');
        } else {
          yield* hlist_for_each_entry(s.h, function* (e) { yield* hlist_del(e.node, 'prune: hlist_del'); }, 'prune: hlist_for_each_entry');
        }
      })],
    });
    expect(expectKind(exhaust(m(false)), 'page-fault').message).toMatch(/pos->next at 'prune: hlist_for_each_entry' is LIST_POISON1.*'prune: hlist_del'/);
    expect(expectKind(exhaust(m(true)), 'page-fault').message).toMatch(/LIST_POISON1.*hlist_del'd at 'drop: hlist_del'/);
    // The _safe walk may delete the entry it stands on.
    const safe = defineModel<{ h: HlistHead<Obj>; a: Obj; b: Obj }, Record<string, never>>({
      name: 'linux-test/hlist-del-in-safe-walk', scenarios: { default: {} },
      setup: () => ({ h: new HlistHead<Obj>('bucket'), a: obj(1), b: obj(2) }),
      threads: (s) => [thread('t', function* () {
        yield* hlist_add_head(s.b.node, s.h);
        yield* hlist_add_head(s.a.node, s.h);
        yield* hlist_for_each_entry_safe(s.h, function* (e) { yield* hlist_del(e.node); });
      })],
      final: [{ name: 'empty', check: (s) => s.h.first.v === null }],
    });
    expectClean(exhaust(safe));
  });

  it('hlist_unhashed_lockless / hlist_del_init_rcu keep a node reusable', () => {
    let log: string[] = [];
    const m = defineModel<{ h: HlistHead<Obj>; a: Obj }, Record<string, never>>({
      name: 'linux-test/hlist-reuse', scenarios: { default: {} }, setup: () => ({ h: new HlistHead<Obj>('bucket'), a: obj(1) }),
      threads: (s) => [thread('t', function* () {
        const r: boolean[] = [yield* hlist_unhashed_lockless(s.a.node)];
        yield* hlist_add_head_rcu(s.a.node, s.h);
        r.push(yield* hlist_unhashed_lockless(s.a.node));
        yield* hlist_del_init_rcu(s.a.node);
        r.push(yield* hlist_unhashed_lockless(s.a.node), yield* hlist_empty(s.h));
        yield* hlist_add_head(s.a.node, s.h);
        r.push(yield* hlist_empty(s.h));
        log = r.map(String);
      })],
    });
    expectClean(exhaust(m));
    expect(log).toEqual(['true', 'false', 'true', 'true', 'false']);
  });
});

interface Bucket { h: HlistHead<Obj>; lock: SpinlockT; a: Obj; b: Obj }

function addModel(locked: boolean, out: Outcomes) {
  return defineModel<Bucket, Record<string, never>>({
    name: locked ? 'linux-test/hlist-add-locked' : 'linux-test/hlist-add-unlocked', scenarios: { default: {} },
    setup: () => ({ h: new HlistHead<Obj>('bucket'), lock: new SpinlockT('bucket_lock'), a: obj(1), b: obj(2) }),
    threads: (s) => [s.a, s.b].map((x) => thread(`add${x.id}`, function* () {
      if (locked) yield* spin_lock(s.lock);
      yield* hlist_add_head(x.node, s.h, `add${x.id}: hlist_add_head`);
      if (locked) yield* spin_unlock(s.lock);
    })),
    final: [{ name: 'record', check: (s) => out.record(ids(s.h).join(',')) }],
  });
}

describe('hlist: concurrency', () => {
  it('two locked hlist_add_head: both orders, nothing lost', () => {
    const out = new Outcomes();
    expectClean(exhaust(addModel(true, out)));
    expect(out.sorted()).toEqual(['1,2', '2,1']);
  });

  it('two unlocked hlist_add_head race on h->first (plain load vs WRITE_ONCE)', () => {
    expect(expectKind(dpor(addModel(false, new Outcomes())), 'data-race').message).toMatch(/bucket\.first/);
  });

  interface RcuBucket { h: HlistHead<KObj>; lock: SpinlockT; found: number[] }
  interface KObj { id: number; node: HlistNode<KObj> }

  /** A reader walks the bucket under RCU while the updater unlinks the first object and frees it. */
  function rcuModel(grace: boolean) {
    return defineModel<RcuBucket, Record<string, never>>({
      name: grace ? 'linux-test/hlist-rcu-grace' : 'linux-test/hlist-rcu-no-grace', scenarios: { default: {} },
      setup: () => ({ h: new HlistHead<KObj>('bucket'), lock: new SpinlockT('bucket_lock'), found: [] }),
      threads: (s) => [thread('updater', function* () {
        const objs: KPtr<KObj>[] = [];
        for (const id of [2, 1]) {
          const o = yield* kzalloc<KObj>(`obj${id}`, GFP_KERNEL, (b) => ({ id, node: new HlistNode<KObj>('node', b) }));
          if (o === null) return;
          o.node.owner = o;
          yield* spin_lock(s.lock);
          yield* hlist_add_head_rcu(o.node, s.h);
          yield* spin_unlock(s.lock);
          objs.push(o);
        }
        // The tail (added first): a reader standing on it still finds ->next (hlist_del_rcu keeps it).
        const victim = objs[0] as KPtr<KObj>;
        yield* spin_lock(s.lock);
        yield* hlist_del_rcu(victim.node);
        yield* spin_unlock(s.lock);
        if (grace) yield* synchronize_rcu();
        yield* kfree(victim);
        yield* spin_lock(s.lock);
        yield* hlist_del_rcu((objs[1] as KPtr<KObj>).node);
        yield* spin_unlock(s.lock);
        if (grace) yield* synchronize_rcu();
        yield* kfree(objs[1]);
      }), thread('reader', function* () {
        yield* rcu_read_lock();
        yield* hlist_for_each_entry_rcu(s.h, function* (e) { s.found.push(e.id); });
        yield* rcu_read_unlock();
      })],
    });
  }

  it('hlist_del_rcu + synchronize_rcu before kfree is safe for readers; without the grace period a reader touches freed memory', () => {
    expectClean(dpor(rcuModel(true), undefined, 200_000));
    const v = expectKind(dpor(rcuModel(false), undefined, 200_000), 'use-after-free');
    expect(v.message).toMatch(/obj[12]\.node\.next \(kmalloc\) after it was freed/);
  });

  it('hlist_for_each_entry_rcu outside rcu_read_lock is an RCU splat', () => {
    const m = defineModel<{ h: HlistHead<Obj> }, Record<string, never>>({
      name: 'linux-test/hlist-rcu-unlocked-walk', scenarios: { default: {} },
      setup: () => ({ h: new HlistHead<Obj>('bucket') }),
      threads: (s) => [thread('t', function* () { yield* hlist_for_each_entry_rcu(s.h, function* () { /* nothing */ }); })],
    });
    expect(expectKind(exhaust(m), 'rcu').title).toMatch(/suspicious RCU usage/);
  });
});

interface Item { id: number; list: ListHead<Item> }

function item(id: number): Item {
  const it: Item = { id, list: new ListHead<Item>(`item${id}.list`) };
  it.list.owner = it;
  return it;
}

function contents(head: ListHead<Item>): number[] {
  const out: number[] = [];
  for (let p = head.next.v; p !== head && p instanceof ListHead && out.length < 10; p = p.next.v) out.push(p.owner?.id ?? -1);
  return out;
}

describe('list_move / list_splice / list_replace', () => {
  it('sequential contract', () => {
    let log: string[] = [];
    const m = defineModel<{ a: ListHead<Item>; b: ListHead<Item>; xs: Item[] }, Record<string, never>>({
      name: 'linux-test/list-move-seq', scenarios: { default: {} },
      setup: () => ({ a: new ListHead<Item>('a'), b: new ListHead<Item>('b'), xs: [item(1), item(2), item(3), item(4)] }),
      threads: (s) => [thread('t', function* () {
        const [x1, x2, x3, x4] = s.xs as [Item, Item, Item, Item];
        for (const x of [x1, x2, x3]) yield* list_add_tail(x.list, s.a);
        const r: string[] = [contents(s.a).join(','), String(yield* list_is_first(x1.list, s.a)), String(yield* list_is_last(x3.list, s.a))];
        yield* list_move(x3.list, s.b);
        yield* list_move_tail(x1.list, s.b);
        r.push(`${contents(s.a).join(',')}|${contents(s.b).join(',')}`, String(yield* list_is_singular(s.a)));
        yield* list_splice_tail_init(s.b, s.a);
        r.push(`${contents(s.a).join(',')}|${contents(s.b).join(',')}`, String(yield* list_empty(s.b)));
        yield* list_replace(x2.list, x4.list);
        r.push(contents(s.a).join(','));
        yield* list_splice_init(s.a, s.b);
        r.push(`${contents(s.a).join(',')}|${contents(s.b).join(',')}`);
        yield* list_splice(s.a, s.b);
        yield* list_splice_tail(s.a, s.b);
        r.push(contents(s.b).join(','));
        yield* list_replace_init(x4.list, x2.list);
        const walked: number[] = [];
        yield* list_for_each_entry(s.b, function* (e) { walked.push(e.id); });
        r.push(walked.join(','), String(x4.list.next.v === x4.list));
        log = r;
      })],
    });
    expectClean(exhaust(m));
    expect(log).toEqual(['1,2,3', 'true', 'true', '2|3,1', 'true', '2,3,1|', 'true', '4,3,1', '|4,3,1', '4,3,1', '2,3,1', 'true']);
  });

  it('moving an entry that was list_del\'d is list_del corruption', () => {
    const m = defineModel<{ a: ListHead<Item>; b: ListHead<Item>; x: Item }, Record<string, never>>({
      name: 'linux-test/list-move-deleted', scenarios: { default: {} },
      setup: () => ({ a: new ListHead<Item>('a'), b: new ListHead<Item>('b'), x: item(1) }),
      threads: (s) => [thread('t', function* () {
        yield* list_add_tail(s.x.list, s.a);
        yield* list_del(s.x.list, 'remove: list_del');
        yield* list_move(s.x.list, s.b, 'requeue: list_move');
      })],
    });
    expect(expectKind(exhaust(m), 'assertion').title).toMatch(/list_del corruption/);
  });

  it('two unlocked list_move between lists race (KCSAN)', () => {
    const m = defineModel<{ a: ListHead<Item>; b: ListHead<Item>; xs: Item[] }, Record<string, never>>({
      name: 'linux-test/list-move-race', scenarios: { default: {} },
      setup: () => {
        const a = new ListHead<Item>('a');
        const xs = [item(1), item(2)];
        // a -> 1 -> 2 -> a, linked in setup.
        a.next.v = xs[0]!.list; xs[0]!.list.prev.v = a; xs[0]!.list.next.v = xs[1]!.list;
        xs[1]!.list.prev.v = xs[0]!.list; xs[1]!.list.next.v = a; a.prev.v = xs[1]!.list;
        return { a, b: new ListHead<Item>('b'), xs };
      },
      threads: (s) => s.xs.map((x) => thread(`mover${x.id}`, function* () { yield* list_move_tail(x.list, s.b); })),
    });
    expectKind(dpor(m), 'data-race');
  });
});
