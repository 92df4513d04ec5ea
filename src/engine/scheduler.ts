/**
 * The injectable `Scheduler`: the only thing a strategy implements. Modelled on shuttle's
 * three-method scheduler (new execution / next task / next value), plus two observation hooks that
 * DPOR and PCT need (the op that ran, and the end of the execution).
 *
 * A strategy sees a read-only `SchedulerView`: thread ids, each thread's pending op, which threads
 * are enabled, the step counter. It never touches model state.
 * Leaves out: strategies themselves (src/strategies, one file each).
 */
import type { Op } from './ops.js';
import type { Violation } from './violation.js';

export interface SchedulerView {
  /** Enabled thread ids in ascending order; only the first `enabledCount` entries are valid. */
  readonly enabled: Int32Array;
  readonly enabledCount: number;
  /** Number of threads created so far in this execution. */
  readonly threadCount: number;
  /** Index of the next thread step (0-based). */
  readonly stepIndex: number;
  /** The thread that ran the previous step, -1 at the start. */
  readonly lastThread: number;
  /** The op thread `tid` will run next, or undefined when it has finished. */
  pending(tid: number): Op | undefined;
  /** Is thread `tid` enabled right now? */
  isEnabled(tid: number): boolean;
  /**
   * The block (kmalloc'd struct) object `obj` lives in — `obj` itself for a block of its own.
   * Freeing a block conflicts with every access to its fields, which DPOR must see.
   */
  blockOf(obj: number): number;
  /**
   * True when the model checks invariants after every step. Such invariants observe intermediate
   * states, so two writes to different objects no longer commute for them (docs/soundness.md).
   */
  readonly observesEveryStep: boolean;
  /** Is object `obj` read by a per-step invariant? (Every object when one does not say.) */
  observed(obj: number): boolean;
  /** Reads of `.value` by thread code outside ops (peek.ts) so far in this execution. */
  readonly peekCount: number;
  /** The thread and the object of the `k`-th of those reads. */
  peekThread(k: number): number;
  peekObject(k: number): number;
  /** True when a weak memory model (not SC) decides what reads return. */
  readonly weakMemory: boolean;
}

/** How an execution ended, as strategies see it. */
export interface ExecutionOutcome {
  readonly violation: Violation | null;
  /** A violation stopped the execution with threads still pending (not a deadlock). */
  readonly halted?: boolean;
  /** Thread steps taken. */
  readonly steps: number;
  /** Every decision (thread picks and choose values), in order. */
  readonly schedule: readonly number[];
}

export interface Scheduler {
  /** Stable name, used in tokens and reports: random, pct, pos, dfs, dpor, replay, portfolio... */
  readonly name: string;
  /** Seed the strategy was created with (0 for systematic ones). */
  readonly seed: number;
  /**
   * Prepare the next execution. Return false when the strategy has nothing left to explore
   * (systematic strategies: the state space is exhausted).
   */
  beginExecution(): boolean;
  /** Pick the thread that runs the next op; must be one of `view.enabled`. */
  pickThread(view: SchedulerView): number;
  /** Pick the value of a `choose(n)` op run by `tid`, in [0, n). */
  pickValue(n: number, tid: number, view: SchedulerView): number;
  /** Observe the op thread `tid` just ran (after it ran). Optional. */
  afterStep?(tid: number, op: Op, view: SchedulerView): void;
  /** Observe the end of an execution. Optional. */
  endExecution?(outcome: ExecutionOutcome): void;
  /** True once a systematic strategy has explored everything within its bounds. */
  readonly exhaustive?: boolean;
  /**
   * With `exhaustive`, when a bound of the strategy left schedules out: what was covered, as in
   * "every interleaving with at most <within>" ('2 preemptions', '3 delays'). Absent otherwise.
   */
  readonly within?: string | undefined;
  /** Extra counters for reports (e.g. DPOR's sleep-set-blocked executions). */
  stats?(): Record<string, number>;
  /** What the user should know about how the strategy explored (a reduction it turned off). */
  notes?(): readonly string[];
  /**
   * The independence relation the strategy's reduction relies on (DPOR): when present, the run's
   * audit (engine/audit.ts) checks on sampled executions that such ops really commute.
   */
  independent?(a: Op, b: Op, view: SchedulerView): boolean;
}
