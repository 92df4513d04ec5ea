/**
 * What one execution records when asked: the op trace (the thread and op of every step, for
 * reports, replays and the minimizer) and the interleaving fingerprint (the order in which threads
 * hand each object to one another, FNV-mixed into one hash: a campaign's coverage signal).
 * Both are off by default: the step loop calls `record` only when one of them was asked for.
 * Leaves out: the schedule itself (always kept by the execution; tokens need it).
 */
import { fnvMix } from './hash.js';
import { type Op, Access, accessOf } from './ops.js';

/**
 * Hand-offs are hashed as `obj * 64 + tid` (so fingerprints, and the coverage keys campaigns keep,
 * stay what they were when 64 was the thread limit); a thread id past 63 is mixed in on its own.
 */
const FP_THREADS = 64;

export class Recorder {
  /** Thread of each step (null when no trace was asked for) and the op it ran. */
  traceThreads: number[] | null = null;
  traceOps: Op[] = [];
  /** Index in the schedule of each step's thread pick (a step's value choices follow it). */
  traceSlots: number[] = [];
  /** The fingerprint so far (FNV-1a offset basis until the first hand-off). */
  fp = 0x811c9dc5;
  /** Last thread to touch each object, when the fingerprint is on. */
  private lastOnObj: number[] | null = null;

  /** Start an execution; `active` tells the step loop whether to call `record` at all. */
  reset(trace: boolean, fingerprint: boolean): void {
    this.traceThreads = trace ? [] : null;
    this.traceOps = [];
    this.traceSlots = [];
    this.lastOnObj = fingerprint ? [] : null;
    this.fp = 0x811c9dc5;
  }

  get active(): boolean {
    return this.traceThreads !== null || this.lastOnObj !== null;
  }

  /** Thread `tid` runs op `o`, picked at schedule index `slot`. */
  record(tid: number, o: Op, slot: number): void {
    if (this.traceThreads) {
      this.traceThreads.push(tid);
      this.traceOps.push(o);
      this.traceSlots.push(slot);
    }
    const lastOnObj = this.lastOnObj;
    if (lastOnObj && o.obj >= 0 && accessOf(o.kind) !== Access.None && lastOnObj[o.obj] !== tid) {
      this.fp = tid < FP_THREADS ? fnvMix(this.fp, o.obj * FP_THREADS + tid) : fnvMix(fnvMix(this.fp, o.obj * FP_THREADS + FP_THREADS - 1), tid);
      lastOnObj[o.obj] = tid;
    }
  }
}
