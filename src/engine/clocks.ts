/**
 * Happens-before by vector clocks (Lamport 1978; Mattern 1989), the synchronisation half of the
 * KCSAN-style race detector. Each thread has a clock; each synchronising object (atomic, lock,
 * wait condition) keeps the clock of its last release. Under the default sequentially consistent
 * memory model an atomic load is an acquire, every other atomic op both an acquire and a release
 * of its object, a lock acquire is an acquire, a lock release a release; spawn and join order
 * parent and child.
 *
 * Clocks are plain number arrays that grow with the thread count (missing entries are 0), because
 * models have few threads and spawn is rare: joins cost O(threads).
 * Leaves out: weaker orders (relaxed atomics would skip the join); FastTrack's epoch compression of
 * sync clocks (only the plain-access side in race.ts uses epochs).
 */

export type Clock = number[];

export class HappensBefore {
  /** Clock of each thread. */
  thread: Clock[] = [];
  /** Release clock of each object id (sparse). */
  private obj: (Clock | undefined)[] = [];

  reset(): void {
    this.thread = [];
    this.obj = [];
  }

  /** A thread is created; `parent` is -1 for the model's initial threads. */
  fork(tid: number, parent: number): void {
    const c: Clock = parent >= 0 ? (this.thread[parent] ?? []).slice() : [];
    while (c.length <= tid) c.push(0);
    c[tid] = 1;
    this.thread[tid] = c;
    if (parent >= 0) this.tick(parent);
  }

  /** `tid` learns everything `child` did (join). */
  join(tid: number, child: number): void {
    const src = this.thread[child];
    if (src) this.joinInto(tid, src);
  }

  /** Acquire: the thread learns the object's last release. */
  acquire(tid: number, obj: number): void {
    const src = this.obj[obj];
    if (src) this.joinInto(tid, src);
  }

  /** Release: the object remembers the thread's clock; the thread's own entry advances. */
  release(tid: number, obj: number): void {
    const c = this.thread[tid];
    if (!c) return;
    const dst = this.obj[obj];
    if (dst) {
      // Release sequences accumulate: an RMW chain keeps everything earlier releasers published.
      for (let i = 0; i < c.length; i++) {
        const v = c[i] as number;
        if (i >= dst.length) dst.push(v);
        else if (v > (dst[i] as number)) dst[i] = v;
      }
    } else {
      this.obj[obj] = c.slice();
    }
    this.tick(tid);
  }

  /** Acquire + release (a sequentially consistent atomic op). */
  acqRel(tid: number, obj: number): void {
    this.acquire(tid, obj);
    this.release(tid, obj);
  }

  /** The current epoch (own clock entry) of a thread. */
  epoch(tid: number): number {
    return this.thread[tid]?.[tid] ?? 0;
  }

  /** Has `tid` seen event (other, epoch)? */
  sees(tid: number, other: number, epoch: number): boolean {
    return (this.thread[tid]?.[other] ?? 0) >= epoch;
  }

  private tick(tid: number): void {
    const c = this.thread[tid];
    if (c) c[tid] = (c[tid] ?? 0) + 1;
  }

  private joinInto(tid: number, src: Clock): void {
    const c = this.thread[tid];
    if (!c) return;
    for (let i = 0; i < src.length; i++) {
      const v = src[i] as number;
      if (i >= c.length) c.push(v);
      else if (v > (c[i] as number)) c[i] = v;
    }
  }
}
