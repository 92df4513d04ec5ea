/**
 * The run-time audit of the two assumptions a stateless model checker makes of a model (VeriSoft,
 * Godefroid POPL 1997; DPOR, Flanagan & Godefroid POPL 2005), so that a model breaking them is told
 * so instead of being called "exhaustive":
 *
 * 1. Determinism: a schedule (thread picks and choose values) determines the execution. A sampled
 *    execution is re-run under its own schedule; its trace, the state `setup()` returned (a deep
 *    structural hash, state-hash.ts), what every thread returned and the violations must all be
 *    the same. A `Math.random()`, a clock or a module-level counter shows up here.
 * 2. Independence (only for strategies that rely on it, i.e. expose `independent`, as DPOR does):
 *    two adjacent steps of different threads that the strategy calls independent must commute.
 *    The sampled execution is re-run with one such pair swapped; what each thread did (its ops and
 *    its return value), the violations and the model's `inspect` facts must be the same, and the
 *    swapped thread must be able to run. State written outside ops (a JavaScript variable two
 *    threads share), a wait condition reading an undeclared object, a per-step invariant's wrong
 *    `observes`: each makes a swap observable.
 * Executions 1..64 are audited, then every 2^k-th and a seeded 1/256 sample (counted over the
 * exploration, which may span several explore calls: audit-ledger.ts), so short exhaustive
 * runs are audited densely and long runs pay little (two extra executions per audit). Before a run
 * is called exhaustive (`settle`), the determinism re-runs are topped up to at least 32, cycling
 * over the audited executions: a coin-flip nondeterminism in a one-execution model escapes with
 * probability 2^-32. The top-up may take as long as the run itself took (at least a second, never
 * past the run's deadline): a model whose few executions are each slow gets fewer re-runs, and the
 * result's notes say how many.
 * Leaves out: proving the assumptions (a sample can miss a rare difference), and violations whose
 * wording depends on state kept across executions (lockdep's lock-order graph) are compared by
 * kind only.
 */
import type { Execution, ExecOptions, ExecResult } from './execution.js';
import type { AnyModel } from './model.js';
import { type Op, OpKind } from './ops.js';
import type { Scheduler, SchedulerView } from './scheduler.js';
import { violationKey } from './violation.js';
import { SYMMETRY_ANNOUNCE, SYMMETRY_WAIT } from './symmetry.js';

/** What the audit found wrong with the model. */
export interface AuditFailure {
  /** 'usage': the re-run hit the model's misuse of the API, the better explanation of the difference. */
  readonly kind: 'nondeterminism' | 'independence' | 'usage';
  /** One paragraph for the user: what differed, and what to change. */
  readonly message: string;
  /** The schedule that showed it (the audited execution's). */
  readonly schedule: readonly number[];
}

/** A scheduler that plays a fixed decision list, then continues without preempting. */
class Fixed implements Scheduler {
  readonly name = 'audit';
  readonly seed = 0;
  private pos = 0;
  /** The list asked for a thread that could not run here. */
  blocked = -1;
  constructor(private readonly steps: readonly number[]) {}
  beginExecution(): boolean {
    this.pos = 0;
    this.blocked = -1;
    return true;
  }
  pickThread(view: SchedulerView): number {
    if (this.pos < this.steps.length) {
      const t = this.steps[this.pos++] as number;
      if (!view.isEnabled(t) && this.blocked < 0) this.blocked = view.stepIndex;
      return t;
    }
    const last = view.lastThread;
    return last >= 0 && view.isEnabled(last) ? last : (view.enabled[0] as number);
  }
  pickValue(n: number): number {
    const v = this.pos < this.steps.length ? (this.steps[this.pos++] as number) : 0;
    return v < n ? v : 0;
  }
}

/** Violations as comparable strings (lock-order wording depends on the run's lockdep graph). */
function violationSet(r: ExecResult): string {
  return r.violations.map((v) => (v.kind === 'lock-order' ? v.kind : violationKey(v))).sort().join('\n');
}

/**
 * Each thread's own sequence of ops (kind, object, label): what it did, whatever the order.
 * Objects created after setup are named by their first appearance in the thread's sequence: the
 * ids the engine hands out follow the order of creation, which two orders of independent
 * allocations by different threads legitimately swap.
 */
function perThread(r: ExecResult, labels = true, skipGates = false): string[] {
  const out: string[] = [];
  const fresh: Map<number, number>[] = [];
  const setup = r.setupObjects ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < r.traceOps.length; i++) {
    const t = r.traceThreads[i] as number;
    const o = r.traceOps[i] as Op;
    if (skipGates && (o.detail === SYMMETRY_WAIT || o.detail === SYMMETRY_ANNOUNCE)) continue;
    let obj = `${o.obj}`;
    if (o.obj >= setup) {
      const m = (fresh[t] ??= new Map());
      let k = m.get(o.obj);
      if (k === undefined) m.set(o.obj, (k = m.size));
      obj = `new${k}`;
    }
    out[t] = `${out[t] ?? ''}|${o.kind}:${obj}${labels ? `:${o.label}` : ''}`;
  }
  return out.map((s) => s ?? '');
}

/** The index in the flat schedule of each thread step (choose values take a slot after their step). */
function stepSlots(r: ExecResult): readonly number[] {
  if (r.traceSlots !== undefined && r.traceSlots.length === r.traceOps.length) return r.traceSlots;
  const slots: number[] = [];
  let k = 0;
  for (let i = 0; i < r.traceOps.length; i++) {
    slots.push(k++);
    const o = r.traceOps[i] as Op;
    if (o.kind === OpKind.Choose && Number.isInteger(o.n) && (o.n ?? 0) > 1) k++;
  }
  return slots;
}

/** Determinism re-runs a run must have passed before it may be called exhaustive. */
const MIN_RERUNS = 32;

export class Auditor {
  /** Made at the first re-run: most explore calls of a long campaign re-run nothing. */
  private execution: Execution | null = null;
  private rng: number;
  audits = 0;
  /** Audited executions kept for `settle` (the first few). */
  private readonly kept: ExecResult[] = [];

  constructor(
    private readonly model: AnyModel,
    private readonly runOpts: ExecOptions,
    private readonly makeExecution: () => Execution,
    /** The strategy's independence relation, when it relies on one. */
    private readonly independent: ((a: Op, b: Op, view: SchedulerView) => boolean) | null,
    seed: number,
    /** Executions earlier calls ran in the exploration this run continues (audit-ledger.ts). */
    private readonly before = 0,
  ) {
    this.rng = (seed ^ 0x9e3779b9) >>> 0 || 1;
  }

  /** Should execution number `n` (1-based) be audited? Decided before it runs (it must be observed). */
  wants(run: number): boolean {
    const n = run + this.before;
    if (n <= 64 || (n & (n - 1)) === 0) return true;
    this.rng ^= this.rng << 13;
    this.rng ^= this.rng >>> 17;
    this.rng ^= this.rng << 5;
    return (this.rng >>> 0) % 256 === 0;
  }

  private rerun(steps: readonly number[]): { r: ExecResult; blocked: number } {
    const s = new Fixed(steps);
    s.beginExecution();
    const r = (this.execution ??= this.makeExecution()).run(this.model, s, { ...this.runOpts, trace: true, observe: true, fingerprint: false });
    return { r, blocked: s.blocked };
  }

  /** Audit `orig` (run with trace and observe on); null when both assumptions held. */
  check(orig: ExecResult, view: SchedulerView | null): AuditFailure | null {
    if (this.kept.length < 8) this.kept.push(orig);
    const nd = this.determinism(orig);
    if (nd !== null) return nd;
    // A blocked execution (inconsistent under the memory model) is no execution: where it stops
    // (at a use-after-free check or at its end) is not an outcome a swap must preserve.
    if (orig.blocked !== undefined) return null;
    const ind = this.independent !== null && view !== null ? this.swap(orig, view) : null;
    if (ind !== null || orig.symmetry === undefined) return ind;
    return this.symmetric(orig, orig.symmetry);
  }

  /**
   * Before a run is called exhaustive: re-run kept executions until at least MIN_RERUNS
   * determinism checks passed; the first difference is returned.
   */
  settle(until = Infinity): AuditFailure | null {
    for (let i = 0; this.audits < MIN_RERUNS && this.kept.length > 0 && Date.now() < until; i++) {
      const f = this.determinism(this.kept[i % this.kept.length] as ExecResult);
      if (f !== null) return f;
    }
    return null;
  }

  /** Fewer re-runs than `settle` aims for (its time ran out): how many ran, else null. */
  get shortOfReruns(): number | null {
    return this.audits < MIN_RERUNS && this.kept.length > 0 ? this.audits : null;
  }

  private determinism(orig: ExecResult): AuditFailure | null {
    this.audits++;
    const again = this.rerun(orig.schedule).r;
    const diff = this.sameRun(orig, again);
    const misuse = again.violations.find((v) => v.kind === 'usage');
    if (diff !== null && misuse !== undefined && !orig.violations.some((v) => v.kind === 'usage')) {
      return { kind: 'usage', schedule: orig.schedule, message: misuse.message };
    }
    if (diff !== null) {
      return {
        kind: 'nondeterminism', schedule: orig.schedule,
        message: `the model is not deterministic: re-running one schedule gave ${diff}. Every execution must depend only on the schedule and on choose(): no Math.random(), clocks, or state kept between executions (module-level variables, caches) — build everything in setup()`,
      };
    }
    return null;
  }

  private sameRun(a: ExecResult, b: ExecResult): string | null {
    if (a.steps !== b.steps || a.traceOps.length !== b.traceOps.length) return `${b.steps} steps instead of ${a.steps}`;
    for (let i = 0; i < a.traceOps.length; i++) {
      const x = a.traceOps[i] as Op;
      const y = b.traceOps[i] as Op;
      if (x.kind !== y.kind || x.obj !== y.obj || x.label !== y.label || a.traceThreads[i] !== b.traceThreads[i]) {
        return `a different op at step ${i} ('${y.label}' instead of '${x.label}')`;
      }
    }
    if (violationSet(a) !== violationSet(b)) return 'different violations';
    if (a.stateHash !== b.stateHash) return 'a different final state (the value setup() returned differs)';
    if (a.resultsHash !== b.resultsHash) return 'different values returned by the threads';
    return null;
  }

  /**
   * Symmetry (symmetry.ts): replay `orig` without the gates and with two adjacent threads of a
   * group exchanged (each takes the other's steps), an execution the gated exploration never runs.
   * Interchangeable threads must then do each other's ops on the same objects (labels may name the
   * thread) and give the same kinds of violation; a model whose threads differ by their id (self(),
   * a per-thread parameter, an invariant naming one thread) shows the difference.
   */
  private symmetric(orig: ExecResult, groups: readonly (readonly number[])[]): AuditFailure | null {
    const g = groups[this.next() % groups.length] as readonly number[];
    const k = this.next() % (g.length - 1);
    const a = g[k] as number;
    const b = g[k + 1] as number;
    const slots = stepSlots(orig);
    const steps: number[] = [];
    for (let i = 0; i < orig.traceOps.length; i++) {
      const o = orig.traceOps[i] as Op;
      const p = slots[i] as number;
      const next = i + 1 < slots.length ? (slots[i + 1] as number) : orig.schedule.length;
      if (o.detail === SYMMETRY_WAIT || o.detail === SYMMETRY_ANNOUNCE) continue;
      const t = orig.schedule[p] as number;
      steps.push(t === a ? b : t === b ? a : t);
      for (let q = p + 1; q < next; q++) steps.push(orig.schedule[q] as number);
    }
    const s = new Fixed(steps);
    s.beginExecution();
    const r = (this.execution ??= this.makeExecution()).run(this.model, s, { ...this.runOpts, trace: true, observe: true, fingerprint: false, symmetry: false });
    let diff: string | null = null;
    if (s.blocked >= 0) diff = `T${b} could not take T${a}'s steps (a thread could not run at step ${s.blocked})`;
    else {
      const x = perThread(orig, false, true);
      const y = perThread(r, false, true);
      const swapped = (t: number): number => (t === a ? b : t === b ? a : t);
      for (let t = 0; t < Math.max(x.length, y.length) && diff === null; t++) {
        if ((x[t] ?? '') !== (y[swapped(t)] ?? '')) diff = `T${swapped(t)} did not do what T${t} did`;
      }
      const kinds = (e: ExecResult): string => [...new Set(e.violations.map((v) => v.kind))].sort().join(',');
      if (diff === null && kinds(orig) !== kinds(r)) diff = `different violations (${kinds(orig) || 'none'} against ${kinds(r) || 'none'})`;
    }
    if (diff === null) return null;
    return {
      kind: 'usage', schedule: orig.schedule,
      message: `threads T${a} and T${b} are declared interchangeable (thread(..., { symmetry })) but are not: exchanging their steps in one schedule, ${diff}; declare a symmetry group only for threads that run the same code on the same data and whose checks do not depend on which thread is which (their names and labels may differ)`,
    };
  }

  private next(): number {
    this.rng ^= this.rng << 13;
    this.rng ^= this.rng >>> 17;
    this.rng ^= this.rng << 5;
    return this.rng >>> 0;
  }

  /** Swap one independent adjacent pair of `orig` and compare what every thread observed. */
  private swap(orig: ExecResult, view: SchedulerView): AuditFailure | null {
    const ops = orig.traceOps;
    const th = orig.traceThreads;
    const movable = (o: Op): boolean => o.kind !== OpKind.Choose && o.kind !== OpKind.Spawn && o.kind !== OpKind.Join;
    const cands: number[] = [];
    for (let i = 0; i + 1 < ops.length; i++) {
      const a = ops[i] as Op;
      const b = ops[i + 1] as Op;
      if (th[i] !== th[i + 1] && movable(a) && movable(b) && (this.independent as NonNullable<typeof this.independent>)(a, b, view)) cands.push(i);
    }
    if (cands.length === 0) return null;
    this.rng ^= this.rng << 13;
    this.rng ^= this.rng >>> 17;
    this.rng ^= this.rng << 5;
    const i = cands[(this.rng >>> 0) % cands.length] as number;
    // A step is its thread pick and the value choices after it (a weak memory model's reads-from
    // and coherence choices): the two steps' groups trade places.
    const slots = stepSlots(orig);
    const p = slots[i] as number;
    const q = slots[i + 1] as number;
    const end = slots[i + 2] ?? orig.schedule.length;
    const steps = [...orig.schedule.slice(0, p), ...orig.schedule.slice(q, end), ...orig.schedule.slice(p, q), ...orig.schedule.slice(end)];
    const { r, blocked } = this.rerun(steps);
    const what = `T${th[i]}'s '${(ops[i] as Op).label}' and T${th[i + 1]}'s '${(ops[i + 1] as Op).label}' at steps ${i}-${i + 1}`;
    const advice = 'every change of state that another thread can see must happen right after an op on the object that stands for it (a Field, an atomic, a lock), wait conditions must declare what they read (`reads`), and per-step invariants what they observe (`observes`)';
    let diff: string | null = null;
    if (blocked >= 0 && blocked <= i + 1) diff = `T${th[i + 1]} could not run first`;
    else if (violationSet(orig) !== violationSet(r)) diff = 'different violations';
    else {
      const a = perThread(orig);
      const b = perThread(r);
      for (let t = 0; t < Math.max(a.length, b.length) && diff === null; t++) if (a[t] !== b[t]) diff = `T${t} ran different ops`;
      if (diff === null && orig.resultsHash !== r.resultsHash) diff = 'a thread returned a different value';
      if (diff === null && JSON.stringify(orig.facts ?? null) !== JSON.stringify(r.facts ?? null)) diff = "the model's inspect() facts differ";
    }
    if (diff === null) return null;
    return {
      kind: 'independence', schedule: orig.schedule,
      message: `swapping ${what}, which touch no common object, changed the outcome (${diff}): the model shares state the checker cannot see, so a reduction that relies on independent ops commuting (DPOR) would miss interleavings; ${advice}`,
    };
  }
}
