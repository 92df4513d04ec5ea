/**
 * `buildReport(model, token)`: replay a schedule once more, recording for every step which thread
 * ran which op, whether it got there by a preemption (the previous thread was still enabled) or a
 * plain switch, and the model's `inspect` facts after it; then pick the key steps (the violation's
 * sites, the object's allocation and free, the violating step) for the state table.
 *
 * The replay is the engine's strict replay (ReplayScheduler); the recording wraps it, and the
 * model's `setup` is wrapped to keep a handle on the state for `inspect` (read-only, between steps,
 * so it observes exactly the states the invariants see).
 * Leaves out: minimizing (src/shrink; pass its sizes in `extra`) and rendering.
 */
import { checkTokenFits } from '../check.js';
import { Execution } from '../engine/execution.js';
import { type AnyModel, scenarioParams } from '../engine/model.js';
import { type Op, OpKind, OP_KIND_NAMES } from '../engine/ops.js';
import { reproduceCommand } from '../engine/origin.js';
import type { Scheduler, SchedulerView } from '../engine/scheduler.js';
import { type Schedule, decodeToken, encodeToken } from '../engine/token.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { ReplayScheduler } from '../strategies/replay.js';
import { type Facts, REPORT_FORMAT, REPORT_VERSION, type Report, type ReportSize, type ReportStep, type StateRow, type SwitchMark } from './report.js';

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
  /** Size of the schedule before minimization. */
  readonly minimizedFrom?: ReportSize;
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
  const r = exec.run(wrapped, rec, { params, trace: true, keepGoing: s.mode?.keepGoing === true });
  const focus = extra.focus;
  const v: Violation | null = focus === undefined ? r.violation : r.violations.find(focus) ?? null;
  if (!v) throw new UsageError(`the token of ${model.name} replays without a violation: nothing to report (was the bug fixed?)`);
  const finalFacts = r.facts ?? snap();
  rec.facts.push(finalFacts);
  const objName = (id: number): string => exec.objects.label(id);
  const vStep = v.step >= 0 && v.step < r.traceOps.length ? v.step : r.traceOps.length - 1;
  let k = 0;
  const steps: ReportStep[] = r.traceOps.map((o: Op, i) => {
    const thread = r.traceThreads[i] as number;
    k++;
    let value: number | undefined;
    if (o.kind === OpKind.Choose && k < r.schedule.length) value = r.schedule[k++];
    const changes = diff(rec.facts[i] ?? null, rec.facts[i + 1] ?? null);
    const role = i === v.object?.freed?.step ? 'freed' : i === v.object?.allocated?.step ? 'allocated'
      : v.sites.some((x) => x.step === i && x.thread === thread) ? 'involved' : undefined;
    return {
      index: i, thread, label: o.label, op: OP_KIND_NAMES[o.kind] ?? `op${o.kind}`,
      ...(o.obj >= 0 ? { object: objName(o.obj) } : {}),
      ...(o.detail !== undefined ? { detail: o.detail } : {}),
      ...(value !== undefined ? { value } : {}),
      switch: rec.marks[i] ?? 'none', violating: i === vStep && v.kind !== 'leak',
      ...(role !== undefined && !(i === vStep && v.kind !== 'leak') ? { role } : {}),
      ...(changes ? { changes } : {}),
    };
  });
  const key = new Map<number, string>();
  const add = (step: number | undefined, why: string): void => {
    if (step === undefined || step < -1 || step >= steps.length) return;
    const prev = key.get(step);
    key.set(step, prev ? `${prev}, ${why}` : why);
  };
  add(-1, 'start');
  if (v.object?.allocated) add(v.object.allocated.step, `${v.object.name} allocated`);
  if (v.object?.freed) add(v.object.freed.step, `${v.object.name} freed`);
  for (const site of v.sites) if (site.step !== vStep) add(site.step, `T${site.thread}: ${site.label}`);
  // The last few steps that changed an inspected fact (e.g. used 1 -> 0 before the 0 -> 1).
  for (const st of steps.filter((x) => x.changes && x.index !== vStep).slice(-4)) add(st.index, `T${st.thread}: ${st.label}`);
  add(vStep, 'violation');
  const state: StateRow[] = [];
  for (const [after, why] of [...key.entries()].sort((a, b) => a[0] - b[0])) {
    const f = after === steps.length - 1 ? finalFacts : rec.facts[after + 1] ?? null;
    if (f) state.push({ after, why, facts: f });
  }
  let faults = 0;
  for (const st of steps) if (st.value !== undefined && st.value > 0) faults++;
  const tok = typeof token === 'string' ? token.trim() : encodeToken(s);
  return {
    format: REPORT_FORMAT, version: REPORT_VERSION, title: v.title, invariant: v.message, kind: v.kind,
    model: { name: model.name, hash: model.hash.toString(16).padStart(8, '0'), scenario: s.scenario, ...(model.description ? { description: model.description } : {}) },
    strategy: s.strategy, seed: s.seed, token: tok, replay: reproduceCommand('replay', tok, model),
    threads: exec.threads.map((t) => ({ id: t.id, name: t.name })),
    steps, violation: v, state, size: { steps: r.steps, preemptions: r.preemptions, faults },
    ...(extra.minimizedFrom ? { minimizedFrom: extra.minimizedFrom } : {}),
    ...(extra.bug !== undefined ? { bug: extra.bug } : {}),
  };
}
