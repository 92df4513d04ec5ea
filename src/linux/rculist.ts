/**
 * RCU-protected lists: list_add_rcu / list_add_tail_rcu / list_del_rcu on the update side (under
 * the caller's lock) and list_for_each_entry_rcu on the read side, where every next-pointer load
 * is an rcu_dereference (a marked load, checked to be inside rcu_read_lock() or under the lock the
 * caller names).
 *
 * Follows include/linux/rculist.h: __list_add_rcu publishes the new entry with
 * rcu_assign_pointer(prev->next, new) after filling its own pointers; list_del_rcu unlinks with
 * WRITE_ONCE(prev->next, next) and poisons only ->prev (LIST_POISON2), leaving ->next intact so a
 * reader standing on the entry can still move on; the entry may be freed only after a grace period
 * (synchronize_rcu / kfree_rcu), otherwise a reader's next load is a KASAN use-after-free.
 * CONFIG_PROVE_RCU_LIST's check of list_for_each_entry_rcu's condition is the 'rcu' violation.
 * Leaves out: list_replace_rcu, list_splice_init_rcu (the hlist forms are in hlist.ts).
 */
import { currentExecution } from '../engine/execution.js';
import { Mo, type Op, op } from '../engine/ops.js';
import { kctx, kwarn } from './kernel.js';
import { type ListBody, type ListHead, LIST_POISON2, __list_del_entry, list_entry, listDeref } from './list.js';

type G<R> = Generator<Op, R, unknown>;

/** __list_add_rcu(new, prev, next). */
function* __list_add_rcu<T>(n: ListHead<T>, prev: ListHead<T>, next: ListHead<T>, label: string): G<void> {
  yield* n.next.set(next, label);
  yield* n.prev.set(prev, label);
  yield op.write(prev.next.id, `${label}: rcu_assign_pointer(list_next_rcu(prev), new)`, Mo.Release);
  prev.next.v = n;
  yield* next.prev.set(n, label);
}

/** list_add_rcu(new, head): publish new after head. Caller holds the update-side lock. */
export function* list_add_rcu<T>(n: ListHead<T>, head: ListHead<T>, label = 'list_add_rcu'): G<void> {
  const next = listDeref(yield* head.next.get(label), label);
  yield* __list_add_rcu(n, head, next, label);
}

/** list_add_tail_rcu(new, head). */
export function* list_add_tail_rcu<T>(n: ListHead<T>, head: ListHead<T>, label = 'list_add_tail_rcu'): G<void> {
  const prev = listDeref(yield* head.prev.get(label), label);
  yield* __list_add_rcu(n, prev, head, label);
}

/** list_del_rcu(entry): unlink; ->next stays valid for readers, ->prev is poisoned. */
export function* list_del_rcu<T>(entry: ListHead<T>, label = 'list_del_rcu'): G<void> {
  yield* __list_del_entry(entry, label);
  yield* entry.prev.set(LIST_POISON2, label);
  entry.deletedAt = currentExecution().site(label);
}

/** CONFIG_PROVE_RCU_LIST: an RCU list walked outside rcu_read_lock() and without the update-side lock (also hlist.ts). */
export function checkReader(label: string, lockHeld: boolean): void {
  const exec = currentExecution();
  if (!exec.sanitize || lockHeld) return;
  const c = kctx(exec);
  if (c.rcuDepth === 0 && c.softirq === 0) {
    kwarn('rcu', `list_for_each_entry_rcu() at '${label}' outside rcu_read_lock() and without the update-side lock`, label, {
      title: 'WARNING: suspicious RCU usage: RCU-list traversed in non-reader section!',
    });
  }
}

/** Marked load of pos->next (rcu_dereference(list_next_rcu(pos))). */
export function* list_next_rcu<T>(pos: ListHead<T>, label = 'list_next_rcu', lockHeld = false): G<ListHead<T>> {
  yield op.read(pos.next.id, label, Mo.Consume);
  checkReader(label, lockHeld);
  return listDeref(pos.next.v, label);
}

/**
 * list_for_each_entry_rcu(pos, head, member[, cond]) { body }: return true from `body` to break
 * (the walk returns that entry). `lockHeld` is the optional lockdep condition (update side).
 */
export function* list_for_each_entry_rcu<T>(head: ListHead<T>, body: ListBody<T>, label = 'list_for_each_entry_rcu', lockHeld = false): G<T | null> {
  let pos = yield* list_next_rcu(head, label, lockHeld);
  while (pos !== head) {
    const e = list_entry(pos, label);
    if ((yield* body(e)) === true) return e;
    pos = yield* list_next_rcu(pos, label, lockHeld);
  }
  return null;
}

/** list_first_or_null_rcu(head). */
export function* list_first_or_null_rcu<T>(head: ListHead<T>, label = 'list_first_or_null_rcu'): G<T | null> {
  const p = yield* list_next_rcu(head, label);
  return p === head ? null : list_entry(p, label);
}
