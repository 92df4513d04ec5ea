/**
 * Managed device resources: `struct device` with its devres list, `devm_add_action`,
 * `devm_remove_action`, `devm_release_action`, and `devres_release_all` (what the driver core runs
 * after a driver's ->remove(), and when ->probe() fails): every action registered for the device
 * runs once, in the reverse order of registration, and its devres node is freed.
 *
 * Follows drivers/base/devres.c (v4.2): devres_alloc is a GFP_KERNEL kmalloc of the node (so it may
 * fail under allocation-failure injection, and a node nobody released is a leak), devres_add /
 * devres_remove take `dev->devres_lock` (spin_lock_irqsave) around the list, release_nodes calls the
 * release functions outside the lock, newest first. devm_release_action is the v5.x helper
 * (remove the node, then run it); v4.2 drivers open-coded it as devm_remove_action + a direct call.
 * Leaves out: devres groups, devm_kzalloc-style data nodes (devm actions are all seed 003 needs),
 * the devres debug log.
 */
import type { Op } from '../engine/ops.js';
import { ENOMEM } from './bug.js';
import { Field } from './field.js';
import { kwarn } from './kernel.js';
import { type KPtr, GFP_KERNEL, kfree, kmalloc } from './slab.js';
import { SpinlockT, spin_lock_irqsave, spin_unlock_irqrestore } from './spinlock.js';

type G<R> = Generator<Op, R, unknown>;

/** A devm action: `void (*action)(void *data)`, as thread code. */
export type DevmAction<D> = (data: D) => G<void>;

/** One devres node: the action, its data, and the heap block devres_alloc gave it. */
export interface DevresNode {
  readonly name: string;
  readonly action: DevmAction<never>;
  readonly data: unknown;
}

/** struct device, with the parts devres uses. */
export class Device {
  readonly devres_lock: SpinlockT;
  /** dev->devres_head: nodes in registration order (read and written under devres_lock). */
  readonly devres_head: Field<KPtr<DevresNode>[]>;
  constructor(readonly name: string) {
    this.devres_lock = new SpinlockT(`${name}.devres_lock`, -1, 'devres_lock');
    this.devres_head = new Field<KPtr<DevresNode>[]>([], `${name}.devres_head`);
  }
  /** Registered actions, oldest first (no op; for invariants and inspect). */
  get actions(): readonly string[] {
    return this.devres_head.v.map((n) => n.name);
  }
}

/** devm_add_action(dev, action, data): 0, or -ENOMEM when devres_alloc fails. */
export function* devm_add_action<D>(dev: Device, action: DevmAction<D>, data: D, name: string, label = 'devm_add_action'): G<number> {
  const node = yield* kmalloc<DevresNode>(`devres ${name}`, GFP_KERNEL,
    () => ({ name, action: action as DevmAction<never>, data }), `${label}: devres_alloc`);
  if (node === null) return -ENOMEM;
  const flags = yield* spin_lock_irqsave(dev.devres_lock, `${label}: devres_add: spin_lock_irqsave(&dev->devres_lock)`);
  const head = yield* dev.devres_head.get(`${label}: devres_add: add_dr`);
  yield* dev.devres_head.set([...head, node], `${label}: devres_add: list_add_tail(&node->entry, &dev->devres_head)`);
  yield* spin_unlock_irqrestore(dev.devres_lock, flags, `${label}: devres_add: spin_unlock_irqrestore`);
  return 0;
}

function* take<D>(dev: Device, action: DevmAction<D>, data: D, label: string): G<KPtr<DevresNode> | null> {
  const flags = yield* spin_lock_irqsave(dev.devres_lock, `${label}: spin_lock_irqsave(&dev->devres_lock)`);
  const head = yield* dev.devres_head.get(`${label}: find_dr`);
  let found: KPtr<DevresNode> | null = null;
  for (let i = head.length - 1; i >= 0; i--) {
    const n = head[i] as KPtr<DevresNode>;
    if (n.action === (action as DevmAction<never>) && n.data === data) {
      found = n;
      yield* dev.devres_head.set([...head.slice(0, i), ...head.slice(i + 1)], `${label}: list_del_init(&dr->node.entry)`);
      break;
    }
  }
  yield* spin_unlock_irqrestore(dev.devres_lock, flags, `${label}: spin_unlock_irqrestore`);
  return found;
}

/** devm_remove_action(dev, action, data): forget the action without running it (WARN_ON when absent). */
export function* devm_remove_action<D>(dev: Device, action: DevmAction<D>, data: D, label = 'devm_remove_action'): G<void> {
  const n = yield* take(dev, action, data, label);
  if (n === null) {
    kwarn('assertion', `${label}: no such devm action registered on ${dev.name}`, label, { title: `WARNING: at drivers/base/devres.c: devm_remove_action` });
    return;
  }
  yield* kfree(n, `${label}: kfree(dr)`);
}

/** devm_release_action(dev, action, data): remove the action and run it now. */
export function* devm_release_action<D>(dev: Device, action: DevmAction<D>, data: D, label = 'devm_release_action'): G<void> {
  const n = yield* take(dev, action, data, label);
  if (n === null) {
    kwarn('assertion', `${label}: no such devm action registered on ${dev.name}`, label, { title: `WARNING: at drivers/base/devres.c: devm_release_action` });
    return;
  }
  yield* kfree(n, `${label}: kfree(dr)`);
  yield* action(data);
}

/** devres_release_all(dev): run every registered action, newest first, freeing each node. */
export function* devres_release_all(dev: Device, label = 'devres_release_all'): G<number> {
  const flags = yield* spin_lock_irqsave(dev.devres_lock, `${label}: spin_lock_irqsave(&dev->devres_lock)`);
  const todo = yield* dev.devres_head.get(`${label}: remove_nodes`);
  yield* dev.devres_head.set([], `${label}: remove_nodes: list_move(&node->entry, &todo)`);
  yield* spin_unlock_irqrestore(dev.devres_lock, flags, `${label}: spin_unlock_irqrestore`);
  for (let i = todo.length - 1; i >= 0; i--) {
    const n = todo[i] as KPtr<DevresNode>;
    yield* (n.action as DevmAction<unknown>)(n.data);
    yield* kfree(n, `${label}: release_nodes: kfree(dr)`);
  }
  return todo.length;
}
