/**
 * Coverage-guided mutation of recorded schedules, the AFL idea (Zalewski's american fuzzy lop:
 * keep inputs that reached new coverage, mutate them) applied to interleavings as in greybox
 * concurrency fuzzing (e.g. Wolff et al., "Greybox Fuzzing for Concurrency Testing", ASPLOS 2024).
 * The "input" is the flat decision list of an execution (thread picks and `choose` values); the
 * "coverage" is the campaign's per-object hand-off fingerprint.
 *
 * Each execution picks one seed schedule, replays a random prefix of it leniently (a recorded
 * thread that is not enabled here becomes a random enabled one), then mutates at the cut point:
 *  - flip: run a different enabled thread (or a different `choose` value) than the recording did;
 *  - then continue either by random walk, or non-preemptively with a rare random switch, so that
 *    the mutant stays close to the seed's interleaving beyond the flip.
 * With no seeds it is a plain random walk. Deterministic given the seed and the seed list.
 * Leaves out: energy schedules / seed prioritisation (seeds are picked uniformly), and splicing
 * two seeds together.
 */
import { Rng, mixSeed } from '../engine/rng.js';
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';

/** Most seeds kept; beyond it a new seed replaces a random old one. */
export const MUTATE_MAX_SEEDS = 64;

/** A schedule kept compactly (one or two bytes per decision): campaigns hold many of them. */
function compact(steps: readonly number[]): ArrayLike<number> {
  let max = 0;
  for (const v of steps) if (v > max) max = v;
  return max < 256 ? Uint8Array.from(steps) : max < 65536 ? Uint16Array.from(steps) : steps.slice();
}

export class MutateScheduler implements Scheduler {
  readonly name = 'mutate';
  private rng: Rng;
  private execution = 0;
  private seedValue: number;
  private readonly seeds: ArrayLike<number>[] = [];
  private base: ArrayLike<number> = [];
  private cut = 0;
  private pos = 0;
  /** After the cut: true = random walk, false = keep running the same thread (rare switches). */
  private walk = true;
  private mutated = 0;

  constructor(seed: number, seeds: readonly (readonly number[])[] = []) {
    this.seedValue = seed >>> 0;
    this.rng = new Rng(seed);
    for (const s of seeds) this.addSeed(s);
  }

  /** Add a schedule that reached new coverage (copied, compactly). */
  addSeed(steps: readonly number[]): void {
    if (steps.length === 0) return;
    if (this.seeds.length < MUTATE_MAX_SEEDS) this.seeds.push(compact(steps));
    else this.seeds[this.rng.below(MUTATE_MAX_SEEDS)] = compact(steps);
  }

  get seed(): number {
    return this.seedValue;
  }

  /** Start a new stream (a campaign chunk) keeping the seed schedules. */
  reseed(seed: number): void {
    this.seedValue = seed >>> 0;
    this.execution = 0;
  }

  get seedCount(): number {
    return this.seeds.length;
  }

  beginExecution(): boolean {
    this.rng = new Rng(mixSeed(this.seedValue, this.execution++));
    this.pos = 0;
    if (this.seeds.length === 0) {
      this.base = [];
      this.cut = 0;
      this.walk = true;
      return true;
    }
    this.base = this.seeds[this.rng.below(this.seeds.length)] as ArrayLike<number>;
    this.cut = this.rng.below(this.base.length + 1);
    this.walk = this.rng.below(2) === 0;
    this.mutated++;
    return true;
  }

  private randomThread(view: SchedulerView): number {
    return view.enabled[this.rng.below(view.enabledCount)] as number;
  }

  pickThread(view: SchedulerView): number {
    const i = this.pos++;
    if (i < this.cut) {
      const t = this.base[i] as number;
      return view.isEnabled(t) ? t : this.randomThread(view);
    }
    if (i === this.cut && i < this.base.length && view.enabledCount > 1) {
      // The flip: any enabled thread but the recorded one.
      const recorded = this.base[i] as number;
      let t = this.randomThread(view);
      if (t === recorded) t = view.enabled[(indexOf(view, t) + 1) % view.enabledCount] as number;
      return t;
    }
    if (this.walk) return this.randomThread(view);
    const last = view.lastThread;
    if (last >= 0 && view.isEnabled(last) && this.rng.below(8) !== 0) return last;
    return this.randomThread(view);
  }

  pickValue(n: number): number {
    const i = this.pos++;
    if (i < this.cut) {
      const v = this.base[i] as number;
      return v < n ? v : this.rng.below(n);
    }
    if (i === this.cut && i < this.base.length && n > 1) {
      const recorded = this.base[i] as number;
      return (recorded + 1 + this.rng.below(n - 1)) % n;
    }
    return this.rng.below(n);
  }

  stats(): Record<string, number> {
    return { seeds: this.seeds.length, mutated: this.mutated };
  }
}

function indexOf(view: SchedulerView, t: number): number {
  for (let i = 0; i < view.enabledCount; i++) if (view.enabled[i] === t) return i;
  return 0;
}
