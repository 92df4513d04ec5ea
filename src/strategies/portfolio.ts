/**
 * The portfolio: one Scheduler that mixes the others execution by execution, the default strategy
 * of `check()`. Every other execution belongs to DPOR (systematic, so small state spaces are
 * proved); the rest rotate through PCT d = 2, PCT d = 3, POS, the random walk and delay bounding,
 * whose seeds are derived from the portfolio's seed. Mixing follows the SCTBench observation
 * (Thomson, Donaldson & Betts, PPoPP 2014) that no single technique finds every bug first:
 * random-based schedulers hit shallow bugs within a few executions, systematic ones cover what
 * sampling misses. Delay bounding joined the rotation (last, so the samplers keep their turns) on
 * the time-to-first-bug bench (`mapcheck bench --only bugs`, median over 5 seeds of the executions
 * to each of the 34 posted seed bugs): the medians summed 255 without it and 227 with it, and the
 * largest fell from 94 to 68 (vcm reactivate-during-deactivate 94 -> 50, which delay bounding alone
 * finds in 5; vcm activation-counter-as-lock-device rose 56 -> 68, walk-vs-unmap 18 -> 22, the
 * other 31 bugs unchanged). Placed first or second in the rotation it did no better (sums 241, 234).
 * When the DPOR member exhausts the state space the portfolio reports `exhaustive` and stops; so it
 * does when the (unbounded) delay member has run every schedule, which is what happens when a
 * model has too many threads for DPOR and DPOR drops out, leaving the other members to share
 * every execution. Deterministic given the seed (each member is, and the rotation is fixed).
 * Leaves out: adaptive weighting (e.g. bandit selection by coverage); campaigns can do that.
 */
import type { Op } from '../engine/ops.js';
import { mixSeed } from '../engine/rng.js';
import type { ExecutionOutcome, Scheduler, SchedulerView } from '../engine/scheduler.js';
import { DelayScheduler } from './delay.js';
import { DporScheduler } from './dpor.js';
import { PctScheduler } from './pct.js';
import { PosScheduler } from './pos.js';
import { RandomScheduler } from './random.js';

export class PortfolioScheduler implements Scheduler {
  readonly name = 'portfolio';
  exhaustive = false;
  private readonly dpor = new DporScheduler(true);
  /**
   * Unbounded, with a small prefix queue (about 0.5 MB at most, then deepening with the memory of
   * one execution): a campaign keeps one portfolio per target in every worker. The seed bugs are
   * found after the same number of executions with a queue cap of 200, 2 000, 20 000 or 200 000.
   */
  private readonly delay = new DelayScheduler(undefined, 2_000);
  private readonly samplers: readonly Scheduler[];
  private current: Scheduler;
  private execution = 0;
  private nextSampler = 0;
  private readonly runs = new Map<string, number>();

  constructor(readonly seed: number) {
    this.samplers = [
      new PctScheduler(mixSeed(seed, 1), 2),
      new PctScheduler(mixSeed(seed, 2), 3),
      new PosScheduler(mixSeed(seed, 3)),
      new RandomScheduler(mixSeed(seed, 4)),
      this.delay,
    ];
    this.current = this.dpor;
  }

  beginExecution(): boolean {
    if (this.exhaustive) return false;
    const turn = this.execution++;
    if ((turn & 1) === 0 && !this.dpor.gaveUp) {
      if (this.dpor.beginExecution()) {
        this.current = this.dpor;
        this.count('dpor');
        return true;
      }
      if (this.dpor.exhaustive) {
        this.exhaustive = true;
        return false;
      }
    }
    const s = this.samplers[this.nextSampler++ % this.samplers.length] as Scheduler;
    if (!s.beginExecution()) {
      // The randomized members never run out; the (unbounded) delay member does once every schedule ran.
      this.exhaustive = true;
      return false;
    }
    this.current = s;
    this.count(s instanceof PctScheduler ? `pct${s.depth}` : s.name);
    return true;
  }

  private count(name: string): void {
    this.runs.set(name, (this.runs.get(name) ?? 0) + 1);
  }

  pickThread(view: SchedulerView): number {
    return this.current.pickThread(view);
  }

  pickValue(n: number, tid: number, view: SchedulerView): number {
    return this.current.pickValue(n, tid, view);
  }

  afterStep(tid: number, o: Op, view: SchedulerView): void {
    this.current.afterStep?.(tid, o, view);
  }

  endExecution(outcome: ExecutionOutcome): void {
    this.current.endExecution?.(outcome);
    if (this.current === this.dpor && this.dpor.exhaustive) this.exhaustive = true;
    if (this.current === this.delay && this.delay.exhaustive) this.exhaustive = true;
  }

  /** DPOR's independence: the portfolio's exhaustive verdict is DPOR's. */
  independent(a: Op, b: Op, view: SchedulerView): boolean {
    return this.dpor.independent(a, b, view);
  }

  stats(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.runs) out[`runs_${k}`] = v;
    const d = this.dpor.stats();
    out['dpor_traces'] = d['traces'] ?? 0;
    out['dpor_sleepBlocked'] = d['sleepBlocked'] ?? 0;
    return out;
  }
}
