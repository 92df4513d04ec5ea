/**
 * One minimization attempt: run a model once under an edited schedule and measure the result.
 *
 * The minimizer edits schedules as a list of *events*: one per thread step, carrying the value the
 * step's `choose` returned when the op was a choose (allocation-failure points are chooses). An
 * `EventScheduler` follows the events strictly — a pick of a thread that is not enabled makes the
 * engine report nondeterminism, which never counts as the same violation — and, past the end of
 * the list, continues without preempting (the previous thread while it is enabled, else the lowest
 * id) with every choose at 0, so truncation and deletion need not spell out the tail. The executed
 * schedule is read back (with the op of every step) so the next edit starts from what really ran.
 * The `skip` mode (for a shrunk scenario) drops events whose thread is not enabled instead.
 * Leaves out: the edit strategies themselves (schedule.ts, preempt.ts, faults.ts, scenario.ts).
 */
import { Execution } from '../engine/execution.js';
import type { AnyModel, Json } from '../engine/model.js';
import { type Op, OpKind } from '../engine/ops.js';
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';
import type { Violation } from '../engine/violation.js';
import { continuation } from '../strategies/replay.js';

/** One thread step of a schedule, with the choose value it took when its op was a choose. */
export interface Event {
  readonly tid: number;
  readonly value?: number;
}

/** What one attempt ran and how big it is. */
export interface Attempt {
  readonly violation: Violation | null;
  /** Every violation of the execution, worst first (several only in keep-going mode). */
  readonly violations: readonly Violation[];
  /** The events that really ran (the canonical form of the schedule). */
  readonly events: readonly Event[];
  /** The op each event ran. */
  readonly ops: readonly Op[];
  /** The flat decision list (thread picks and choose values), as tokens store it. */
  readonly flat: readonly number[];
  readonly steps: number;
  readonly preemptions: number;
  /** Choose steps that took a non-zero value (injected faults), and the sum of those values. */
  readonly faults: number;
  readonly faultSum: number;
  /** Names of the threads the execution created, by id. */
  readonly threads: readonly string[];
}

class EventScheduler implements Scheduler {
  readonly name = 'shrink';
  readonly seed = 0;
  private pos = 0;
  private cur: Event | undefined;
  constructor(private readonly events: readonly Event[], private readonly mode: 'strict' | 'skip') {}
  beginExecution(): boolean {
    this.pos = 0;
    return true;
  }
  pickThread(view: SchedulerView): number {
    if (this.mode === 'skip') {
      while (this.pos < this.events.length && !view.isEnabled((this.events[this.pos] as Event).tid)) this.pos++;
    }
    if (this.pos < this.events.length) {
      this.cur = this.events[this.pos++] as Event;
      return this.cur.tid;
    }
    this.cur = undefined;
    return continuation(view);
  }
  pickValue(n: number): number {
    const v = this.cur?.value ?? 0;
    this.cur = undefined;
    return this.mode === 'skip' && v >= n ? 0 : v;
  }
}

/** Split a flat decision list into events, using the op each thread step ran. */
export function toEvents(flat: readonly number[], ops: readonly Op[]): Event[] {
  const out: Event[] = [];
  let k = 0;
  for (let i = 0; i < ops.length && k < flat.length; i++) {
    const tid = flat[k++] as number;
    const o = ops[i] as Op;
    if (o.kind === OpKind.Choose && k < flat.length && Number.isInteger(o.n) && (o.n ?? 0) >= 1) {
      out.push({ tid, value: flat[k++] as number });
    } else {
      out.push({ tid });
    }
  }
  return out;
}

/** The flat decision list of an event list. */
export function toFlat(events: readonly Event[]): number[] {
  const out: number[] = [];
  for (const e of events) {
    out.push(e.tid);
    if (e.value !== undefined) out.push(e.value);
  }
  return out;
}

/**
 * One Execution kept between attempts (as explore.ts does): a minimization runs thousands of them,
 * and each new one allocates a dozen off-heap typed arrays whose collection was a third of its time.
 * An attempt started inside another (a model calling the minimizer) builds its own.
 */
let spare: Execution | null = null;

/** Run `model` with `params` under `events` once, with the op trace. */
export function attempt(model: AnyModel, params: Json, events: readonly Event[], mode: 'strict' | 'skip' = 'strict', keepGoing = false): Attempt {
  const exec = spare ?? new Execution();
  spare = null;
  try {
    return attemptWith(exec, model, params, events, mode, keepGoing);
  } finally {
    spare = exec;
  }
}

function attemptWith(exec: Execution, model: AnyModel, params: Json, events: readonly Event[], mode: 'strict' | 'skip', keepGoing: boolean): Attempt {
  const sched = new EventScheduler(events, mode);
  sched.beginExecution();
  const r = exec.run(model, sched, { params, trace: true, keepGoing });
  const evs = toEvents(r.schedule, r.traceOps);
  let faults = 0;
  let faultSum = 0;
  for (const e of evs) {
    if (e.value !== undefined && e.value > 0) {
      faults++;
      faultSum += e.value;
    }
  }
  return {
    violation: r.violation, violations: r.violations, events: evs, ops: r.traceOps, flat: r.schedule, steps: r.steps, preemptions: r.preemptions, faults, faultSum,
    threads: exec.threads.map((t) => t.name),
  };
}

/**
 * The size order every phase decreases: fewer injected faults, then fewer preemptions, then fewer
 * steps, then smaller fault values. Lexicographic, so the minimizer always terminates. Preemptions
 * come before steps as in CHESS's iterative context bounding: a bug shown with one preemption is
 * easier to follow than a slightly shorter trace that switches threads three times, and it is the
 * order in which DFS with preemption bounding finds its shortest counterexample (the benchmark's
 * reference).
 */
export function smaller(a: Attempt, b: Attempt): boolean {
  if (a.faults !== b.faults) return a.faults < b.faults;
  if (a.preemptions !== b.preemptions) return a.preemptions < b.preemptions;
  if (a.steps !== b.steps) return a.steps < b.steps;
  return a.faultSum < b.faultSum;
}
