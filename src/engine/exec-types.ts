/**
 * The data types at the boundary of one execution: what a caller asks of it (ExecOptions), what it
 * returns (ExecResult), the per-thread state API layers may read (ThreadState), and per-thread
 * storage slots for those layers (preempt count, held locks, RCU nesting live there).
 * Leaves out: the step loop itself (execution.ts).
 */
import type { Json } from './model.js';
import type { Op, ThreadGen } from './ops.js';
import type { Violation } from './violation.js';

export interface ThreadState {
  readonly id: number;
  readonly name: string;
  gen: ThreadGen;
  pending: Op | undefined;
  done: boolean;
  result: unknown;
  /** Per-thread storage for API layers (preempt count, held locks, ...), by slot number. */
  readonly slots: unknown[];
}

export interface ExecOptions {
  readonly params: Json;
  readonly maxSteps?: number;
  /** Record every executed op (for reports and minimization). */
  readonly trace?: boolean;
  /** Compute the interleaving fingerprint (per-object hand-off order). */
  readonly fingerprint?: boolean;
  /** Storage shared by all executions of a run (lockdep's class graph lives here). */
  readonly runStore?: Map<unknown, unknown>;
  /** Sanitizers on (default): KCSAN race check, KASAN lifetime check, and the API layers' checks. */
  readonly sanitize?: boolean;
  /**
   * Keep going past the violations the kernel carries on after (data races, KASAN reports,
   * WARNs, lockdep and RCU splats, refcount warnings, broken invariants): each is recorded once and
   * the execution continues, so what the same race causes later is seen too.
   */
  readonly keepGoing?: boolean;
  /**
   * The memory model: 'sc' (default; sequential consistency, plain accesses race-checked) or
   * 'lkmm' (the Linux-kernel memory model for marked accesses and barriers).
   */
  readonly memoryModel?: MemoryModelName;
  /** Also hash the final model state and the threads' return values (the audit compares them). */
  readonly observe?: boolean;
  /**
   * Gate the threads a model declares interchangeable to start in creation order (symmetry.ts);
   * default on under SC. Off: every start order is explored.
   */
  readonly symmetry?: boolean;
  /** Run threads `a` and `b` of `threads()` with each other's bodies (the audit's symmetry probe). */
  readonly swapBodies?: readonly [number, number];
}

export const MEMORY_MODELS = ['sc', 'lkmm'] as const;
export type MemoryModelName = (typeof MEMORY_MODELS)[number];

export interface ExecResult {
  /** The worst violation of the execution (see `violations`), or null. */
  readonly violation: Violation | null;
  /** Every distinct violation, worst first (one at most without keep-going). */
  readonly violations: readonly Violation[];
  /** A violation stopped the execution early (threads still had ops to run); not for a deadlock. */
  readonly halted: boolean;
  readonly steps: number;
  readonly schedule: number[];
  readonly preemptions: number;
  /** Thread of each step and the op it ran, when `trace` was asked for. */
  readonly traceThreads: number[];
  readonly traceOps: Op[];
  /** With `trace`: the schedule index of each step's thread pick (its value choices, if any, follow it). */
  readonly traceSlots?: readonly number[];
  readonly fingerprint: number;
  readonly facts?: Record<string, string | number | boolean>;
  /** Objects that existed when setup() returned (later ones are created by threads). */
  readonly setupObjects?: number;
  /** With `observe`: structural hashes of the final state and of what every thread returned. */
  readonly stateHash?: number;
  readonly resultsHash?: number;
  /** With `observe`: the thread ids of each symmetry group that was gated (symmetry.ts). */
  readonly symmetry?: readonly (readonly number[])[];
  /**
   * Under a weak memory model: the execution had no consistent continuation (the axiom that
   * failed, or 'no-choice'); it is no execution of the program, and reports nothing.
   */
  readonly blocked?: string;
  /** Under a weak memory model, with `trace`: the write each read took (reports). */
  readonly weak?: readonly WeakRead[];
}

/** One read of a weak-memory execution and the write it read from (rf). */
export interface WeakRead {
  readonly thread: number;
  readonly step: number;
  readonly label: string;
  readonly object: string;
  readonly value: string;
  /** The write read from; null: the location's initial value. */
  readonly from: { readonly thread: number; readonly step: number; readonly label: string } | null;
  /**
   * When the read took a value an earlier-performed write had already overwritten: that write, and
   * why nothing forbade the stale value.
   */
  readonly stale: string | null;
}

let slotCount = 0;
/** Reserve a per-thread storage slot (API layers call this once at module load). */
export function allocThreadSlot(): number {
  return slotCount++;
}

