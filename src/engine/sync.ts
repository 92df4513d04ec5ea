/**
 * Which ops order which: the happens-before edges the race detector (race.ts) uses, from each op's
 * kind and memory-order tag (ops.ts `Mo`), following the kernel's rules (tools/memory-model:
 * linux-kernel.def / explanation.txt, and Documentation/atomic_t.txt):
 *
 * - marked accesses tagged ONCE or NORETURN (READ_ONCE, WRITE_ONCE, atomic_read/set, atomic_inc,
 *   set_bit, the _relaxed RMWs) order nothing by themselves; a relaxed load's message is learnt at
 *   the thread's next acquire fence, a relaxed store carries the thread's last release fence;
 * - ACQUIRE loads and RMWs acquire, RELEASE stores and RMWs release (smp_load_acquire,
 *   smp_store_release, rcu_assign_pointer; rcu_dereference counts as an acquire here);
 * - MB RMWs (value-returning atomics, xchg, cmpxchg) and smp_mb() are full fences; smp_wmb() is a
 *   release fence and smp_rmb() an acquire fence (so a wmb/rmb pair orders); the
 *   smp_mb__{before,after}_atomic / __after_spinlock / __after_unlock_lock fences count as smp_mb();
 *   barrier() orders nothing between CPUs;
 * - lock acquire/release (spinlocks, mutexes, rwlocks, rwsems, semaphores), thread spawn/join,
 *   completions and waits (a wait acquires what the writes of the objects it reads released);
 * - RCU: a grace period's start acquires every reader unlock before it and releases to every
 *   reader that enters later, its end acquires every reader unlock before it; readers do not order
 *   each other. call_rcu also releases to its callback.
 * Untagged ops (the engine's own Atomic, Cell, Mutex; hardware accesses) are sequentially
 * consistent: a load acquires, a store or RMW acquires and releases.
 * Leaves out: smp_wmb ordering only stores and smp_rmb only loads (each orders every access
 * here: a race between a read before smp_wmb and a write after the paired smp_rmb is missed), a
 * failed cmpxchg being relaxed (it is full here), dependencies: the LKMM memory model
 * (--memory-model lkmm) is exact where this is not.
 */
import type { HappensBefore } from './clocks.js';
import { Mo, type Op, OpKind } from './ops.js';

/** A load by `tid` of `obj` with tag `mo`. */
function load(hb: HappensBefore, tid: number, obj: number, mo: number): void {
  if (mo === Mo.Sc || mo === Mo.Acquire || mo === Mo.Mb || mo === Mo.Consume) hb.acquire(tid, obj);
  else hb.relaxedLoad(tid, obj);
}

/** Happens-before effect of op `o` run by `tid` (`got`: a trylock's result). */
export function syncOp(hb: HappensBefore, tid: number, o: Op, got: boolean): void {
  const obj = o.obj;
  const mo = o.mo ?? Mo.Sc;
  switch (o.kind) {
    case OpKind.Read:
      load(hb, tid, obj, mo);
      return;
    case OpKind.Write:
      if (mo === Mo.Sc || mo === Mo.RcuCallback) hb.acqRel(tid, obj);
      else if (mo === Mo.Release) hb.releaseStore(tid, obj);
      else if (mo === Mo.RcuUnlock) hb.release(tid, obj);
      else if (mo === Mo.GpStart) {
        // Sections that ended before the grace period starts precede everything after it.
        hb.acquire(tid, obj);
        hb.releaseAux(tid, obj);
      } else if (mo === Mo.CallRcu) {
        hb.acquire(tid, obj);
        hb.releaseAux(tid, obj);
        hb.release(tid, obj);
      } else hb.relaxedStore(tid, obj, false);
      return;
    case OpKind.Rmw:
      if (mo === Mo.Sc) hb.acqRel(tid, obj);
      else if (mo === Mo.Mb) {
        hb.acquireFence(tid);
        hb.acquire(tid, obj);
        hb.release(tid, obj);
        hb.releaseFence(tid);
      } else if (mo === Mo.Acquire) {
        hb.acquire(tid, obj);
        hb.relaxedStore(tid, obj, true);
      } else if (mo === Mo.Release) {
        hb.relaxedLoad(tid, obj);
        hb.release(tid, obj);
      } else {
        hb.relaxedLoad(tid, obj);
        hb.relaxedStore(tid, obj, true);
      }
      return;
    case OpKind.Device:
      hb.acqRel(tid, obj);
      return;
    case OpKind.Fence:
      if (mo === Mo.FenceWmb) hb.releaseFence(tid);
      else if (mo === Mo.FenceRmb) hb.acquireFence(tid);
      else if (mo !== Mo.Barrier) {
        hb.acquireFence(tid);
        hb.releaseFence(tid);
      }
      return;
    case OpKind.Acquire:
      hb.acquire(tid, obj);
      // A writer also learns what the readers before it did (their unlocks release to aux).
      if (o.n !== 1) hb.acquireAux(tid, obj);
      return;
    case OpKind.TryAcquire:
      if (got) {
        hb.acquire(tid, obj);
        hb.acquireAux(tid, obj);
      }
      return;
    case OpKind.Release:
      // Reader unlocks publish only to later writers: readers do not order each other.
      if (o.n === 1) hb.releaseAux(tid, obj);
      else hb.release(tid, obj);
      return;
    case OpKind.Wait:
      if (obj < 0) return;
      if (mo === Mo.RcuLock) hb.acquireAux(tid, obj);
      else {
        hb.acquire(tid, obj);
        const r = o.reads;
        if (r !== undefined) for (let i = 0; i < r.length; i++) hb.acquire(tid, r[i] as number);
      }
      return;
    default:
  }
}
