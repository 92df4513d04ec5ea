/**
 * RCU: rcu_read_lock / rcu_read_unlock (nesting per thread), synchronize_rcu with real grace
 * periods, call_rcu / kfree_rcu with an explicit callback runner, rcu_assign_pointer /
 * rcu_dereference (+ _check / _protected) on Field pointer cells.
 *
 * Grace periods (Documentation/RCU/whatisRCU.rst, "the fundamental RCU guarantee"):
 * synchronize_rcu() starts with one op that snapshots which threads are inside a read-side
 * section (and which section: a per-thread counter), then blocks on a Wait until each of those
 * sections has ended. Readers that enter after the snapshot are not waited for. The outermost
 * rcu_read_lock is a read of the RCU object (an always-enabled Wait: it acquires what grace
 * periods released, and readers commute with each other) and the outermost unlock a write of it
 * (it releases the section), so the snapshot and the grace-period end are dependent with every
 * reader's entry and exit (DPOR explores both orders), and happens-before runs from each
 * waited-for section to the code after synchronize_rcu (a plain write after it does not race with
 * the old readers). Not a shared lock: DPOR's lock rule (a release orders the next acquire) would
 * hide overlapping read sections.
 * call_rcu(fn) takes the same snapshot and queues fn; a queued callback runs, in softirq context
 * (sleeping in it is 'sleep-in-atomic'), only once its grace period has ended, and only in a
 * thread that runs callbacks: add `rcuCallbackThread()` to the model's threads (it finishes when
 * every other thread has and the queue is empty), or call `rcu_barrier()` from a thread.
 * A callback nobody ran leaves its memory allocated, which the leak check reports. The callback
 * thread's exit condition reads other threads' completion, which is not an op: DPOR may order it
 * less thoroughly against their last steps; exhaustive claims about callbacks should use DFS.
 * Under the LKMM (memory.ts) call_rcu is a release the callback's start acquires, followed there
 * by a grace period (the callback carries the call's serial in its op).
 * Leaves out: expedited grace periods, SRCU, preemptible-RCU boosting, CPU hotplug.
 */
import { type Execution, currentExecution } from '../engine/execution.js';
import { Mo, type Op, type ThreadGen, op, READS_OWN } from '../engine/ops.js';
import type { Field } from './field.js';
import { type KernelState, type RcuCallback, ctxOf, kctx, kernelOf, kwarn, kwarnNext } from './kernel.js';
import { mightSleep } from './lockdep.js';
import { kfree } from './slab.js';

type G<R> = Generator<Op, R, unknown>;

const always = (): boolean => true;

export function* rcu_read_lock(label = 'rcu_read_lock'): G<void> {
  const exec = currentExecution();
  const ctx = kctx(exec);
  if (ctx.rcuDepth === 0) {
    yield op.wait(kernelOf(exec).rcuObj, label, always, READS_OWN, undefined, Mo.RcuLock);
    ctx.rcuSection++;
  }
  ctx.rcuDepth++;
}

export function* rcu_read_unlock(label = 'rcu_read_unlock'): G<void> {
  const exec = currentExecution();
  const ctx = kctx(exec);
  if (ctx.rcuDepth === 0) {
    kwarnNext('rcu', `rcu_read_unlock() at '${label}' without a matching rcu_read_lock()`, label, { title: 'WARNING: bad RCU read-side unlock balance' });
    return;
  }
  if (ctx.rcuDepth === 1) yield op.write(kernelOf(exec).rcuObj, label, Mo.RcuUnlock);
  ctx.rcuDepth--;
}

/** Is the running thread inside an RCU read-side critical section? */
export function rcu_read_lock_held(): boolean {
  return kctx().rcuDepth > 0;
}

/** The (thread, section) pairs a grace period starting now must wait for. */
function snapshot(exec: Execution): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < exec.threads.length; t++) {
    if (t === exec.running) continue;
    const c = ctxOf(exec, t);
    if (c.rcuDepth > 0) out.push([t, c.rcuSection]);
  }
  return out;
}

function ended(exec: Execution, waitFor: readonly (readonly [number, number])[]): boolean {
  for (const [t, sec] of waitFor) {
    const c = ctxOf(exec, t);
    if (c.rcuDepth > 0 && c.rcuSection === sec) return false;
  }
  return true;
}

/** Wait for every read-side section in progress now to end. May sleep. */
export function* synchronize_rcu(label = 'synchronize_rcu'): G<void> {
  const exec = currentExecution();
  mightSleep(exec, kctx(exec), 'synchronize_rcu()', label);
  const k = kernelOf(exec);
  yield op.write(k.rcuObj, `${label}: grace period starts`, Mo.GpStart);
  const waitFor = snapshot(exec);
  if (waitFor.length === 0) return;
  // The readers' sections end by rcu_read_unlock, a write of rcuObj: the condition reads only it.
  yield op.wait(k.rcuObj, label, () => ended(exec, waitFor), READS_OWN,
    `an RCU grace period: readers ${waitFor.map(([t]) => `T${t}`).join(', ')} to leave their read-side sections`, Mo.GpEnd);
}

/** Queue `fn` (a generator, e.g. one that kfree()s) to run after a grace period. Does not sleep. */
export function* call_rcu(fn: () => G<unknown>, label = 'call_rcu'): G<void> {
  const exec = currentExecution();
  const k = kernelOf(exec);
  const serial = k.callSerial;
  yield op.write(k.rcuObj, label, Mo.CallRcu, serial);
  k.callSerial = serial + 1;
  k.callbacks.push({ fn, waitFor: snapshot(exec), label, serial });
}

/** kfree_rcu(p): kfree after a grace period. */
export function* kfree_rcu(p: { readonly kblock?: number } | null, label = 'kfree_rcu'): G<void> {
  yield* call_rcu(() => kfreeCallback(p, label), label);
}

/** kfree_rcu's callback (module level: no generator closure per call). */
function* kfreeCallback(p: { readonly kblock?: number } | null, label: string): G<void> {
  yield* kfree(p, `${label}: kfree (RCU callback)`);
}

function readyIndex(exec: Execution, k: KernelState): number {
  for (let i = 0; i < k.callbacks.length; i++) {
    if (ended(exec, (k.callbacks[i] as RcuCallback).waitFor)) return i;
  }
  return -1;
}

function* invoke(exec: Execution, k: KernelState, label: string): G<void> {
  const first = readyIndex(exec, k);
  if (first < 0) return;
  // Taking a callback off the queue changes what other waiters on the queue see: a write. It names
  // the callback it starts (the LKMM orders the callback after its call_rcu and a grace period).
  const announced = (k.callbacks[first] as RcuCallback).serial;
  yield op.write(k.rcuObj, `${label}: invoke callback`, Mo.RcuCallback, announced);
  const i = readyIndex(exec, k);
  if (i < 0) return;
  const cb = k.callbacks.splice(i, 1)[0] as RcuCallback;
  // Another invoker took the announced one meanwhile: start the one this thread runs.
  if (cb.serial !== announced) yield op.write(k.rcuObj, `${label}: invoke callback`, Mo.RcuCallback, cb.serial);
  const ctx = kctx(exec);
  ctx.softirq++;
  try {
    yield* cb.fn();
  } finally {
    ctx.softirq--;
  }
}

/** Wait until every callback queued so far has been invoked (running them here if ready). May sleep. */
export function* rcu_barrier(label = 'rcu_barrier'): G<void> {
  const exec = currentExecution();
  mightSleep(exec, kctx(exec), 'rcu_barrier()', label);
  const k = kernelOf(exec);
  const pending = new Set(k.callbacks);
  const left = (): boolean => k.callbacks.some((c) => pending.has(c));
  while (left()) {
    yield op.wait(k.rcuObj, label, () => !left() || readyIndex(exec, k) >= 0, READS_OWN, 'queued RCU callbacks to become ready');
    yield* invoke(exec, k, label);
  }
}

function allOthersDone(exec: Execution, runner: number): boolean {
  for (let t = 0; t < exec.threads.length; t++) {
    if (t !== runner && !(exec.threads[t]?.done ?? true)) return false;
  }
  return true;
}

/**
 * The thread that runs call_rcu callbacks (like the kernel's RCU softirq / rcuc kthread). Put it
 * in a model's threads: `threads: (s) => [..., rcuCallbackThread()]`. It ends when every other
 * thread has finished and no callback is queued.
 */
export function rcuCallbackThread(name = 'rcu_callbacks'): { name: string; body: () => ThreadGen } {
  return { name, body: () => callbackLoop(name) };
}

/** rcuCallbackThread's body (module level: no generator closure per thread and execution). */
function* callbackLoop(name: string): G<void> {
  const exec = currentExecution();
  const k = kernelOf(exec);
  const runner = exec.running;
  for (;;) {
    // The condition reads other threads' completion, which no op writes: no `reads`, so it is
    // dependent with every op (sound for DPOR).
    yield op.wait(k.rcuObj, `${name}: wait for a ready callback`,
      () => readyIndex(exec, k) >= 0 || (k.callbacks.length === 0 && allOthersDone(exec, runner)), undefined,
      'an RCU callback whose grace period has ended');
    if (readyIndex(exec, k) < 0) return;
    yield* invoke(exec, k, name);
  }
}

/** rcu_assign_pointer(p, v): a marked store that publishes v to readers. */
export function* rcu_assign_pointer<T>(p: Field<T>, v: T, label = 'rcu_assign_pointer'): G<void> {
  yield op.write(p.id, label, Mo.Release);
  p.v = v;
}

/** RCU_INIT_POINTER(p, v): a store with no ordering (NULL or not yet visible to readers). */
export function* RCU_INIT_POINTER<T>(p: Field<T>, v: T, label = 'RCU_INIT_POINTER'): G<void> {
  yield op.write(p.id, label, Mo.Once);
  p.v = v;
}

function suspicious(what: string, label: string): void {
  kwarn('rcu', `${what} at '${label}' outside an RCU read-side critical section (no rcu_read_lock() held)`, label, {
    title: 'WARNING: suspicious RCU usage',
  });
}

/** rcu_dereference(p): a marked load; outside rcu_read_lock() it is an 'rcu' violation. */
export function* rcu_dereference<T>(p: Field<T>, label = 'rcu_dereference'): G<T> {
  yield op.read(p.id, label, Mo.Consume);
  const exec = currentExecution();
  if (exec.sanitize) {
    const c = kctx(exec);
    if (c.rcuDepth === 0 && c.softirq === 0) suspicious('rcu_dereference()', label);
  }
  return p.v;
}

/** rcu_dereference_check(p, cond): allowed inside a read section or when `cond` (e.g. the update lock is held). */
export function* rcu_dereference_check<T>(p: Field<T>, cond: boolean, label = 'rcu_dereference_check'): G<T> {
  yield op.read(p.id, label, Mo.Consume);
  const exec = currentExecution();
  if (exec.sanitize && !cond && kctx(exec).rcuDepth === 0) suspicious('rcu_dereference_check()', label);
  return p.v;
}

/** rcu_dereference_protected(p, cond): update side, a plain load; `cond` must hold (the lock). */
export function* rcu_dereference_protected<T>(p: Field<T>, cond: boolean, label = 'rcu_dereference_protected'): G<T> {
  yield op.plainRead(p.id, label);
  if (currentExecution().sanitize && !cond) {
    kwarn('rcu', `rcu_dereference_protected() at '${label}' without the protection its condition names`, label, { title: 'WARNING: suspicious RCU usage' });
  }
  return p.v;
}

/** rcu_access_pointer(p): a marked load of the pointer value only (no dereference). */
export function* rcu_access_pointer<T>(p: Field<T>, label = 'rcu_access_pointer'): G<T> {
  yield op.read(p.id, label, Mo.Once);
  return p.v;
}
