/**
 * A Scheduler wrapper that mirrors the decisions of the running execution into shared memory, so
 * that when a model thread loops without yielding and its worker is stuck, the main thread still
 * knows the exact schedule that led there: the watchdog turns it into a replay token, re-checks
 * the hang by replaying that token in a fresh worker (a pause or a stall does not reproduce), and
 * files the token with the hang. Layout of the Int32Array: [0] decisions so far, [1] 1 when the
 * schedule outgrew the buffer, [2..] the decisions (thread picks and choose values, in order —
 * the same list a token carries).
 * Leaves out: everything else a scheduler does (delegated unchanged).
 */
import type { Op } from '../engine/ops.js';
import type { ExecutionOutcome, Scheduler, SchedulerView } from '../engine/scheduler.js';

const HEADER = 2;

/** A buffer for schedules of up to `maxDecisions` decisions. */
export function tapBuffer(maxDecisions: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer((HEADER + maxDecisions) * 4));
}

/** The decisions recorded in `buf`, or null when they outgrew it. */
export function tappedSchedule(buf: Int32Array): number[] | null {
  if (Atomics.load(buf, 1) !== 0) return null;
  const n = Math.min(Atomics.load(buf, 0), buf.length - HEADER);
  return Array.from(buf.subarray(HEADER, HEADER + n));
}

export class ScheduleTap implements Scheduler {
  readonly afterStep?: (tid: number, op: Op, view: SchedulerView) => void;
  readonly endExecution?: (outcome: ExecutionOutcome) => void;
  readonly stats?: () => Record<string, number>;
  readonly independent?: (a: Op, b: Op, view: SchedulerView) => boolean;
  readonly notes?: () => readonly string[];
  private n = 0;

  constructor(private readonly inner: Scheduler, private readonly buf: Int32Array) {
    if (inner.afterStep) this.afterStep = inner.afterStep.bind(inner);
    if (inner.endExecution) this.endExecution = inner.endExecution.bind(inner);
    if (inner.stats) this.stats = inner.stats.bind(inner);
    // The audit's swap check asks the strategy which ops it treats as independent (audit.ts).
    if (inner.independent) this.independent = inner.independent.bind(inner);
    if (inner.notes) this.notes = inner.notes.bind(inner);
  }

  get name(): string {
    return this.inner.name;
  }

  get seed(): number {
    return this.inner.seed;
  }

  get exhaustive(): boolean {
    return this.inner.exhaustive === true;
  }

  /** What a bounded systematic strategy's exhaustive verdict covers ('2 delays'). */
  get within(): string | undefined {
    return this.inner.within;
  }

  beginExecution(): boolean {
    this.n = 0;
    this.buf[0] = 0;
    this.buf[1] = 0;
    return this.inner.beginExecution();
  }

  private note(v: number): void {
    const i = HEADER + this.n++;
    if (i < this.buf.length) this.buf[i] = v;
    else this.buf[1] = 1;
    this.buf[0] = this.n;
  }

  pickThread(view: SchedulerView): number {
    const t = this.inner.pickThread(view);
    this.note(t);
    return t;
  }

  pickValue(n: number, tid: number, view: SchedulerView): number {
    const v = this.inner.pickValue(n, tid, view);
    this.note(v);
    return v;
  }
}
