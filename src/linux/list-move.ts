/**
 * Moving entries between list_heads: list_move / list_move_tail, list_splice / list_splice_tail and
 * their _init forms, list_replace / list_replace_init, and the list_is_first / list_is_last /
 * list_is_singular tests — each pointer load and store a visible plain op, as in list.ts, so an
 * unlocked concurrent move is a KCSAN data race and a move of a list_del'd entry is caught by the
 * CONFIG_DEBUG_LIST poison check of __list_del_entry.
 * Follows include/linux/list.h (list_move = __list_del_entry + list_add; __list_splice links the
 * first and last entries of `list` between prev and next; list_splice does nothing for an empty
 * list; the _init forms reinitialise the emptied head; list_replace copies old's pointers into new).
 * Leaves out: list_bulk_move_tail, list_cut_position, list_rotate_*, list_sort.
 */
import type { Op } from '../engine/ops.js';
import { INIT_LIST_HEAD, type ListHead, __list_del_entry, list_add, list_add_tail, list_empty, listDeref } from './list.js';

type G<R> = Generator<Op, R, unknown>;

/** list_move(list, head): delete `list` from its list and add it after `head`. */
export function* list_move<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_move'): G<void> {
  yield* __list_del_entry(list, label);
  yield* list_add(list, head, label);
}

/** list_move_tail(list, head): delete `list` from its list and add it before `head` (at the tail). */
export function* list_move_tail<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_move_tail'): G<void> {
  yield* __list_del_entry(list, label);
  yield* list_add_tail(list, head, label);
}

/** list_is_first(list, head): list->prev == head. */
export function* list_is_first<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_is_first'): G<boolean> {
  return (yield* list.prev.get(label)) === head;
}

/** list_is_last(list, head): list->next == head. */
export function* list_is_last<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_is_last'): G<boolean> {
  return (yield* list.next.get(label)) === head;
}

/** list_is_singular(head): !list_empty(head) && head->next == head->prev. */
export function* list_is_singular<T>(head: ListHead<T>, label = 'list_is_singular'): G<boolean> {
  if (yield* list_empty(head, label)) return false;
  return (yield* head.next.get(label)) === (yield* head.prev.get(label));
}

/** __list_splice(list, prev, next): link list's entries between prev and next. */
function* splice<T>(list: ListHead<T>, prev: ListHead<T>, next: ListHead<T>, label: string): G<void> {
  const first = listDeref(yield* list.next.get(label), label);
  const last = listDeref(yield* list.prev.get(label), label);
  yield* first.prev.set(prev, label);
  yield* prev.next.set(first, label);
  yield* last.next.set(next, label);
  yield* next.prev.set(last, label);
}

/** list_splice(list, head): join `list`'s entries after `head` (`list` itself is left stale). */
export function* list_splice<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_splice'): G<void> {
  if (yield* list_empty(list, label)) return;
  yield* splice(list, head, listDeref(yield* head.next.get(label), label), label);
}

/** list_splice_tail(list, head): join `list`'s entries before `head`. */
export function* list_splice_tail<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_splice_tail'): G<void> {
  if (yield* list_empty(list, label)) return;
  yield* splice(list, listDeref(yield* head.prev.get(label), label), head, label);
}

/** list_splice_init(list, head): list_splice, then reinitialise `list` as empty. */
export function* list_splice_init<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_splice_init'): G<void> {
  if (yield* list_empty(list, label)) return;
  yield* splice(list, head, listDeref(yield* head.next.get(label), label), label);
  yield* INIT_LIST_HEAD(list, label);
}

/** list_splice_tail_init(list, head). */
export function* list_splice_tail_init<T>(list: ListHead<T>, head: ListHead<T>, label = 'list_splice_tail_init'): G<void> {
  if (yield* list_empty(list, label)) return;
  yield* splice(list, listDeref(yield* head.prev.get(label), label), head, label);
  yield* INIT_LIST_HEAD(list, label);
}

/** list_replace(old, new): `new` takes `old`'s place (old's pointers are left as they were). */
export function* list_replace<T>(old: ListHead<T>, n: ListHead<T>, label = 'list_replace'): G<void> {
  const next = listDeref(yield* old.next.get(label), label);
  yield* n.next.set(next, label);
  yield* next.prev.set(n, label);
  const prev = listDeref(yield* old.prev.get(label), label);
  yield* n.prev.set(prev, label);
  yield* prev.next.set(n, label);
}

/** list_replace_init(old, new): list_replace, then reinitialise `old`. */
export function* list_replace_init<T>(old: ListHead<T>, n: ListHead<T>, label = 'list_replace_init'): G<void> {
  yield* list_replace(old, n, label);
  yield* INIT_LIST_HEAD(old, label);
}
