/**
 * Lock ownership for one execution: the exclusive owner and the number of shared holders of each
 * lock object, when an acquire is enabled, and what a release must find. The engine's only
 * blocking primitive besides Wait and Join; the kernel's spinlocks, mutexes, rwlocks and rwsems
 * (src/linux) are all built on it.
 * Leaves out: fairness and wake order (the scheduler picks), recursion checks (lockdep's job).
 */
export class LockTable {
  private owner: number[] = [];
  private readers: number[] = [];

  reset(): void {
    this.owner = [];
    this.readers = [];
  }

  /** Exclusive owner of lock `obj`, -1 when none. */
  ownerOf(obj: number): number {
    return this.owner[obj] ?? -1;
  }

  readersOf(obj: number): number {
    return this.readers[obj] ?? 0;
  }

  /** May an acquire (shared when `shared`) of `obj` run now? */
  canAcquire(obj: number, shared: boolean): boolean {
    return (this.owner[obj] ?? -1) < 0 && (shared || (this.readers[obj] ?? 0) === 0);
  }

  acquire(obj: number, tid: number, shared: boolean): void {
    if (shared) this.readers[obj] = (this.readers[obj] ?? 0) + 1;
    else this.owner[obj] = tid;
  }

  /** Acquire exclusively if free; returns whether it did. */
  tryAcquire(obj: number, tid: number): boolean {
    const free = this.canAcquire(obj, false);
    if (free) this.owner[obj] = tid;
    return free;
  }

  /** Release; false when `tid` does not hold it that way (bad unlock balance). */
  release(obj: number, tid: number, shared: boolean): boolean {
    if (shared) {
      if ((this.readers[obj] ?? 0) <= 0) return false;
      this.readers[obj] = (this.readers[obj] ?? 0) - 1;
      return true;
    }
    if (this.owner[obj] !== tid) return false;
    this.owner[obj] = -1;
    return true;
  }
}
