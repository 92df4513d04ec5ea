/**
 * `buildReport(model, token)`: replay a schedule once more, recording for every step which thread
 * ran which op, whether it got there by a preemption (the previous thread was still enabled) or a
 * plain switch, the generator call chain that produced the op (src/engine/callchain.ts), and the
 * model's `inspect` facts after it; then mark the op that completes the violation, pick the key
 * steps (the violation's sites, the object's allocation and free, the violating step) for the state
 * table, and gather what the kernel's own report would print (kernel-facts.ts).
 *
 * The op that completes the violation: the op at the violation's step when it is the tripping
 * thread's own op (a race's second access, the use after free, the op after which an invariant
 * broke, the rmw a refcount check rejected). When the violation was detected before the tripping
 * thread's next op ran -- lockdep refusing an acquire, a dereference of a bad pointer, a WARN_ON or
 * assert in thread code, the lock waits of a deadlock -- that op never ran: the report adds it as an
 * attempted step after the last one, and the mark sits there.
 * The replay is the engine's strict replay (ReplayScheduler); the recording wraps it, and the
 * model's `setup` is wrapped to keep a handle on the state for `inspect` (read-only, between steps,
 * so it observes exactly the states the invariants see).
 * Leaves out: minimizing (src/shrink; pass the outcome in `extra`) and rendering.
 */
import { checkTokenFits } from '../check.js';
import { CallChains, type CallChain } from '../engine/callchain.js';
import { Execution } from '../engine/execution.js';
import { type AnyModel, scenarioParams } from '../engine/model.js';
import { type Op, OpKind, OP_KIND_NAMES } from '../engine/ops.js';
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';
import { type Schedule, decodeToken, encodeToken } from '../engine/token.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { ReplayScheduler } from '../strategies/replay.js';
import { callOf, labelFunction } from './format.js';
import { kernelFacts } from './kernel-facts.js';
import {
  type Facts, type Minimization, REPORT_FORMAT, REPORT_VERSION, type Report, type ReportSize, type ReportStep, type StateRow, type SwitchMark,
} from './report.js';

class Recorder implements Scheduler {
  readonly name = 'report';
  readonly seed = 0;
  readonly marks: SwitchMark[] = [];
  /** facts[k] = facts before step k (so facts[k + 1] = after step k). */
  readonly facts: (Facts | null)[] = [];
  constructor(private readonly inner: ReplayScheduler, private readonly snap: () => Facts | null) {}
  beginExecution(): boolean {
    return this.inner.beginExecution();
  }
  pickThread(view: SchedulerView): number {
    const t = this.inner.pickThread(view);
    const last = view.lastThread;
    this.marks.push(last < 0 || last === t ? 'none' : view.isEnabled(last) ? 'preempt' : 'switch');
    this.facts.push(this.snap());
    return t;
  }
  pickValue(n: number): number {
    return this.inner.pickValue(n);
  }
}

export interface BuildExtra {
  /** The schedule was minimized from this size; `fixedPoint` false when the budget ran out first. */
  readonly minimized?: { readonly from: ReportSize; readonly fixedPoint: boolean };
  /** Why the schedule was not minimized (default: it is reported as recorded). */
  readonly notMinimized?: string;
  readonly bug?: string;
  /**
   * Which of the execution's violations the report is about, when a keep-going token shows several
   * (the first the predicate accepts). Default: the worst one.
   */
  readonly focus?: (v: Violation) => boolean;
}

type Val = string | number | boolean | null;

function diff(a: Facts | null, b: Facts | null): Record<string, readonly [Val, Val]> | undefined {
  if (!b) return undefined;
  const out: Record<string, readonly [Val, Val]> = {};
  let any = false;
  for (const k of Object.keys(b)) {
    const x = a?.[k] ?? null;
    const y = b[k] ?? null;
    if (x !== y) {
      out[k] = [x, y];
      any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * A step's stack as a report prints it: the kernel call its label names first when the chain starts
 * at the label's function (a single-op primitive like `atomic_inc_return` has returned its op before
 * the chain is taken, so its frame is missing), and an anonymous thread body named after its thread.
 */
function fullStack(chain: CallChain | null, call: string | null, label: string, thread: string | undefined): CallChain | null {
  if (chain === null) return null;
  const out = chain.map((f, i) => (f === '<anonymous>' && i === chain.length - 1 && thread !== undefined ? `${thread} (thread)` : f));
  // Only when the chain starts at the function the label names: the primitive's own frame is gone.
  if (call !== null && out[0] === labelFunction(label) && !out.includes(call)) out.unshift(call);
  return out;
}

/** An op the violation was detected before (it never ran): which thread, its label, its part. */
interface Pending {
  readonly thread: number;
  readonly label: string;
  readonly violating: boolean;
  readonly blocked: boolean;
}

/**
 * The ops that never ran but complete the violation: a deadlock's lock waits (the mark on the wait
 * of the thread that ran last: its blocking closed the cycle), or the tripping thread's next op when
 * the violation was detected before it (a step past the trace, or a site label that is not the label
 * of the op the thread just ran).
 */
function pendingOps(v: Violation, threads: readonly number[], ops: readonly Op[]): Pending[] {
  const n = ops.length;
  if (v.kind === 'deadlock') {
    const last = threads[n - 1] ?? -1;
    const waits = v.waits ?? [];
    const closer = waits.some((w) => w.thread === last) ? last : waits[0]?.thread;
    return waits.map((w) => ({ thread: w.thread, label: w.label, violating: w.thread === closer, blocked: true }));
  }
  if (v.kind === 'leak' || v.kind === 'step-bound' || v.kind === 'nondeterminism') return [];
  const trip = v.threads[0];
  if (trip === undefined || trip < 0) return [];
  if (v.step >= n) {
    const s = v.sites.find((x) => x.thread === trip && x.step >= n);
    return s ? [{ thread: trip, label: s.label, violating: true, blocked: false }] : [];
  }
  const s = v.sites.find((x) => x.thread === trip && x.step === v.step);
  if (s && v.step === n - 1 && threads[n - 1] === trip && ops[n - 1]?.label !== s.label) return [{ thread: trip, label: s.label, violating: true, blocked: false }];
  return [];
}

/** Replay `token` and build its report. Throws UsageError for a token of another model version. */
export function buildReport(model: AnyModel, token: string | Schedule, extra: BuildExtra = {}): Report {
  const s = typeof token === 'string' ? decodeToken(token) : token;
  checkTokenFits(model, s);
  const { params } = scenarioParams(model, s.scenario);
  let modelState: unknown;
  const wrapped: AnyModel = { ...model, setup: (p: unknown) => (modelState = model.setup(p)) };
  const snap = (): Facts | null => {
    if (!model.inspect || modelState === undefined) return null;
    try {
      return { ...model.inspect(modelState) };
    } catch {
      return null;
    }
  };
  const rec = new Recorder(new ReplayScheduler(s.steps, 'strict'), snap);
  rec.beginExecution();
  const exec = new Execution();
  const { result: r, chains } = CallChains.record(() => exec.run(wrapped, rec, { params, trace: true, keepGoing: s.mode?.keepGoing === true }));
  const focus = extra.focus;
  const v: Violation | null = focus === undefined ? r.violation : r.violations.find(focus) ?? null;
  if (!v) throw new UsageError(`the token of ${model.name} replays without a violation: nothing to report (was the bug fixed?)`);
  const finalFacts = r.facts ?? snap();
  rec.facts.push(finalFacts);
  const objName = (id: number): string => exec.objects.label(id);
  const stacks = chains.forTrace(r.traceThreads, r.traceOps);
  const pending = pendingOps(v, r.traceThreads, r.traceOps);
  const lastOp = r.traceOps.length - 1;
  const vStep = pending.length > 0 || v.kind === 'leak' ? -1 : v.step >= 0 && v.step <= lastOp ? v.step : lastOp;
  let k = 0;
  const steps: ReportStep[] = r.traceOps.map((o: Op, i) => {
    const thread = r.traceThreads[i] as number;
    k++;
    let value: number | undefined;
    if (o.kind === OpKind.Choose && k < r.schedule.length) value = r.schedule[k++];
    const changes = diff(rec.facts[i] ?? null, rec.facts[i + 1] ?? null);
    const role = i === v.object?.freed?.step ? 'freed' : i === v.object?.allocated?.step ? 'allocated'
      : v.sites.some((x) => x.step === i && x.thread === thread) ? 'involved' : undefined;
    const op = OP_KIND_NAMES[o.kind] ?? `op${o.kind}`;
    const call = callOf(o.label, op);
    const stack = fullStack(stacks[i] ?? null, call !== op ? call : null, o.label, exec.threads[thread]?.name);
    return {
      index: i, thread, label: o.label, op, call,
      ...(o.obj >= 0 ? { object: objName(o.obj) } : {}),
      ...(o.detail !== undefined ? { detail: o.detail } : {}),
      ...(value !== undefined ? { value } : {}),
      switch: rec.marks[i] ?? 'none', violating: i === vStep,
      ...(role !== undefined && i !== vStep ? { role } : {}),
      ...(stack ? { stack } : {}),
      ...(changes ? { changes } : {}),
    };
  });
  const lastOf = (t: number): number => {
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i]?.thread === t) return i;
    return -1;
  };
  for (const p of pending) {
    // Its chain: where the model raised the violation, or the blocked op's own (deadlock).
    const chain = fullStack(chains.failed?.thread === p.thread ? chains.failed.chain : chains.pending(p.thread, lastOf(p.thread) + 1),
      null, p.label, exec.threads[p.thread]?.name);
    steps.push({
      index: steps.length, thread: p.thread, label: p.label, op: 'pending', call: callOf(p.label, 'pending'), switch: 'none',
      violating: p.violating, ...(p.violating ? {} : { role: 'blocked' as const }), attempted: p.blocked ? 'blocked' : 'stopped', ...(chain ? { stack: chain } : {}),
    });
  }
  const bugStep = steps.findIndex((x) => x.violating);
  const key = new Map<number, string>();
  const add = (step: number | undefined, why: string): void => {
    if (step === undefined || step < -1 || step > lastOp) return;
    const prev = key.get(step);
    key.set(step, prev ? `${prev}, ${why}` : why);
  };
  add(-1, 'start');
  if (v.object?.allocated) add(v.object.allocated.step, `${v.object.name} allocated`);
  if (v.object?.freed) add(v.object.freed.step, `${v.object.name} freed`);
  const stateStep = bugStep > lastOp ? lastOp : bugStep;
  for (const site of v.sites) if (site.step !== stateStep) add(site.step, `T${site.thread}: ${site.label}`);
  // The last few steps that changed an inspected fact (e.g. used 1 -> 0 before the 0 -> 1).
  for (const st of steps.filter((x) => x.changes && x.index !== stateStep).slice(-4)) add(st.index, `T${st.thread}: ${st.label}`);
  add(stateStep < 0 ? lastOp : stateStep, 'violation');
  const state: StateRow[] = [];
  for (const [after, why] of [...key.entries()].sort((a, b) => a[0] - b[0])) {
    const f = after === lastOp ? finalFacts : rec.facts[after + 1] ?? null;
    if (f) state.push({ after, why, facts: f });
  }
  let faults = 0;
  for (const st of steps) if (st.value !== undefined && st.value > 0) faults++;
  const tok = typeof token === 'string' ? token.trim() : encodeToken(s);
  const size: ReportSize = { steps: r.steps, preemptions: r.preemptions, faults };
  const minimization: Minimization = extra.minimized
    ? extra.minimized.fixedPoint ? { status: 'minimized', from: extra.minimized.from }
      : { status: 'partly-minimized', from: extra.minimized.from, reason: 'budget ran out before the fixed point' }
    : { status: 'not-minimized', reason: extra.notMinimized ?? 'reported as recorded' };
  const threads = exec.threads.map((t) => ({ id: t.id, name: t.name }));
  return {
    format: REPORT_FORMAT, version: REPORT_VERSION, title: v.title, invariant: v.message, kind: v.kind,
    model: { name: model.name, hash: model.hash.toString(16).padStart(8, '0'), scenario: s.scenario, ...(model.description ? { description: model.description } : {}) },
    strategy: s.strategy, seed: s.seed, token: tok, replay: `npx mapcheck replay ${tok}`,
    threads, steps, violation: v, state, size, minimization,
    ...kernelFacts(v, steps, threads, exec.objects),
    ...(extra.bug !== undefined ? { bug: extra.bug } : {}),
  };
}
