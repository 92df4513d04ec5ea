/**
 * Happens-before by vector clocks (Lamport 1978; Mattern 1989), the synchronisation half of the
 * race detector. Each thread has a clock; each synchronising object keeps the clock its releases
 * published (its "message"). Which op acquires or releases what is decided in sync.ts; this file
 * only provides the moves, including C11-style fences as the kernel's barriers need them (as in
 * ThreadSanitizer and loom): a relaxed load collects the message it read into the thread's pending
 * clock, which an acquire fence (smp_rmb, smp_mb) makes its own; a release fence (smp_wmb, smp_mb)
 * snapshots the thread's clock, which the thread's later relaxed stores carry. A store replaces an
 * object's message; an RMW adds to it (release sequences continue through RMWs). Each object also
 * has a second, auxiliary message for primitives with two directions (RCU grace periods, reader
 * unlocks of rwlocks). Spawn and join order parent and child.
 *
 * Clocks are plain number arrays that grow with the thread count (missing entries are 0), because
 * models have few threads and spawn is rare: joins cost O(threads).
 * Leaves out: FastTrack's epoch compression of sync clocks (only race.ts uses epochs).
 */

export type Clock = number[];

export class HappensBefore {
  /** Clock of each thread. */
  thread: Clock[] = [];
  /** Release clock of each object id (sparse). */
  private obj: (Clock | undefined)[] = [];
  /** The auxiliary message of each object id (sparse). */
  private aux: (Clock | undefined)[] = [];
  /** Each thread's clock at its last release fence (its relaxed stores carry it). */
  private fenced: (Clock | undefined)[] = [];
  /** Messages each thread's relaxed loads read, for its next acquire fence. */
  private pending: (Clock | undefined)[] = [];

  reset(): void {
    this.thread = [];
    this.obj = [];
    this.aux = [];
    this.fenced = [];
    this.pending = [];
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

  /** Release: the object remembers the thread's clock (added to what it had); the thread's own entry advances. */
  release(tid: number, obj: number): void {
    const c = this.thread[tid];
    if (!c) return;
    this.obj[obj] = merge(this.obj[obj], c);
    this.tick(tid);
  }

  /** A release store: the object's message becomes the thread's clock (a new release sequence). */
  releaseStore(tid: number, obj: number): void {
    const c = this.thread[tid];
    if (!c) return;
    this.obj[obj] = c.slice();
    this.tick(tid);
  }

  /**
   * A relaxed store (`rmw` false: replaces the message) or relaxed RMW (adds to it): it carries
   * what the thread's last release fence published, and nothing when there was none.
   */
  relaxedStore(tid: number, obj: number, rmw: boolean): void {
    const f = this.fenced[tid];
    if (rmw) {
      if (f) this.obj[obj] = merge(this.obj[obj], f);
    } else {
      this.obj[obj] = f ? f.slice() : undefined;
    }
  }

  /** A relaxed load: the message it read waits for the thread's next acquire fence. */
  relaxedLoad(tid: number, obj: number): void {
    const src = this.obj[obj];
    if (src) this.pending[tid] = merge(this.pending[tid], src);
  }

  /** Acquire fence: the thread learns every message its relaxed loads read. */
  acquireFence(tid: number): void {
    const p = this.pending[tid];
    if (p) {
      this.joinInto(tid, p);
      this.pending[tid] = undefined;
    }
  }

  /** Release fence: later relaxed stores of the thread publish everything it knows now. */
  releaseFence(tid: number): void {
    const c = this.thread[tid];
    if (!c) return;
    this.fenced[tid] = c.slice();
    this.tick(tid);
  }

  /** Acquire of the object's auxiliary message. */
  acquireAux(tid: number, obj: number): void {
    const src = this.aux[obj];
    if (src) this.joinInto(tid, src);
  }

  /** Release into the object's auxiliary message (accumulating). */
  releaseAux(tid: number, obj: number): void {
    const c = this.thread[tid];
    if (!c) return;
    this.aux[obj] = merge(this.aux[obj], c);
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

  tick(tid: number): void {
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

/** `dst` joined with `src` (in place when `dst` exists). */
function merge(dst: Clock | undefined, src: Clock): Clock {
  if (!dst) return src.slice();
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number;
    if (i >= dst.length) dst.push(v);
    else if (v > (dst[i] as number)) dst[i] = v;
  }
  return dst;
}
