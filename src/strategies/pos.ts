/**
 * POS, partial order sampling (Yuan, Yang & Gu, "Partial Order Aware Concurrency Sampling", CAV
 * 2018).
 *
 * Every pending op (one per thread) carries a random priority; the enabled op with the highest
 * priority runs. After an op runs, its thread's next op gets a fresh priority, and so does every
 * other thread's pending op that races with it (is dependent: same object, not both reads, or a
 * kfree against a field access: `conflicts()`), while independent ops keep theirs. Re-drawing
 * only racing priorities is what makes POS sample partial orders far more uniformly than a
 * random walk, which is biased towards interleavings that differ only in the order of
 * independent ops. Threads spawned during an
 * execution get a priority when first seen; `choose` values are uniform. Deterministic given the
 * seed: execution j draws from a stream seeded by (seed, j).
 * Leaves out: the paper's POS* variant with a per-execution priority on "no-race" events.
 */
import type { Op } from '../engine/ops.js';
import { Rng, mixSeed } from '../engine/rng.js';
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';
import { INITIAL_PRIORITIES, growPriorities } from './priorities.js';
import { conflicts } from './conflicts.js';

export class PosScheduler implements Scheduler {
  readonly name = 'pos';
  private rng: Rng;
  private execution = 0;
  /** Priority of each thread (grown when a model has more threads than it holds). */
  private prio = new Float64Array(INITIAL_PRIORITIES);
  private known = 0;

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  beginExecution(): boolean {
    this.rng = new Rng(mixSeed(this.seed, this.execution++));
    this.known = 0;
    return true;
  }

  pickThread(view: SchedulerView): number {
    if (view.threadCount > this.prio.length) this.prio = growPriorities(this.prio, view.threadCount);
    const prio = this.prio;
    while (this.known < view.threadCount) prio[this.known++] = this.rng.float();
    let best = view.enabled[0] as number;
    for (let i = 1; i < view.enabledCount; i++) {
      const t = view.enabled[i] as number;
      if ((prio[t] as number) > (prio[best] as number)) best = t;
    }
    return best;
  }

  pickValue(n: number): number {
    return this.rng.below(n);
  }

  afterStep(tid: number, o: Op, view: SchedulerView): void {
    const prio = this.prio;
    prio[tid] = this.rng.float();
    if (o.obj < 0) return;
    const n = Math.min(this.known, view.threadCount);
    for (let u = 0; u < n; u++) {
      if (u === tid) continue;
      const p = view.pending(u);
      if (p !== undefined && conflicts(p, o, view)) prio[u] = this.rng.float();
    }
  }
}
