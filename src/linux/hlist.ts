/**
 * struct hlist_head / hlist_node: the kernel's hash-bucket list (one pointer per head, `pprev`
 * pointing at the pointer that points at the node), with every pointer load and store a visible
 * op, plus its RCU forms.
 *
 * Follows include/linux/list.h and rculist.h: hlist_add_head stores with WRITE_ONCE (so that
 * hlist_unhashed_lockless / hlist_empty may read locklessly) and loads plainly; __hlist_del does
 * `WRITE_ONCE(*pprev, next); if (next) WRITE_ONCE(next->pprev, pprev)`; hlist_del poisons both
 * pointers (next = LIST_POISON1, pprev = LIST_POISON2), so walking through a deleted node or
 * deleting it twice faults instead of reading stale pointers; hlist_add_head_rcu publishes with
 * rcu_assign_pointer(h->first, n) after filling the node; hlist_del_rcu leaves ->next intact for
 * readers standing on the node and poisons ->pprev; hlist_for_each_entry_rcu loads every pointer
 * with rcu_dereference and is checked to run inside rcu_read_lock() (or with the update-side lock
 * the caller names). Two unlocked writers are KCSAN data races (plain loads racing marked stores).
 * container_of is the node's `owner`, as with ListHead.
 * Leaves out: hlist_nulls, hlist_bl, hlist_move_list, hlist_replace_rcu, hlist_add_tail_rcu.
 */
import { currentExecution } from '../engine/execution.js';
import { Mo, type Op, op } from '../engine/ops.js';
import { type Site, UsageError } from '../engine/violation.js';
import { Field } from './field.js';
import { kfail } from './kernel.js';
import { LIST_POISON1, LIST_POISON2, ListPoison } from './list.js';
import { checkReader } from './rculist.js';

type G<R> = Generator<Op, R, unknown>;

/** A pointer slot that can point at a node: head->first or node->next. */
export type HlistSlot<T> = Field<HlistNode<T> | null | ListPoison>;

export class HlistNode<T = unknown> {
  readonly next: HlistSlot<T>;
  /** The slot that points at this node (&prev->next or &head->first); null when unhashed. */
  readonly pprev: Field<HlistSlot<T> | null | ListPoison>;
  owner: T | null;
  /** Where hlist_del poisoned it (for reports). */
  deletedAt: Site | null = null;
  constructor(readonly name: string, block = -1, owner: T | null = null) {
    this.next = new Field<HlistNode<T> | null | ListPoison>(null, `${name}.next`, block);
    this.pprev = new Field<HlistSlot<T> | null | ListPoison>(null, `${name}.pprev`, block);
    this.owner = owner;
  }
}

export class HlistHead<T = unknown> {
  readonly first: HlistSlot<T>;
  constructor(readonly name: string, block = -1) {
    this.first = new Field<HlistNode<T> | null | ListPoison>(null, `${name}.first`, block);
  }
}

/** HLIST_HEAD(name) / INIT_HLIST_HEAD in setup. */
export function HLIST_HEAD<T>(name: string, block = -1): HlistHead<T> {
  return new HlistHead<T>(name, block);
}

/** A poison value is a fault (the kernel oopses on the non-canonical address). */
function deref<V>(p: V | ListPoison, what: string, label: string, node?: HlistNode<unknown>): V {
  if (p instanceof ListPoison) {
    const first = node?.deletedAt ? ` (hlist_del'd at '${node.deletedAt.label}' by T${node.deletedAt.thread})` : '';
    kfail('page-fault', `${what} at '${label}' is ${p.name} (0x${p.addr.toString(16)}): the node was removed with hlist_del and is still being used${first}`, label, {
      title: `general protection fault, probably for non-canonical address 0x${p.addr.toString(16)} (${p.name})`,
    });
  }
  return p as V;
}

/** hlist_entry(pos): container_of. */
export function hlist_entry<T>(pos: HlistNode<T>, label = 'hlist_entry'): T {
  if (pos.owner === null) throw new UsageError(`hlist_entry(${pos.name}): this hlist_node has no containing struct; set .owner after allocating the struct (p.node.owner = p) at '${label}'`);
  return pos.owner;
}

/** INIT_HLIST_NODE(n) as ops: next = pprev = NULL. */
export function* INIT_HLIST_NODE<T>(n: HlistNode<T>, label = 'INIT_HLIST_NODE'): G<void> {
  yield* n.next.set(null, label);
  yield* n.pprev.set(null, label);
}

/** hlist_unhashed(n): !n->pprev (plain load: the caller holds the lock). */
export function* hlist_unhashed<T>(n: HlistNode<T>, label = 'hlist_unhashed'): G<boolean> {
  return (yield* n.pprev.get(label)) === null;
}

/** hlist_unhashed_lockless(n): !READ_ONCE(n->pprev). */
export function* hlist_unhashed_lockless<T>(n: HlistNode<T>, label = 'hlist_unhashed_lockless'): G<boolean> {
  return (yield* n.pprev.once(label)) === null;
}

/** hlist_empty(h): !READ_ONCE(h->first). */
export function* hlist_empty<T>(h: HlistHead<T>, label = 'hlist_empty'): G<boolean> {
  return (yield* h.first.once(label)) === null;
}

/** hlist_add_head(n, h): push n at the front (caller holds the bucket's lock). */
export function* hlist_add_head<T>(n: HlistNode<T>, h: HlistHead<T>, label = 'hlist_add_head'): G<void> {
  const first = deref(yield* h.first.get(label), 'h->first', label);
  yield* n.next.setOnce(first, label);
  if (first !== null) yield* first.pprev.setOnce(n.next, label);
  yield* h.first.setOnce(n, label);
  yield* n.pprev.setOnce(h.first, label);
}

/** hlist_add_before(n, next): insert n before next (next must be hashed). */
export function* hlist_add_before<T>(n: HlistNode<T>, next: HlistNode<T>, label = 'hlist_add_before'): G<void> {
  const pprev = deref(yield* next.pprev.get(label), 'next->pprev', label, next as HlistNode<unknown>);
  if (pprev === null) throw new UsageError(`hlist_add_before(${n.name}, ${next.name}) at '${label}': ${next.name} is not on a list`);
  yield* n.pprev.setOnce(pprev, label);
  yield* n.next.setOnce(next, label);
  yield* next.pprev.setOnce(n.next, label);
  yield* pprev.setOnce(n, label);
}

/** hlist_add_behind(n, prev): insert n after prev. */
export function* hlist_add_behind<T>(n: HlistNode<T>, prev: HlistNode<T>, label = 'hlist_add_behind'): G<void> {
  const next = deref(yield* prev.next.get(label), 'prev->next', label, prev as HlistNode<unknown>);
  yield* n.next.setOnce(next, label);
  yield* prev.next.setOnce(n, label);
  yield* n.pprev.setOnce(prev.next, label);
  if (next !== null) yield* next.pprev.setOnce(n.next, label);
}

/** __hlist_del(n): unlink (WRITE_ONCE stores, plain loads); a poisoned node faults. */
function* unlink<T>(n: HlistNode<T>, label: string): G<void> {
  const next = deref(yield* n.next.get(label), 'n->next', label, n as HlistNode<unknown>);
  const pprev = deref(yield* n.pprev.get(label), 'n->pprev', label, n as HlistNode<unknown>);
  if (pprev === null) throw new UsageError(`hlist_del(${n.name}) at '${label}': the node is not on a list (use hlist_del_init, or check hlist_unhashed)`);
  yield* pprev.setOnce(next, label);
  if (next !== null) yield* next.pprev.setOnce(pprev, label);
}

/** hlist_del(n): unlink and poison both pointers. */
export function* hlist_del<T>(n: HlistNode<T>, label = 'hlist_del'): G<void> {
  yield* unlink(n, label);
  yield* n.next.set(LIST_POISON1, label);
  yield* n.pprev.set(LIST_POISON2, label);
  n.deletedAt = currentExecution().site(label);
}

/** hlist_del_init(n): unlink when hashed, then next = pprev = NULL. */
export function* hlist_del_init<T>(n: HlistNode<T>, label = 'hlist_del_init'): G<void> {
  if (yield* hlist_unhashed(n, label)) return;
  yield* unlink(n, label);
  yield* INIT_HLIST_NODE(n, label);
}

/** The body of a walk: return true to `break` (the walk then returns that entry). */
export type HlistBody<T> = (entry: T) => G<boolean | void>;

/** hlist_for_each_entry(pos, head, member) { body }: plain loads (the caller holds the lock). */
export function* hlist_for_each_entry<T>(h: HlistHead<T>, body: HlistBody<T>, label = 'hlist_for_each_entry'): G<T | null> {
  let pos = deref(yield* h.first.get(label), 'h->first', label);
  while (pos !== null) {
    const e = hlist_entry(pos, label);
    if ((yield* body(e)) === true) return e;
    pos = deref(yield* pos.next.get(label), 'pos->next', label, pos as HlistNode<unknown>);
  }
  return null;
}

/** hlist_for_each_entry_safe: the next pointer is loaded before the body (which may delete and free). */
export function* hlist_for_each_entry_safe<T>(h: HlistHead<T>, body: HlistBody<T>, label = 'hlist_for_each_entry_safe'): G<T | null> {
  let pos = deref(yield* h.first.get(label), 'h->first', label);
  while (pos !== null) {
    const n = deref(yield* pos.next.get(label), 'pos->next', label, pos as HlistNode<unknown>);
    const e = hlist_entry(pos, label);
    if ((yield* body(e)) === true) return e;
    pos = n;
  }
  return null;
}

/** hlist_add_head_rcu(n, h): fill n, then publish it with rcu_assign_pointer (caller holds the update lock). */
export function* hlist_add_head_rcu<T>(n: HlistNode<T>, h: HlistHead<T>, label = 'hlist_add_head_rcu'): G<void> {
  const first = deref(yield* h.first.get(label), 'h->first', label);
  yield* n.next.set(first, label);
  yield* n.pprev.setOnce(h.first, label);
  yield op.write(h.first.id, `${label}: rcu_assign_pointer(hlist_first_rcu(h), n)`, Mo.Release);
  h.first.v = n;
  if (first !== null) yield* first.pprev.setOnce(n.next, label);
}

/** hlist_del_rcu(n): unlink; ->next stays valid for readers, ->pprev is poisoned. Free after a grace period. */
export function* hlist_del_rcu<T>(n: HlistNode<T>, label = 'hlist_del_rcu'): G<void> {
  yield* unlink(n, label);
  yield* n.pprev.setOnce(LIST_POISON2, label);
  n.deletedAt = currentExecution().site(label);
}

/** hlist_del_init_rcu(n): unlink when hashed, then pprev = NULL (->next kept for readers). */
export function* hlist_del_init_rcu<T>(n: HlistNode<T>, label = 'hlist_del_init_rcu'): G<void> {
  if (yield* hlist_unhashed(n, label)) return;
  yield* unlink(n, label);
  yield* n.pprev.setOnce(null, label);
}

/** rcu_dereference of a slot, checked to be in a read section (or under the named lock). */
function* derefRcu<T>(slot: HlistSlot<T>, label: string, lockHeld: boolean, node?: HlistNode<T>): G<HlistNode<T> | null> {
  yield op.read(slot.id, label, Mo.Consume);
  checkReader(label, lockHeld);
  return deref(slot.v, node ? 'pos->next' : 'h->first', label, node as HlistNode<unknown> | undefined);
}

/**
 * hlist_for_each_entry_rcu(pos, head, member[, cond]) { body }: return true from `body` to break.
 * `lockHeld` is the optional lockdep condition (walking on the update side).
 */
export function* hlist_for_each_entry_rcu<T>(h: HlistHead<T>, body: HlistBody<T>, label = 'hlist_for_each_entry_rcu', lockHeld = false): G<T | null> {
  let pos = yield* derefRcu(h.first, label, lockHeld);
  while (pos !== null) {
    const e = hlist_entry(pos, label);
    if ((yield* body(e)) === true) return e;
    pos = yield* derefRcu(pos.next, label, lockHeld, pos);
  }
  return null;
}
