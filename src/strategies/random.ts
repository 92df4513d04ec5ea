/**
 * Random walk: at every step pick an enabled thread uniformly at random, and a uniform value for
 * every `choose`. The baseline of the SCTBench study (Thomson, Donaldson & Betts, PPoPP 2014),
 * where it found most bugs that the systematic techniques found; cheap enough to be the
 * throughput benchmark's reference. Deterministic given the seed.
 * Leaves out: any bias (see pct.ts and pos.ts for biased random strategies).
 */
import { Rng, mixSeed } from '../engine/rng.js';
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';

export class RandomScheduler implements Scheduler {
  readonly name = 'random';
  private readonly rng: Rng;
  private execution = 0;

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  beginExecution(): boolean {
    // A fresh stream per execution keeps execution k reproducible on its own (campaign replays).
    this.rng.reseed(mixSeed(this.seed, this.execution++));
    return true;
  }

  pickThread(view: SchedulerView): number {
    return view.enabled[this.rng.below(view.enabledCount)] as number;
  }

  pickValue(n: number): number {
    return this.rng.below(n);
  }
}
