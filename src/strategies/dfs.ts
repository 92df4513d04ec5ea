/**
 * Exhaustive depth-first search over every decision of an execution (thread picks and `choose`
 * values), with iterative preemption bounding as in CHESS (Musuvathi & Qadeer, "Iterative context
 * bounding for systematic testing of multithreaded programs", PLDI 2007).
 *
 * Bound c explores exactly the executions with c preemptions (a preemption = switching away from a
 * thread that is still enabled, the engine's definition). Within one bound only non-preemptive
 * branches are followed; every preemptive alternative met on the way is queued as a prefix for
 * bound c + 1. So each schedule is run exactly once over all bounds, and executions with few
 * preemptions come first. Without `preemptionBound` the bounds grow until no prefix is queued; with
 * one, `exhaustive` means everything with at most that many preemptions was run.
 *
 * The queue for bound c + 1 grows with the number of executions at bound c (about 2.6 KB per
 * execution on 3 threads x 20 ops: 1.1 GB after 400 000 executions). Past `queueCap` queued prefixes
 * it is dropped, and from the next bound on each bound is an iterative-deepening DFS from the root
 * over the schedules with at most c preemptions (as CHESS's first formulation does): memory stays
 * proportional to the execution length, at the price of re-running the schedules of lower bounds
 * (`stats().repeats` counts them; a bound's own schedules still run exactly once).
 *
 * Stateless: every execution replays its prefix from `setup()`. Each decision stores a signature
 * (enabled threads and the picked thread's pending op kind and object); a replay that meets a
 * different signature reports the model as nondeterministic (by picking a thread that does not
 * exist, which the engine turns into a `nondeterminism` violation).
 * Leaves out: state caching (no snapshots) and fair scheduling of spin loops (the step bound
 * catches them).
 */
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';
import { UsageError } from '../engine/violation.js';
import { SYMMETRY_ANNOUNCE, SYMMETRY_WAIT } from '../engine/symmetry.js';
import { DIVERGED, PAST, PathLog, type Prefix, ROOT_PREFIX, prefixDecision, prefixLength } from './prefix.js';
import { viewSignature } from './signature.js';

/** One decision beyond the current work item's prefix. */
interface Node {
  /** Alternatives explored at this bound: thread ids, or value count for a choose. */
  readonly alts: readonly number[];
  idx: number;
  readonly sig: number;
}

export class DfsScheduler implements Scheduler {
  readonly name = 'dfs';
  readonly seed = 0;
  exhaustive = false;
  private level = 0;
  private queue: Prefix[] = [ROOT_PREFIX];
  private next: Prefix[] = [];
  private work: Prefix = ROOT_PREFIX;
  private stack: Node[] = [];
  private started = false;
  /** Decisions of the running execution, for queueing preemptive prefixes. */
  private readonly log = new PathLog();
  private executions = 0;
  private divergences = 0;
  /** The queue for the next bound overflowed: bounds from the next one on are run by deepening. */
  private overflow = false;
  private deepening = false;
  /** Deepening: some preemptive alternative was cut at this bound (a higher bound has work). */
  private cut = false;
  /** Preemptions so far in the running execution (recounted as a replay re-runs its prefix). */
  private pre = 0;
  /** A thread that just passed a symmetry gate wait: it runs its first op next (no branch). */
  private forced = -1;
  /**
   * This execution passed a symmetry gate wait whose thread then could not run its first op: every
   * continuation is the same as one where the wait came later, right before that op, which other
   * branches explore; so nothing more is branched on here.
   */
  private dead = false;
  private repeats = 0;
  /** Some schedule needs more preemptions than `preemptionBound` (the verdict is "within" it). */
  private limited = false;

  /** `queueCap`: most prefixes queued for the next bound before switching to deepening. */
  constructor(readonly preemptionBound?: number, private readonly queueCap = 200_000) {
    if (preemptionBound !== undefined && !(Number.isInteger(preemptionBound) && preemptionBound >= 0)) {
      throw new UsageError(`preemptionBound must be a whole number >= 0 (got ${preemptionBound})`);
    }
  }

  beginExecution(): boolean {
    this.forced = -1;
    this.dead = false;
    if (this.exhaustive) return false;
    if (this.started && this.advanceStack()) return this.reset();
    this.started = true;
    for (;;) {
      const w = this.queue.pop();
      if (w !== undefined) {
        this.work = w;
        this.stack = [];
        return this.reset();
      }
      // Bound `level` is done: move to the prefixes with one more preemption.
      const more = this.deepening ? this.cut : this.next.length > 0 || this.overflow;
      if (!more || (this.preemptionBound !== undefined && this.level >= this.preemptionBound)) {
        if (more) this.limited = true;
        this.exhaustive = true;
        return false;
      }
      this.level++;
      if (this.overflow) {
        // Too many prefixes to keep: run this bound (and every later one) from the root.
        this.deepening = true;
        this.overflow = false;
        this.cut = false;
        this.queue = [ROOT_PREFIX];
      } else if (this.deepening) {
        this.cut = false;
        this.queue = [ROOT_PREFIX];
      } else {
        this.queue = this.next.reverse();
      }
      this.next = [];
    }
  }

  private reset(): true {
    this.log.reset();
    this.pre = 0;
    this.executions++;
    return true;
  }

  /** When `exhaustive`, what the bound left out: '2 preemptions' means every schedule with at most 2. */
  get within(): string | undefined {
    const k = this.preemptionBound;
    return this.exhaustive && this.limited && k !== undefined ? `${k} preemption${k === 1 ? '' : 's'}` : undefined;
  }

  /** Mark the space exhausted as soon as the last execution ends (so a budget that ends exactly there still counts). */
  endExecution(): void {
    if (this.deepening && this.pre < this.level) this.repeats++;
    const later = this.deepening ? this.cut : this.next.length > 0 || this.overflow;
    const below = this.preemptionBound === undefined || this.level < this.preemptionBound;
    const more = this.stack.some((n) => n.idx + 1 < n.alts.length) || this.queue.length > 0 || (later && below);
    if (!more) {
      if (later) this.limited = true;
      this.exhaustive = true;
    }
  }

  /** Move the deepest node with an untried alternative to it; false when the subtree is done. */
  private advanceStack(): boolean {
    const s = this.stack;
    while (s.length > 0) {
      const top = s[s.length - 1] as Node;
      if (top.idx + 1 < top.alts.length) {
        top.idx++;
        return true;
      }
      s.pop();
    }
    return false;
  }

  /** The recorded decision at `pos`, or undefined when the execution is past its known part. */
  private replayed(sig: number): number | undefined {
    const p = this.log.pos;
    const fixed = prefixDecision(this.work, p, sig);
    if (fixed !== PAST) return fixed === DIVERGED ? -1 : fixed;
    const node = this.stack[p - prefixLength(this.work)];
    if (node === undefined) return undefined;
    if (node.sig !== sig) return -1;
    return node.alts[node.idx] as number;
  }


  pickThread(view: SchedulerView): number {
    const t = this.pick(view);
    this.forced = view.pending(t)?.detail === SYMMETRY_WAIT ? t : -1;
    // Only deepening needs the count (a bound from the root); a queued bound is counted by its prefixes.
    if (this.deepening) {
      const last = view.lastThread;
      if (last >= 0 && t !== last && view.isEnabled(last)) this.pre++;
    }
    return t;
  }

  private pick(view: SchedulerView): number {
    const sig = viewSignature(view);
    const r = this.replayed(sig);
    if (r !== undefined) {
      if (r < 0) {
        this.divergences++;
        return view.threadCount;
      }
      return this.log.record(r, sig);
    }
    const last = view.lastThread;
    let alts: number[];
    if (this.forced >= 0 && this.forced === last && !view.isEnabled(last)) this.dead = true;
    if (this.dead) {
      alts = [view.enabled[0] as number];
    } else if (last >= 0 && view.isEnabled(last)) {
      alts = [last];
      if (this.forced === last || view.pending(last)?.detail === SYMMETRY_ANNOUNCE) {
        // Right after a symmetry gate's wait, or before its announcement (engine/symmetry.ts):
        // running the thread on at once loses no behaviour, so there is nothing to branch on.
      } else if (this.deepening) {
        // Preempt here only while the bound allows; otherwise note that a higher bound has work.
        if (this.pre < this.level) {
          for (let i = 0; i < view.enabledCount; i++) if (view.enabled[i] !== last) alts.push(view.enabled[i] as number);
        } else if (view.enabledCount > 1) {
          this.cut = true;
        }
      } else if (this.preemptionBound === undefined || this.level < this.preemptionBound) {
        for (let i = 0; i < view.enabledCount; i++) {
          const t = view.enabled[i] as number;
          if (t === last) continue;
          if (this.next.length >= this.queueCap) {
            this.overflow = true;
            break;
          }
          this.next.push(this.log.deviate(t));
        }
      } else if (view.enabledCount > 1) {
        // At the last bound a preemption is possible here: the verdict is "within the bound".
        this.limited = true;
      }
    } else {
      alts = Array.from(view.enabled.subarray(0, view.enabledCount));
    }
    this.stack.push({ alts, idx: 0, sig });
    return this.log.record(alts[0] as number, sig);
  }

  pickValue(n: number): number {
    const sig = -1 - n;
    const r = this.replayed(sig);
    if (r !== undefined) {
      if (r < 0) {
        this.divergences++;
        return n;
      }
      return this.log.record(r, sig);
    }
    const alts = this.dead ? [0] : Array.from({ length: n }, (_, i) => i);
    this.stack.push({ alts, idx: 0, sig });
    return this.log.record(0, sig);
  }

  stats(): Record<string, number> {
    return {
      bound: this.level, queued: this.queue.length + this.next.length, divergences: this.divergences, runs: this.executions,
      deepening: this.deepening ? 1 : 0, repeats: this.repeats,
    };
  }
}
