/**
 * Lock ownership for one execution: the exclusive owner and the number of shared holders of each
 * lock object, when an acquire is enabled, and what a release must find. The engine's only
 * blocking primitive besides Wait and Join; the kernel's spinlocks, mutexes, rwlocks and rwsems
 * (src/linux) are all built on it.
 *
 * State lives in typed arrays indexed by object id (owner stored as thread id + 1, so 0 is free),
 * with the threads waiting to acquire each lock (bit masks, exclusive and shared, threads 0..31):
 * the enabled set (enabled.ts) asks after every hand-off which waiters may now run, and a typed
 * array read is the cheapest answer. `reset` clears only the prefix of ids used so far.
 * Leaves out: fairness and wake order (the scheduler picks), recursion checks (lockdep's job).
 */
export class LockTable {
  private owner = new Int32Array(64);
  private readers = new Int32Array(64);
  private exWaiters = new Int32Array(64);
  private shWaiters = new Int32Array(64);
  /** One past the highest object id written since the last reset. */
  private used = 0;

  reset(): void {
    if (this.used > 0) {
      for (const a of [this.owner, this.readers, this.exWaiters, this.shWaiters]) a.fill(0, 0, this.used);
      this.used = 0;
    }
  }

  /** Make room for object id `obj` (ids are dense and small, but unbounded). */
  private touch(obj: number): void {
    if (obj >= this.owner.length) {
      const size = Math.max(obj + 1, this.owner.length * 2);
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(size);
        b.set(a);
        return b;
      };
      this.owner = grow(this.owner);
      this.readers = grow(this.readers);
      this.exWaiters = grow(this.exWaiters);
      this.shWaiters = grow(this.shWaiters);
    }
    if (obj >= this.used) this.used = obj + 1;
  }

  /** Thread bit `bit` now waits to acquire `obj` (shared when `shared`). */
  addWaiter(obj: number, bit: number, shared: boolean): void {
    if (obj < 0) return;
    this.touch(obj);
    if (shared) this.shWaiters[obj] = (this.shWaiters[obj] as number) | bit;
    else this.exWaiters[obj] = (this.exWaiters[obj] as number) | bit;
  }

  /** Thread bit `bit` no longer waits for `obj`. */
  dropWaiter(obj: number, bit: number): void {
    if (obj < 0 || obj >= this.used) return;
    this.exWaiters[obj] = (this.exWaiters[obj] as number) & ~bit;
    this.shWaiters[obj] = (this.shWaiters[obj] as number) & ~bit;
  }

  /**
   * `mask` (enabled threads) after `obj` changed hands: its exclusive waiters need it free, its
   * shared waiters need it without an exclusive owner.
   */
  wakeWaiters(obj: number, mask: number): number {
    if (obj < 0 || obj >= this.used) return mask;
    const ex = this.exWaiters[obj] as number;
    const sh = this.shWaiters[obj] as number;
    let m = mask & ~(ex | sh);
    if (this.canAcquire(obj, false)) m |= ex;
    if (this.canAcquire(obj, true)) m |= sh;
    return m;
  }

  /** Exclusive owner of lock `obj`, -1 when none. */
  ownerOf(obj: number): number {
    return obj >= 0 && obj < this.owner.length ? (this.owner[obj] as number) - 1 : -1;
  }

  readersOf(obj: number): number {
    return obj >= 0 && obj < this.readers.length ? this.readers[obj] as number : 0;
  }

  /** May an acquire (shared when `shared`) of `obj` run now? */
  canAcquire(obj: number, shared: boolean): boolean {
    if (obj < 0 || obj >= this.owner.length) return true;
    return this.owner[obj] === 0 && (shared || this.readers[obj] === 0);
  }

  acquire(obj: number, tid: number, shared: boolean): void {
    this.touch(obj);
    if (shared) this.readers[obj] = (this.readers[obj] as number) + 1;
    else this.owner[obj] = tid + 1;
  }

  /** Acquire exclusively if free; returns whether it did. */
  tryAcquire(obj: number, tid: number): boolean {
    const free = this.canAcquire(obj, false);
    if (free) this.acquire(obj, tid, false);
    return free;
  }

  /** Release; false when `tid` does not hold it that way (bad unlock balance). */
  release(obj: number, tid: number, shared: boolean): boolean {
    if (obj < 0 || obj >= this.owner.length) return false;
    if (shared) {
      const r = this.readers[obj] as number;
      if (r <= 0) return false;
      this.readers[obj] = r - 1;
      return true;
    }
    if (this.owner[obj] !== tid + 1) return false;
    this.owner[obj] = 0;
    return true;
  }
}
