/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi & Nagarakatte, "A
 * randomized scheduler with probabilistic guarantees of finding bugs", ASPLOS 2010).
 *
 * Each execution gives the threads random distinct priorities above d and picks d - 1 priority
 * change points uniformly among the k scheduling points; the highest-priority enabled thread
 * always runs, and at the i-th change point the thread about to run drops to priority i (below
 * every initial priority). A bug of depth d is then found with probability at least
 * 1 / (n k^(d-1)). As asked, only steps where more than one thread is enabled count towards k
 * (a forced step is no scheduling decision); k is calibrated on the first execution (which runs
 * without change points) and is afterwards the largest count seen. Threads spawned during an
 * execution get a random initial priority when first seen. `choose` values are uniform.
 * Deterministic given the seed: execution j draws from a stream seeded by (seed, j).
 * Leaves out: the paper's bounded-priority refinement for long runs (PCT-BP).
 */
import { Rng, mixSeed } from '../engine/rng.js';
import type { ExecutionOutcome, Scheduler, SchedulerView } from '../engine/scheduler.js';
import { INITIAL_PRIORITIES, growPriorities } from './priorities.js';

export class PctScheduler implements Scheduler {
  readonly name: string = 'pct';
  private rng: Rng;
  private execution = 0;
  /** Largest number of multi-choice steps seen in one execution (the paper's k). */
  private k = 0;
  private count = 0;
  /** Priority of each thread (grown when a model has more threads than it holds). */
  private prio = new Float64Array(INITIAL_PRIORITIES);
  private known = 0;
  /** Change point i (0-based) fires at multi-choice step points[i]; sorted ascending. */
  private points: number[] = [];
  private pointPrio: number[] = [];
  private nextPoint = 0;

  constructor(readonly seed: number, readonly depth = 3) {
    this.rng = new Rng(seed);
  }

  beginExecution(): boolean {
    this.rng = new Rng(mixSeed(this.seed, this.execution++));
    this.known = 0;
    this.count = 0;
    this.nextPoint = 0;
    const pts: [number, number][] = [];
    if (this.k > 0) {
      for (let i = 1; i < this.depth; i++) pts.push([1 + this.rng.below(this.k), i]);
    }
    pts.sort((a, b) => a[0] - b[0]);
    this.points = pts.map((p) => p[0]);
    this.pointPrio = pts.map((p) => p[1]);
    return true;
  }

  pickThread(view: SchedulerView): number {
    if (view.threadCount > this.prio.length) this.prio = growPriorities(this.prio, view.threadCount);
    const prio = this.prio;
    while (this.known < view.threadCount) prio[this.known++] = this.depth + this.rng.float();
    let best = this.highest(view);
    if (view.enabledCount > 1) {
      this.count++;
      while (this.nextPoint < this.points.length && this.points[this.nextPoint] === this.count) {
        prio[best] = this.pointPrio[this.nextPoint] as number;
        this.nextPoint++;
        best = this.highest(view);
      }
    }
    return best;
  }

  private highest(view: SchedulerView): number {
    let best = view.enabled[0] as number;
    for (let i = 1; i < view.enabledCount; i++) {
      const t = view.enabled[i] as number;
      if ((this.prio[t] as number) > (this.prio[best] as number)) best = t;
    }
    return best;
  }

  pickValue(n: number): number {
    return this.rng.below(n);
  }

  endExecution(_o: ExecutionOutcome): void {
    if (this.count > this.k) this.k = this.count;
  }

  stats(): Record<string, number> {
    return { depth: this.depth, k: this.k };
  }
}
