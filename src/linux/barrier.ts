/**
 * The kernel's memory barriers as fence ops: smp_mb, smp_wmb, smp_rmb, smp_mb__before_atomic,
 * smp_mb__after_atomic, smp_mb__after_spinlock, smp_mb__after_unlock_lock,
 * smp_acquire__after_ctrl_dep and barrier(). Each is one op (a scheduling point with no shared
 * effect) whose tag tells the race detector what it orders (src/engine/sync.ts) and the LKMM memory
 * model which fence event it is (tools/memory-model/linux-kernel.def).
 * Follows Documentation/memory-barriers.txt and linux-kernel.def.
 * Leaves out: dma_wmb/dma_rmb and the mandatory mb/wmb/rmb (device I/O ordering): model device
 * ordering with the hw layer's ops.
 */
import { Mo, type Op, op } from '../engine/ops.js';

type G<R> = Generator<Op, R, unknown>;

/** smp_mb(): orders every earlier access before every later one, cumulatively. */
export function* smp_mb(label = 'smp_mb'): G<void> {
  yield op.fence(label, Mo.FenceMb);
}

/** smp_wmb(): orders earlier stores before later stores. */
export function* smp_wmb(label = 'smp_wmb'): G<void> {
  yield op.fence(label, Mo.FenceWmb);
}

/** smp_rmb(): orders earlier loads before later loads. */
export function* smp_rmb(label = 'smp_rmb'): G<void> {
  yield op.fence(label, Mo.FenceRmb);
}

/** smp_mb__before_atomic(): makes the next non-value-returning atomic RMW fully ordered before. */
export function* smp_mb__before_atomic(label = 'smp_mb__before_atomic'): G<void> {
  yield op.fence(label, Mo.BeforeAtomic);
}

/** smp_mb__after_atomic(): makes the previous non-value-returning atomic RMW fully ordered after. */
export function* smp_mb__after_atomic(label = 'smp_mb__after_atomic'): G<void> {
  yield op.fence(label, Mo.AfterAtomic);
}

/** smp_mb__after_spinlock(): a full barrier after the spin_lock() before it. */
export function* smp_mb__after_spinlock(label = 'smp_mb__after_spinlock'): G<void> {
  yield op.fence(label, Mo.AfterSpinlock);
}

/** smp_mb__after_unlock_lock(): an unlock + lock pair before it acts as a full barrier. */
export function* smp_mb__after_unlock_lock(label = 'smp_mb__after_unlock_lock'): G<void> {
  yield op.fence(label, Mo.AfterUnlockLock);
}

/** smp_acquire__after_ctrl_dep(): a control dependency plus this is an acquire (smp_rmb()). */
export function* smp_acquire__after_ctrl_dep(label = 'smp_acquire__after_ctrl_dep'): G<void> {
  yield op.fence(label, Mo.FenceRmb);
}

/** barrier(): a compiler barrier; orders nothing between CPUs. */
export function* barrier(label = 'barrier'): G<void> {
  yield op.fence(label, Mo.Barrier);
}
