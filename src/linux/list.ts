/**
 * struct list_head: the kernel's circular doubly linked list, with every pointer load and store a
 * visible op. Pointers are plain Fields, so two threads changing a list without a common lock is
 * a KCSAN data race; a list_head inside a kmalloc'd struct dies with it (KASAN); list_del poisons
 * the entry (next = LIST_POISON1, prev = LIST_POISON2), so a later traversal through it or a
 * second list_del is caught instead of silently reading stale pointers.
 *
 * Follows include/linux/list.h (__list_add, __list_del, list_del, list_del_init, list_empty with
 * READ_ONCE, list_for_each_entry, list_for_each_entry_safe, list_first_entry) and the checks of
 * lib/list_debug.c (CONFIG_DEBUG_LIST: "list_del corruption ... LIST_POISON1").
 * container_of is the `owner` back-pointer a list_head carries (set it after allocating the
 * struct: `p.list.owner = p`).
 * Leaves out: list_sort; list_add's DEBUG_LIST prev/next checks (hlist.ts has hlist, list-move.ts
 * list_move, list_splice and list_replace).
 */
import { currentExecution } from '../engine/execution.js';
import type { Op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';
import type { Site } from '../engine/violation.js';
import { Field } from './field.js';
import { kfail } from './kernel.js';

type G<R> = Generator<Op, R, unknown>;

/** A poison pointer value (LIST_POISON1 / LIST_POISON2). */
export class ListPoison {
  constructor(readonly name: string, readonly addr: bigint) {}
}
export const LIST_POISON1 = new ListPoison('LIST_POISON1', 0xdead000000000100n);
export const LIST_POISON2 = new ListPoison('LIST_POISON2', 0xdead000000000122n);

export type ListPtr<T> = ListHead<T> | ListPoison;

/** struct list_head; `owner` is the containing struct (null for a list head). */
export class ListHead<T = unknown> {
  readonly next: Field<ListPtr<T>>;
  readonly prev: Field<ListPtr<T>>;
  owner: T | null;
  /** Where list_del poisoned it (for reports). */
  deletedAt: Site | null = null;
  constructor(readonly name: string, block = -1, owner: T | null = null) {
    this.next = new Field<ListPtr<T>>(this, `${name}.next`, block);
    this.prev = new Field<ListPtr<T>>(this, `${name}.prev`, block);
    this.owner = owner;
  }
}

/** LIST_HEAD(name) / INIT_LIST_HEAD in setup. */
export function LIST_HEAD<T>(name: string, block = -1): ListHead<T> {
  return new ListHead<T>(name, block);
}

/** Dereference a list pointer: a poison value is a fault (the kernel oopses on it). */
export function listDeref<T>(p: ListPtr<T>, label: string): ListHead<T> {
  if (p instanceof ListPoison) {
    kfail('page-fault', `list traversal at '${label}' followed ${p.name} (0x${p.addr.toString(16)}): the entry was removed with list_del and is still being walked`, label, {
      title: `general protection fault, probably for non-canonical address 0x${p.addr.toString(16)} (${p.name})`,
    });
  }
  return p;
}

/** container_of(pos, T, member). */
export function list_entry<T>(pos: ListPtr<T>, label = 'list_entry'): T {
  const h = listDeref(pos, label);
  if (h.owner === null) throw new UsageError(`list_entry(${h.name}): this list_head has no containing struct; set .owner after allocating the struct (p.list.owner = p)`);
  return h.owner;
}

/** INIT_LIST_HEAD(h) as ops (for a list_head reused at run time). */
export function* INIT_LIST_HEAD<T>(h: ListHead<T>, label = 'INIT_LIST_HEAD'): G<void> {
  yield* h.next.setOnce(h, label);
  yield* h.prev.set(h, label);
}

/** __list_add(new, prev, next). */
export function* __list_add<T>(n: ListHead<T>, prev: ListHead<T>, next: ListHead<T>, label: string): G<void> {
  yield* next.prev.set(n, label);
  yield* n.next.set(next, label);
  yield* n.prev.set(prev, label);
  yield* prev.next.set(n, label);
}

/** list_add(new, head): insert after head (stack). */
export function* list_add<T>(n: ListHead<T>, head: ListHead<T>, label = 'list_add'): G<void> {
  const next = listDeref(yield* head.next.get(label), label);
  yield* __list_add(n, head, next, label);
}

/** list_add_tail(new, head): insert before head (queue). */
export function* list_add_tail<T>(n: ListHead<T>, head: ListHead<T>, label = 'list_add_tail'): G<void> {
  const prev = listDeref(yield* head.prev.get(label), label);
  yield* __list_add(n, prev, head, label);
}

/** Reads entry->prev / entry->next, with CONFIG_DEBUG_LIST's poison check. */
export function* __list_del_entry<T>(entry: ListHead<T>, label: string): G<[ListHead<T>, ListHead<T>]> {
  const prev = yield* entry.prev.get(label);
  const next = yield* entry.next.get(label);
  if (next instanceof ListPoison || prev instanceof ListPoison) {
    const p = next instanceof ListPoison ? next : (prev as ListPoison);
    const first = entry.deletedAt ? ` (it was list_del'd at '${entry.deletedAt.label}' by T${entry.deletedAt.thread})` : '';
    kfail('assertion', `list_del corruption at '${label}': ${entry.name}->${p === next ? 'next' : 'prev'} is ${p.name}${first}`, label, {
      title: `kernel BUG at lib/list_debug.c: list_del corruption, ${entry.name}->${p === next ? 'next' : 'prev'} is ${p.name}`,
    });
  }
  const pv = prev as ListHead<T>;
  const nx = next as ListHead<T>;
  yield* nx.prev.set(pv, label);
  yield* pv.next.setOnce(nx, label);
  return [pv, nx];
}

/** list_del(entry): unlink and poison. */
export function* list_del<T>(entry: ListHead<T>, label = 'list_del'): G<void> {
  yield* __list_del_entry(entry, label);
  yield* entry.next.set(LIST_POISON1, label);
  yield* entry.prev.set(LIST_POISON2, label);
  entry.deletedAt = currentExecution().site(label);
}

/** list_del_init(entry): unlink and point the entry at itself. */
export function* list_del_init<T>(entry: ListHead<T>, label = 'list_del_init'): G<void> {
  yield* __list_del_entry(entry, label);
  yield* INIT_LIST_HEAD(entry, label);
}

/** list_empty(head): READ_ONCE(head->next) == head. */
export function* list_empty<T>(head: ListHead<T>, label = 'list_empty'): G<boolean> {
  return (yield* head.next.once(label)) === head;
}

/** list_first_entry(head): the first entry's struct (the list must not be empty). */
export function* list_first_entry<T>(head: ListHead<T>, label = 'list_first_entry'): G<T> {
  return list_entry(yield* head.next.get(label), label);
}

/** list_last_entry(head). */
export function* list_last_entry<T>(head: ListHead<T>, label = 'list_last_entry'): G<T> {
  return list_entry(yield* head.prev.get(label), label);
}

/** The body of a list walk: return true to `break` (the walk then returns that entry). */
export type ListBody<T> = (entry: T) => G<boolean | void>;

/** list_for_each_entry(pos, head, member) { body }: every next-pointer load is an op. */
export function* list_for_each_entry<T>(head: ListHead<T>, body: ListBody<T>, label = 'list_for_each_entry'): G<T | null> {
  let pos = listDeref(yield* head.next.get(label), label);
  while (pos !== head) {
    const e = list_entry(pos, label);
    if ((yield* body(e)) === true) return e;
    pos = listDeref(yield* pos.next.get(label), label);
  }
  return null;
}

/** list_for_each_entry_safe: the next pointer is loaded before the body runs (the body may list_del + kfree). */
export function* list_for_each_entry_safe<T>(head: ListHead<T>, body: ListBody<T>, label = 'list_for_each_entry_safe'): G<T | null> {
  let pos = listDeref(yield* head.next.get(label), label);
  while (pos !== head) {
    const n = listDeref(yield* pos.next.get(label), label);
    const e = list_entry(pos, label);
    if ((yield* body(e)) === true) return e;
    pos = n;
  }
  return null;
}

/** Cursor-style walking: `for (let p = yield* list_next(head); p !== head; p = yield* list_next(p))`. */
export function* list_next<T>(pos: ListHead<T>, label = 'list_next'): G<ListHead<T>> {
  return listDeref(yield* pos.next.get(label), label);
}
