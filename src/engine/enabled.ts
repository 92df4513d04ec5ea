/**
 * The enabled set of one execution: which threads may run the next step, kept up to date
 * incrementally; the base class of Execution (its fields sit on the execution itself: the step
 * loop reads them every step, and an extra object in between measurably cost). Only acquire, wait
 * and join can block, so a thread's membership changes only when its own pending op changes, when
 * the lock it waits for changes hands, when the thread it joins ends, or (for a wait) whenever
 * anything runs. On an 8-thread lock workload a full scan of every thread was ~35 ns of a ~125 ns
 * step; here a lock hand-off moves all the lock's waiters at once with two masks.
 *
 * Up to 32 threads the set is a bitmask (with exclusive and shared waiter masks per lock, and
 * masks of waiting and joining threads); `enabled` is rebuilt from the mask, in ascending thread
 * order, only when it changes. Past 32 threads it falls back to a scan of every thread at each
 * step where a blocking op is pending, with epoch stamps for `isEnabled`. The per-thread arrays
 * start at 64 entries and double when a thread beyond them is created (a rare event, outside the
 * step loop), up to MAX_THREADS. Re-evaluation happens in
 * `refreshEnabled()`, at the start of a step, so the set a scheduler sees is constant for the whole
 * step (as a full recomputation would give; properties/engine/enabled-set.test.ts checks both).
 * Leaves out: wait conditions are opaque functions of model state, so every waiting thread is
 * re-evaluated at every step (no attempt to learn what a condition reads).
 */
import { LockTable } from './locks.js';
import { type Op, OpKind } from './ops.js';

/**
 * Most threads one execution may create. Thread ids are schedule entries, which tokens bit-pack
 * in up to 16 bits (token.ts), so any limit up to 65 536 encodes; 4096 keeps the scan mode's
 * per-step cost (one evaluation per thread while any blocking op is pending) within reason under
 * the default step bound, and costs models with fewer threads nothing (the arrays grow on demand).
 */
export const MAX_THREADS = 4096;
const MASK_THREADS = 32;
/** Initial size of the per-thread arrays. */
const INITIAL_THREADS = 64;

/** 1 for the op kinds that can block (acquire, wait, join); indexed by OpKind. */
const BLOCKING = new Uint8Array(32);
BLOCKING[OpKind.Acquire] = 1;
BLOCKING[OpKind.Wait] = 1;
BLOCKING[OpKind.Join] = 1;

export abstract class EnabledSet {
  /** Enabled thread ids, ascending; the first `enabledCount` entries are valid. */
  enabled = new Int32Array(INITIAL_THREADS);
  enabledCount = 0;
  /** Each thread's pending op kind (-1: none), and for blocking ops its object and shared flag. */
  private enKind = new Int8Array(INITIAL_THREADS);
  private enObj = new Int32Array(INITIAL_THREADS);
  private enShared = new Uint8Array(INITIAL_THREADS);
  private enThreads = 0;
  // Mask mode (at most 32 threads).
  private enMask = 0;
  /** Threads to re-evaluate at the next refresh. */
  private enStale = 0;
  private enWaiting = 0;
  private enJoining = 0;
  /** A thread ended since the last refresh (a join may be enabled). */
  private enEnded = false;
  /** Anything to re-evaluate at the next refresh (stale threads, a changed lock, an end)? */
  private enTouched = true;
  /** The lock the last step acquired or released (-1: none); its waiters live in the lock table. */
  private enChangedLock = -1;
  // Scan mode (more than 32 threads).
  private enBig = false;
  private enDirty = true;
  private enAt = new Int32Array(INITIAL_THREADS);
  private enEpoch = 1;

  protected readonly locks = new LockTable();

  /** A wait's condition or a join's target: decided by the execution, which knows threads and state. */
  abstract pendingEnabled(tid: number): boolean;

  protected resetEnabled(): void {
    this.enabledCount = 0;
    this.enThreads = 0;
    this.enMask = 0;
    this.enStale = 0;
    this.enWaiting = 0;
    this.enJoining = 0;
    this.enEnded = false;
    this.enTouched = true;
    this.enChangedLock = -1;
    this.enBig = false;
    this.enDirty = true;
  }

  /** Is thread `t` enabled at this step? */
  isEnabled(t: number): boolean {
    if (!(t >= 0 && t < this.enThreads)) return false;
    return this.enBig ? this.enAt[t] === this.enEpoch : ((this.enMask >>> t) & 1) === 1;
  }

  /** Thread `t` was created; its first op (or its end) follows through `setPending`. */
  protected threadAdded(t: number): void {
    if (t >= this.enKind.length) this.growThreads(t + 1);
    this.enThreads = t + 1;
    this.enKind[t] = -1;
    this.enDirty = true;
    if (t >= MASK_THREADS && !this.enBig) {
      // Switch to scan mode: stamp the current members so `has` stays right until the next scan.
      this.enBig = true;
      this.enEpoch++;
      for (let i = 0; i < this.enabledCount; i++) this.enAt[this.enabled[i] as number] = this.enEpoch;
    }
  }

  /** Make room for `n` threads (at most MAX_THREADS; the execution refuses more before asking). */
  private growThreads(n: number): void {
    const size = Math.min(MAX_THREADS, Math.max(n, this.enKind.length * 2));
    const grow = <A extends Int32Array | Int8Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.enabled = grow(this.enabled, (k) => new Int32Array(k));
    this.enKind = grow(this.enKind, (k) => new Int8Array(k));
    this.enObj = grow(this.enObj, (k) => new Int32Array(k));
    this.enShared = grow(this.enShared, (k) => new Uint8Array(k));
    this.enAt = grow(this.enAt, (k) => new Int32Array(k));
  }

  /** Thread `t` now has `o` pending (undefined: it ended). */
  protected setPending(t: number, o: Op | undefined): void {
    const kinds = this.enKind;
    const old = kinds[t] as number;
    if (o !== undefined && old >= 0 && BLOCKING[old] === 0 && BLOCKING[o.kind] === 0) {
      // A non-blocking op after a non-blocking op: the thread stays enabled.
      kinds[t] = o.kind;
      return;
    }
    const bit = 1 << t;
    if (!this.enBig) {
      if (old === OpKind.Acquire) this.locks.dropWaiter(this.enObj[t] as number, bit);
      else if (old === OpKind.Wait) this.enWaiting &= ~bit;
      else if (old === OpKind.Join) this.enJoining &= ~bit;
      this.enStale |= bit;
      this.enTouched = true;
    }
    if (o === undefined) {
      kinds[t] = -1;
      this.enEnded = true;
      this.enDirty = true;
      return;
    }
    const k = o.kind;
    kinds[t] = k;
    if (BLOCKING[k] === 0) return;
    this.enObj[t] = o.obj;
    this.enShared[t] = o.n === 1 ? 1 : 0;
    this.enDirty = true;
    if (this.enBig) return;
    if (k === OpKind.Acquire) this.locks.addWaiter(o.obj, bit, o.n === 1);
    else if (k === OpKind.Wait) this.enWaiting |= bit;
    else this.enJoining |= bit;
  }

  /** Lock `l` was acquired or released by the step being run. */
  protected lockChanged(l: number): void {
    if (!this.enBig) {
      this.enChangedLock = l;
      this.enTouched = true;
    }
  }

  /** Bring the set up to date before a step. */
  protected refreshEnabled(): void {
    if (this.enBig) {
      if (this.enDirty) this.enScan();
      return;
    }
    // Nothing changed and nobody waits on a condition: the set is what it was.
    if (!this.enTouched && this.enWaiting === 0) return;
    this.enTouched = false;
    let m = this.enMask;
    if (this.enChangedLock >= 0) {
      // Every waiter of the lock follows its new state at once.
      m = this.locks.wakeWaiters(this.enChangedLock, m);
      this.enChangedLock = -1;
    }
    let s = this.enStale | this.enWaiting;
    if (this.enEnded) {
      s |= this.enJoining;
      this.enEnded = false;
    }
    this.enStale = 0;
    while (s !== 0) {
      const low = s & -s;
      s ^= low;
      if (this.enEvaluate(31 - Math.clz32(low))) m |= low;
      else m &= ~low;
    }
    if (m === this.enMask) return;
    this.enMask = m;
    let n = 0;
    while (m !== 0) {
      const low = m & -m;
      m ^= low;
      this.enabled[n++] = 31 - Math.clz32(low);
    }
    this.enabledCount = n;
  }

  private enEvaluate(t: number): boolean {
    const k = this.enKind[t] as number;
    if (k < 0) return false;
    if (BLOCKING[k] === 0) return true;
    if (k === OpKind.Acquire) return this.locks.canAcquire(this.enObj[t] as number, this.enShared[t] === 1);
    return this.pendingEnabled(t);
  }

  /** Scan mode: evaluate every thread; stay dirty while any blocking op is pending. */
  private enScan(): void {
    if (this.enEpoch >= 0x3fffffff) {
      this.enAt.fill(0);
      this.enEpoch = 1;
    }
    const epoch = ++this.enEpoch;
    let n = 0;
    let blockers = 0;
    for (let t = 0; t < this.enThreads; t++) {
      const k = this.enKind[t] as number;
      if (k < 0) continue;
      if (BLOCKING[k] !== 0) blockers++;
      if (this.enEvaluate(t)) {
        this.enabled[n++] = t;
        this.enAt[t] = epoch;
      }
    }
    this.enabledCount = n;
    this.enDirty = blockers > 0;
  }
}
