/**
 * Iterative delay bounding (Emmi, Qadeer & Rakamarić, "Delay-bounded scheduling", POPL 2011), over
 * the deterministic base scheduler SCTBench uses for it (Thomson, Donaldson & Betts, "Concurrency
 * testing using schedule bounding: an empirical study", PPoPP 2014): non-preemptive round-robin.
 * The base scheduler keeps running the thread that ran last while it is enabled; when it blocks or
 * ends, it runs the next enabled thread in cyclic thread-id order after it (the lowest id at the
 * start). A *delay* skips the thread the base scheduler would run and takes the next one in that
 * cyclic order; i delays at one point run the i-th enabled thread after the default. A schedule's
 * cost is its number of delays; every schedule has some cost, so without a bound the search is
 * complete. The schedules with k delays are at most the ways of placing k delays on an
 * execution's steps, about steps^k / k! whatever the number of threads (times the combinations of
 * `choose` values), where a preemption bound also branches on every thread that could take over.
 *
 * Bound k runs exactly the schedules with k delays, k = 0, 1, ..., so each schedule runs once and
 * cheap ones come first. An execution replays a prefix that ends with its last delay and then
 * follows the base scheduler; every delay it could take on the way (i delays at a point) is queued
 * as a prefix for bound k + i, unless that passes `--delay-bound`. Past `queueCap` queued prefixes
 * the queues are dropped and each later bound is an iterative-deepening search from the root over
 * the schedules with at most k delays (memory proportional to one execution, at the price of
 * re-running cheaper schedules: `stats().repeats`).
 *
 * `choose` values are not delays: every value is explored at every bound, as DFS explores them
 * within a preemption bound. A `choose` is data nondeterminism (which branch a scenario takes,
 * whether a kmalloc fails) rather than a scheduling decision, and the guarantee users read is
 * "every schedule with at most k delays, for every combination of choose values" — the same shape
 * as DFS's. Counting value v as v delays would also bound data choices, but would make bound 0 miss
 * a failure path that needs no reordering at all.
 *
 * Stateless like DFS: every execution replays its prefix from `setup()`, each decision stores the
 * signature of the scheduling point (signature.ts), and a replay that meets another signature
 * reports the model as nondeterministic (by picking a thread or value that does not exist, which
 * the engine turns into a `nondeterminism` violation). `exhaustive` means every schedule with at
 * most `delayBound` delays ran; `within` says so when the bound actually cut schedules off.
 * Leaves out: state caching, and the paper's delays for task queues of asynchronous programs (the
 * engine's threads are the only schedulable units).
 */
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';
import { UsageError } from '../engine/violation.js';
import { DIVERGED, PAST, PathLog, type Prefix, ROOT_PREFIX, prefixDecision, prefixLength } from './prefix.js';
import { viewSignature } from './signature.js';

/** Index in `en[0..n)` (ascending) of the first id >= `t`, or 0 when there is none (wrap around). */
function rotationStart(en: Int32Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((en[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo === n ? 0 : lo;
}

/** The thread run after `delays` delays at this point: the base scheduler's pick is delays = 0. */
export function roundRobinPick(view: SchedulerView, delays: number): number {
  const n = view.enabledCount;
  // The last thread, when still enabled, is found by the same search: it is the first id >= itself.
  const s = rotationStart(view.enabled, n, view.lastThread);
  return view.enabled[(s + delays) % n] as number;
}

export class DelayScheduler implements Scheduler {
  readonly name = 'delay';
  readonly seed = 0;
  exhaustive = false;
  /** Delays of the schedules being run (queue mode), or their most (deepening mode). */
  private level = 0;
  /** The prefixes of the current bound and where the next one is; `later[i]`: prefixes with i delays. */
  private current: Prefix[] = [ROOT_PREFIX];
  private head = 0;
  private later: Prefix[][] = [];
  private queued = 0;
  private work: Prefix = ROOT_PREFIX;
  /** Decisions after the prefix: alternatives (values of a choose, delays allowed while deepening), the one taken, signature. */
  private readonly nCount: number[] = [];
  private readonly nIdx: number[] = [];
  private readonly nSig: number[] = [];
  private depth = 0;
  private started = false;
  /** Decisions of the running execution, for queueing its delays as prefixes. */
  private readonly log = new PathLog();
  /** Delays taken so far by the running execution (deepening mode only). */
  private delays = 0;
  private overflow = false;
  private deepening = false;
  /** Deepening: some pick needed more delays than this bound allows. */
  private cut = false;
  /** Some schedule needs more delays than `delayBound`: the verdict is "within the bound". */
  private limited = false;
  private executions = 0;
  private divergences = 0;
  private repeats = 0;

  /** `queueCap`: most queued prefixes before switching to deepening. */
  constructor(readonly delayBound?: number, private readonly queueCap = 200_000) {
    if (delayBound !== undefined && !(Number.isInteger(delayBound) && delayBound >= 0)) {
      throw new UsageError(`delayBound must be a whole number >= 0 (got ${delayBound})`);
    }
  }

  /** When `exhaustive`, what a bound left out: '2 delays' means every schedule with at most 2. */
  get within(): string | undefined {
    const k = this.delayBound;
    return this.exhaustive && this.limited && k !== undefined ? `${k} delay${k === 1 ? '' : 's'}` : undefined;
  }

  private mayGoPast(level: number): boolean {
    return this.delayBound === undefined || level < this.delayBound;
  }

  /** Work for a later bound exists (whether or not the bound allows it). */
  private laterWork(): boolean {
    return this.deepening ? this.cut : this.overflow || this.queued > 0;
  }

  beginExecution(): boolean {
    if (this.exhaustive) return false;
    if (this.started && this.advanceStack()) return this.reset();
    this.started = true;
    for (;;) {
      if (this.head < this.current.length) {
        this.work = this.current[this.head] as Prefix;
        // Let the path arrays of finished prefixes go.
        this.current[this.head++] = ROOT_PREFIX;
        this.depth = 0;
        return this.reset();
      }
      if (!this.nextLevel()) {
        this.exhaustive = true;
        return false;
      }
    }
  }

  /** Bound `level` is done: move to the next one; false when there is none to run. */
  private nextLevel(): boolean {
    if (!this.laterWork()) return false;
    if (!this.mayGoPast(this.level)) {
      this.limited = true;
      return false;
    }
    this.level++;
    this.head = 0;
    if (this.overflow || this.deepening) {
      // Too many prefixes to keep: this bound and every later one run from the root.
      this.deepening = true;
      this.overflow = false;
      this.later = [];
      this.queued = 0;
      this.cut = false;
      this.current = [ROOT_PREFIX];
    } else {
      this.current = this.later[this.level] ?? [];
      this.later[this.level] = [];
      this.queued -= this.current.length;
    }
    return true;
  }

  private reset(): true {
    this.log.reset();
    this.delays = 0;
    this.executions++;
    return true;
  }

  /** Move the deepest decision with an untried alternative to it; false when there is none. */
  private advanceStack(): boolean {
    for (let d = this.depth - 1; d >= 0; d--) {
      const i = (this.nIdx[d] as number) + 1;
      if (i < (this.nCount[d] as number)) {
        this.nIdx[d] = i;
        this.depth = d + 1;
        return true;
      }
    }
    this.depth = 0;
    return false;
  }

  /** Mark the space exhausted as soon as its last execution ends (a budget ending there still counts). */
  endExecution(): void {
    if (this.deepening && this.delays < this.level) this.repeats++;
    for (let d = 0; d < this.depth; d++) if ((this.nIdx[d] as number) + 1 < (this.nCount[d] as number)) return;
    if (this.head < this.current.length) return;
    if (this.laterWork()) {
      if (this.mayGoPast(this.level)) return;
      this.limited = true;
    }
    this.exhaustive = true;
  }

  /** The recorded decision at the current position: a value >= 0, DIVERGED, or PAST (a new decision). */
  private replayed(sig: number): number {
    const fixed = prefixDecision(this.work, this.log.pos, sig);
    if (fixed !== PAST) return fixed;
    const d = this.log.pos - prefixLength(this.work);
    if (d >= this.depth) return PAST;
    return this.nSig[d] === sig ? (this.nIdx[d] as number) : DIVERGED;
  }

  private inStack(): boolean {
    return this.log.pos >= prefixLength(this.work);
  }

  private push(count: number, sig: number): void {
    const d = this.depth++;
    this.nCount[d] = count;
    this.nIdx[d] = 0;
    this.nSig[d] = sig;
  }


  pickThread(view: SchedulerView): number {
    const sig = viewSignature(view);
    const r = this.replayed(sig);
    if (r === DIVERGED) {
      this.divergences++;
      return view.threadCount;
    }
    if (r >= 0) {
      if (!this.inStack()) return this.log.record(r, sig);
      // A decision of the stack: its index is the number of delays taken there.
      this.delays += r;
      return this.log.record(roundRobinPick(view, r), sig);
    }
    const n = view.enabledCount;
    if (this.deepening) {
      const allowed = Math.min(n, this.level - this.delays + 1);
      if (allowed < n) this.cut = true;
      this.push(allowed, sig);
    } else {
      if (n > 1) this.queueDelays(view, n);
      this.push(1, sig);
    }
    return this.log.record(roundRobinPick(view, 0), sig);
  }

  /** Queue every delay this point allows: i delays here is a prefix of bound level + i. */
  private queueDelays(view: SchedulerView, n: number): void {
    for (let i = 1; i < n; i++) {
      const cost = this.level + i;
      if (this.delayBound !== undefined && cost > this.delayBound) {
        this.limited = true;
        return;
      }
      if (this.queued >= this.queueCap) {
        this.overflow = true;
        return;
      }
      let bucket = this.later[cost];
      if (bucket === undefined) {
        bucket = [];
        this.later[cost] = bucket;
      }
      bucket.push(this.log.deviate(roundRobinPick(view, i)));
      this.queued++;
    }
  }

  pickValue(n: number): number {
    const sig = -1 - n;
    const r = this.replayed(sig);
    if (r === DIVERGED) {
      this.divergences++;
      return n;
    }
    if (r >= 0) return this.log.record(r, sig);
    this.push(n, sig);
    return this.log.record(0, sig);
  }

  stats(): Record<string, number> {
    return {
      bound: this.level, queued: this.queued + this.current.length - this.head, divergences: this.divergences,
      runs: this.executions, deepening: this.deepening ? 1 : 0, repeats: this.repeats,
    };
  }
}
