/**
 * Heap objects whose life is not bounded by the model's threads: a struct allocated before the
 * threads start (`setup_kmalloc`, `setup_kzalloc`, `setup_vmalloc` in a model's setup, like the
 * allocations a driver's probe or a module's init made before the racing calls begin), and the
 * kmemleak annotations that say an object outlives the model on purpose (`kmemleak_not_leak`,
 * `kmemleak_ignore`), so the leak check at the end does not report it.
 *
 * A setup allocation is a heap block like kmalloc's (slab.ts): its fields die with it, a thread's
 * kfree of it is checked (double / invalid free), any access after that is a use-after-free, and
 * its allocation site reads "during setup: <label>". It costs no op (setup is not scheduled), and
 * allocation-failure injection does not apply (init-time failure is the setup's own branch).
 * kmemleak_not_leak(p) follows mm/kmemleak.c: the object is still tracked (a later kfree is
 * checked as usual) but never reported as a leak; it is bookkeeping, no op, callable in setup or
 * thread code.
 * Leaves out: kmemleak's scanning (reachability from roots): any block still allocated at the end
 * and not annotated is a leak.
 */
import { currentExecution } from '../engine/execution.js';
import { UsageError } from '../engine/violation.js';
import type { KPtr, Make } from './slab.js';

function setupAlloc<T extends object>(allocator: 'kmalloc' | 'vmalloc', fn: string, name: string, make: Make<T> | undefined, label: string): KPtr<T> {
  const exec = currentExecution();
  if (exec.running >= 0) {
    throw new UsageError(`${fn}('${name}') is for a model's setup(); in thread code use yield* ${fn.replace('setup_', '')}(...) (an allocation is an op there)`);
  }
  const b = exec.objects.addHeap(allocator, name, { thread: -1, step: -1, label });
  const s = make ? make(b) : ({} as T);
  return Object.assign(s, { kblock: b });
}

/** kmalloc() in a model's setup: a heap struct that exists when the threads start (no op). */
export function setup_kmalloc<T extends object>(name: string, make?: Make<T>, label = `kmalloc(${name})`): KPtr<T> {
  return setupAlloc('kmalloc', 'setup_kmalloc', name, make, label);
}

/** kzalloc() in a model's setup (fields get the values `make` gives them, conventionally zero). */
export function setup_kzalloc<T extends object>(name: string, make?: Make<T>, label = `kzalloc(${name})`): KPtr<T> {
  return setupAlloc('kmalloc', 'setup_kzalloc', name, make, label);
}

/** vmalloc() in a model's setup; free it with vfree / kvfree. */
export function setup_vmalloc<T extends object>(name: string, make?: Make<T>, label = `vmalloc(${name})`): KPtr<T> {
  return setupAlloc('vmalloc', 'setup_vmalloc', name, make, label);
}

/**
 * kmemleak_not_leak(p): `p` is meant to stay allocated past the model (a cache, a global table):
 * the leak check skips it. NULL is ignored, as in the kernel; anything else that is not a live
 * kmalloc/vmalloc block is a usage error.
 */
export function kmemleak_not_leak(p: { readonly kblock?: number } | null | undefined): void {
  if (p === null || p === undefined) return;
  const b = p.kblock;
  const exec = currentExecution();
  if (b === undefined || !exec.objects.ignoreLeak(b)) {
    throw new UsageError('kmemleak_not_leak() needs a live kmalloc/vmalloc pointer (the value kmalloc or setup_kmalloc returned, before it is freed)');
  }
}

/** kmemleak_ignore(p): the same here (the kernel also stops scanning the object for pointers). */
export function kmemleak_ignore(p: { readonly kblock?: number } | null | undefined): void {
  kmemleak_not_leak(p);
}
