/**
 * The big kernel lock of the 2.4 kernels seed 002's sample driver ran under: `lock_kernel()` /
 * `unlock_kernel()` around a character device's `->open` (fs/devices.c chrdev_open), around
 * `sys_init_module` (which runs the module's init) and `sys_delete_module` (which checks the use
 * count, runs the module's exit and frees it) -- all three verified in 2.4 sources; 2.2 held it in
 * sys_open around the whole filp_open instead. `->release` (fput), `->mmap` (do_mmap_pgoff under
 * mmap_sem) and the vm_ops run without it.
 *
 * The BKL is not a sleeping lock and not an atomic context: a holder that sleeps drops it
 * (schedule()'s release_kernel_lock) and takes it back when it runs again. The model keeps that
 * where the sample's paths can sleep: a semaphore / mutex taken with the BKL held is tried first
 * and, when that would block, the BKL is released for the sleep and re-taken after (the C re-takes
 * it before re-testing the semaphore; the order of the two acquisitions is not observable here).
 * The lock itself is a `Semaphore(1)` (not lockdep-tracked: lockdep never tracked the BKL), and
 * the depth of a thread's holding is per-thread state only that thread reads.
 * Leaves out: recursive lock_kernel depth beyond the count, the BKL's spinning (it is a spinlock
 * in 2.4, so a waiter never sleeps; as the waits are explored either way, the difference does not
 * change which interleavings exist).
 */
import { type KMutex, currentExecution, down, mutex_lock, mutex_trylock, up } from '../../src/index.js';
import type { G, KvmapState } from './state.js';

function depth(s: KvmapState): number {
  return s.bklDepth.get(currentExecution().running) ?? 0;
}

/** lock_kernel(). */
export function* lock_kernel(s: KvmapState, label: string): G<void> {
  const tid = currentExecution().running;
  const d = s.bklDepth.get(tid) ?? 0;
  if (d === 0) yield* down(s.bkl, `${label}: lock_kernel()`);
  s.bklDepth.set(tid, d + 1);
}

/** unlock_kernel(). */
export function* unlock_kernel(s: KvmapState, label: string): G<void> {
  const tid = currentExecution().running;
  const d = s.bklDepth.get(tid) ?? 0;
  s.bklDepth.set(tid, d - 1);
  if (d === 1) yield* up(s.bkl, `${label}: unlock_kernel()`);
}

/** down(&sem) / mutex_lock in a path that may hold the BKL: the BKL is dropped while it sleeps. */
export function* sleepingLock(s: KvmapState, m: KMutex, label: string): G<void> {
  const d = depth(s);
  if (d === 0) {
    yield* mutex_lock(m, label);
    return;
  }
  if ((yield* mutex_trylock(m, `${label} (trylock: would it sleep?)`)) === 1) return;
  const tid = currentExecution().running;
  s.bklDepth.set(tid, 0);
  yield* up(s.bkl, `${label}: schedule(): release_kernel_lock()`);
  yield* mutex_lock(m, label);
  yield* down(s.bkl, `${label}: schedule() returns: reacquire_kernel_lock()`);
  s.bklDepth.set(tid, d);
}
