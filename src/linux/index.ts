/**
 * src/linux: the kernel API models call (see API.md for the table of names and semantics).
 * Every op-taking helper is a generator used with `yield*`; its last parameter is an optional
 * source label such as '__vunmap: atomic_sub(used)'.
 * Leaves out: the emulated hardware (src/hw).
 */
export * from './atomic.js';
export * from './atomic-ordering.js';
export * from './refcount.js';
export * from './percpu-refcount.js';
export * from './spinlock.js';
export * from './mutex.js';
export * from './rwlock.js';
export * from './completion.js';
export * from './sched.js';
export * from './irq.js';
export * from './field.js';
export * from './barrier.js';
export * from './deps.js';
export * from './weak.js';
export * from './slab.js';
export * from './slab-setup.js';
export * from './rcu.js';
export * from './list.js';
export * from './rculist.js';
export * from './list-move.js';
export * from './hlist.js';
export * from './bitops.js';
export * from './wait.js';
export * from './signal.js';
export * from './errno.js';
export * from './module.js';
export * from './deref.js';
export * from './devres.js';
export * from './bug.js';
export * from './ctypes.js';
export { kernelConfig, setKernelDefaults, in_softirq, kwarn, kfail } from './kernel.js';
export type { KernelConfig, KCtx, HeldLock } from './kernel.js';
export { lockdepEdges } from './lockdep.js';
export { benchKernelModel } from './bench-model.js';
