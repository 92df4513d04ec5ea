/**
 * One execution: run a model's threads from `setup()` to the end under one Scheduler (the step
 * loop, the threads' lifecycle, the doors of the run-time checks: peeks, waits, spin loops,
 * symmetry gates, the memory model), stopping at the first violation; the effect of each op is
 * op-effects.ts, the base class.
 *
 * This is the hot path (a bare generator resume loop runs ~70 M steps/s on this machine; the bench
 * workloads' own thread code ~12 M), so the loop allocates nothing per step apart from the
 * schedule entry, and optional work (op trace, coverage fingerprint, invariants) is skipped when
 * not asked for.
 * Leaves out: the loop over many executions (explore.ts), op effects (op-effects.ts), deadlock / livelock analysis (stuck.ts),
 * lock ownership (locks.ts), the enabled set (enabled.ts, the base class), op traces and
 * fingerprints (recorder.ts) and the wording of the violations it reports (findings.ts).
 */
import { MAX_THREADS } from './enabled.js';
import { OpEffects, endsRun } from './op-effects.js';
import type { AnyModel } from './model.js';
import { type Op, OpKind, type ThreadBody, type ThreadGen, describeOp } from './ops.js';
import type { Scheduler, SchedulerView } from './scheduler.js';
import { brokenCheck, disabledPick, leaked, threw, tooManyThreads } from './findings.js';
import { executionStarted } from './heartbeat.js';
import { thrownText } from './thrown.js';
import { PeekLog } from './peek.js';
import { Recorder } from './recorder.js';
import { WaitCheck } from './wait-check.js';
import { SPIN_WAIT, SpinDetector, startsPoll } from './spin.js';
import { gateSymmetric, swapBodies, symmetryGroups } from './symmetry.js';
import { markOpaque, stateHash } from './state-hash.js';
import { LkmmMemory } from './lkmm/memory.js';
import type { ExecOptions, ExecResult, ThreadState } from './exec-types.js';
import { deadlockViolation, livelockViolation } from './stuck.js';
import { type Violation, ViolationAbort, UsageError } from './violation.js';

const NO_CHECKS: readonly never[] = [];
const NO_GROUPS: readonly number[][] = [];

export type { ExecOptions, ExecResult, ThreadState } from './exec-types.js';
export { MAX_THREADS } from './enabled.js';
export { allocThreadSlot } from './exec-types.js';

export class Execution extends OpEffects implements SchedulerView {
  /** The execution whose thread code is running (models are single-threaded JS). */
  static current: Execution | null = null;

  private lkmm: LkmmMemory | null = null;
  /** This execution's decisions and preemption count; its op trace and fingerprint when asked. */
  private schedule: number[] = [];
  private preemptions = 0;
  private readonly rec = new Recorder();
  private readonly waits = new WaitCheck();
  /** Reads of `.value` in thread code (peek.ts), and the op of every step they are checked against. */
  private readonly peeks = new PeekLog();
  /**
   * The op and thread of each step of this execution: the peek check's input, the last op a wait
   * or an invariant is judged after, a livelock's cycle. Entries past `stepIndex` are stale (the
   * arrays are reused across executions: no garbage, one store each per step).
   */
  private opLog: Op[] = [];
  private opTid: number[] = [];
  /** Thread code (a generator's slice between two ops) is running: `.value` reads there are peeks. */
  inThreadCode = false;
  private readonly spin = new SpinDetector();
  /** The op a spinning thread will run once its spin wait ends (spin.ts). */
  private deferred: (Op | undefined)[] = [];

  constructor() {
    super();
    // A model's state may reach the execution (a saved currentExecution()): state hashes stop there.
    markOpaque(this);
  }

  get threadCount(): number {
    return this.threads.length;
  }

  observesEveryStep = false;
  /** Peeks in this execution, as peek.ts keeps them (SchedulerView.peekCount). */
  get peekCount(): number {
    return this.peeks.tally;
  }
  peekThread(k: number): number {
    return this.peeks.threadAt(k);
  }
  peekObject(k: number): number {
    return this.peeks.objectAt(k);
  }
  get weakMemory(): boolean {
    return this.mm !== null;
  }
  private observeAll = false;

  observed(obj: number): boolean {
    return this.observeAll || this.objects.observed[obj] === true;
  }

  blockOf(obj: number): number {
    return this.objects.block[obj] ?? obj;
  }

  pending(tid: number): Op | undefined {
    return this.threads[tid]?.pending;
  }

  /**
   * The event id (step index) of the op thread `tid` performed last, when its code is running right
   * after that op (the only time thread code runs); -1 before its first op.
   */
  lastEventOf(tid: number): number {
    return this.lastThread === tid && this.stepIndex > 0 ? this.stepIndex - 1 : -1;
  }

  /**
   * A primitive's `.value` was read (its getter calls this through `peekValue`): in thread code,
   * a read of an object other than the one the thread's granted op touched is a peek (peek.ts).
   */
  peeked(obj: number): void {
    const t = this.running;
    const th = this.threads[t];
    if (th === undefined) return;
    const p = th.pending;
    if (p !== undefined && p.obj === obj) return;
    this.peeks.note(t, obj, p !== undefined ? this.stepIndex - 1 : this.peeks.spawnOf(t));
  }

  /** Create a thread (initial or spawned) and run it to its first op. */
  addThread(name: string, body: ThreadBody, parent: number): number {
    const id = this.threads.length;
    if (id >= MAX_THREADS) {
      this.violation ??= tooManyThreads(MAX_THREADS, name, parent, this.stepIndex);
      return -1;
    }
    const th: ThreadState = { id, name, gen: undefined as unknown as ThreadGen, pending: undefined, done: false, result: undefined, slots: [] };
    this.threads.push(th);
    this.threadAdded(id);
    if (this.hbOn) this.hb.fork(id, parent);
    const prev = this.running;
    const prevCode = this.inThreadCode;
    this.running = id;
    // A thread spawned at run time runs its prologue in its parent's spawn slice; threads that
    // setup creates run theirs before any step (what they read there no order can change).
    if (parent >= 0) this.peeks.spawned(id, this.stepIndex);
    this.inThreadCode = parent >= 0;
    try {
      th.gen = body();
      this.advance(th, undefined);
    } catch (e) {
      // Only body() itself gets here (advance catches what the generator throws): it never starts.
      th.done = true;
      this.setPending(id, undefined);
      if (!this.violation) this.violation = threw(`T${id} (${name})`, e, [id], this.stepIndex - 1);
    } finally {
      this.running = prev;
      this.inThreadCode = prevCode;
    }
    return id;
  }

  /** Resume a thread with the result of its op; capture its next op or its end. */
  private advance(th: ThreadState, value: unknown): void {
    try {
      const r = th.gen.next(value);
      if (r.done) {
        th.done = true;
        th.pending = undefined;
        th.result = r.value;
        this.setPending(th.id, undefined);
      } else {
        const o = r.value as Op | undefined;
        if (o === null || typeof o !== 'object' || typeof o.kind !== 'number') {
          throw new UsageError(`thread ${th.name} yielded ${o === null ? 'null' : typeof o}; yield op descriptors (use yield* on API helpers)`);
        }
        const sw = startsPoll(o.kind) ? this.spin.check(th.id, o) : null;
        if (sw !== null) this.deferred[th.id] = o;
        const next = sw ?? o;
        th.pending = next;
        if (next.kind === OpKind.Wait) this.waits.forget(th.id);
        this.setPending(th.id, next);
      }
    } catch (e) {
      th.done = true;
      th.pending = undefined;
      this.setPending(th.id, undefined);
      if (e instanceof ViolationAbort) return;
      const v = threw(`T${th.id} (${th.name})`, e, [th.id], this.stepIndex - 1);
      if (this.keepGoing && !endsRun(v)) this.log.oops(v);
      else if (!this.violation) this.violation = v;
    }
  }


  /** A wait's condition or a join's target, for the enabled set (which decides acquires itself). */
  pendingEnabled(tid: number): boolean {
    const o = this.threads[tid]?.pending;
    if (o === undefined) return false;
    if (o.kind === OpKind.Wait) {
      const v = this.waitHolds(tid, o);
      if (o.reads !== undefined && !this.violation) this.checkWait(tid, o, v);
      return v;
    }
    if (o.kind === OpKind.Join) return this.threads[o.n ?? -1]?.done ?? true;
    return true;
  }

  /** Does the declared read set of thread `tid`'s wait still explain its condition? (wait-check.ts) */
  private checkWait(tid: number, o: Op, v: boolean): void {
    const at = this.stepIndex - 1;
    const last = at >= 0 ? this.opLog[at] : undefined;
    const lastTid = at >= 0 ? (this.opTid[at] as number) : -1;
    if (!this.waits.changed(tid, o, v, last, lastTid, this)) return;
    this.violation = this.waits.report(tid, o, v, last as Op, lastTid, this.stepIndex, (x) => this.describe(x), (t) => `T${t} (${this.threads[t]?.name ?? '?'})`);
  }

  /** A wait's condition is model code: one that throws ends the execution with that exception. */
  private waitHolds(tid: number, o: Op): boolean {
    try {
      return !!(o.until as () => boolean)();
    } catch (e) {
      if (!this.violation) this.violation = threw(`the wait condition of T${tid} at ${o.label}`, e, [tid], this.stepIndex);
      return false;
    }
  }

  /** Run one execution of `model` under `sched`. `sched.beginExecution()` was already called. */
  run(model: AnyModel, sched: Scheduler, opts: ExecOptions): ExecResult {
    executionStarted();
    this.objects.reset();
    // Clocks and the race detector are reset when the first plain access starts them (startClocks).
    this.threads = [];
    this.locks.reset();
    this.stepIndex = 0;
    this.lastThread = -1;
    this.running = -1;
    this.violation = null;
    this.keepGoing = opts.keepGoing === true;
    if (opts.memoryModel !== undefined && opts.memoryModel !== 'sc' && opts.memoryModel !== 'lkmm') {
      throw new UsageError(`unknown memory model '${String(opts.memoryModel)}' (use sc or lkmm)`);
    }
    this.mm = opts.memoryModel === 'lkmm' ? (this.lkmm ??= new LkmmMemory()) : null;
    if (this.mm !== null) this.mm.begin();
    this.deps = this.mm !== null ? this.mm.deps : null;
    this.log.reset();
    this.resetEnabled();
    this.waits.reset();
    this.peeks.reset();
    this.inThreadCode = false;
    this.spin.reset();
    if (this.deferred.length !== 0) this.deferred = [];
    this.hbOn = false;
    // Under a weak memory model every access goes through perform (no lazy-clock fast path).
    if (this.mm !== null) this.startClocks();
    this.runStore = opts.runStore ?? new Map();
    this.sanitize = opts.sanitize !== false;
    this.schedule = [];
    this.rec.reset(opts.trace === true, opts.fingerprint === true);
    this.preemptions = 0;
    const maxSteps = opts.maxSteps ?? model.maxSteps ?? 20_000;
    const invariants = model.invariants && model.invariants.length > 0 ? model.invariants : null;
    this.observeAll = this.objects.observe(invariants ?? NO_CHECKS);
    this.observesEveryStep = this.observeAll || this.objects.observePrefixes.length > 0;
    const saved = Execution.current;
    Execution.current = this;
    let state: unknown;
    let setupObjects = 0;
    let groups: readonly number[][] = NO_GROUPS;
    try {
      try {
        state = model.setup(opts.params);
        setupObjects = this.objects.size;
        let specs = model.threads(state, opts.params);
        if (opts.swapBodies !== undefined) specs = swapBodies(specs, opts.swapBodies[0], opts.swapBodies[1]);
        groups = this.mm === null && opts.symmetry !== false ? symmetryGroups(specs) : NO_GROUPS;
        if (groups.length > 0) specs = gateSymmetric(specs, groups, this.objects);
        for (const s of specs) {
          this.addThread(s.name, s.body, -1);
          if (this.violation) break;
        }
      } catch (e) {
        if (!(e instanceof ViolationAbort) && !this.violation) this.violation = threw(`setup of ${model.name}`, e, [], -1);
      }
      if (!this.violation) this.loop(sched, maxSteps, invariants, state);
      this.inThreadCode = false;
      if (this.peeks.count > 0 && (!this.violation || this.keepGoing)) this.checkPeeks();
      if (this.mm !== null) {
        for (const v of this.mm.finish(this.objects)) this.note(v);
        if (this.mm.blocked !== null) this.violation ??= this.mm.blocked;
      }
      // After an oops the state is what the killed thread left half-done: end checks would only
      // report consequences (a leak of what it was about to free, a count it did not drop).
      if (!this.violation && model.final && this.log.oopses === 0) this.checkAll(model.final, state, 'invariant');
      if (!this.violation && model.leakCheck !== false && this.objects.liveHeap > 0 && this.log.oopses === 0) this.note(leaked(this.objects));
    } finally {
      Execution.current = saved;
    }
    // A blocked execution (no consistent choice under the memory model) is no execution at all.
    const blocked = this.mm !== null && this.mm.blocked !== null;
    if (blocked) this.dropFindings();
    const halted = !blocked && (this.violation !== null && this.violation.kind !== 'deadlock');
    const violations = this.log.all(this.violation);
    if (violations.length > 0) this.violation = violations[0] as Violation;
    let facts: Record<string, string | number | boolean> | undefined;
    if ((this.violation || opts.observe === true) && model.inspect && state !== undefined) {
      try { facts = model.inspect(state); } catch { /* a broken inspect must not hide the finding */ }
    }
    const res: { -readonly [K in keyof ExecResult]: ExecResult[K] } = {
      violation: this.violation, violations, halted, steps: this.stepIndex, schedule: this.schedule, preemptions: this.preemptions,
      traceThreads: this.rec.traceThreads ?? [], traceOps: this.rec.traceOps, traceSlots: this.rec.traceSlots, fingerprint: this.rec.fp >>> 0,
    };
    if (facts) res.facts = facts;
    if (blocked) res.blocked = (this.mm as LkmmMemory).blockedBy ?? 'inconsistent';
    if (this.mm !== null && opts.trace === true) res.weak = (this.mm as LkmmMemory).explain(this.objects);
    if (opts.observe === true) {
      res.setupObjects = setupObjects;
      res.stateHash = stateHash(state);
      res.resultsHash = stateHash(this.threads.map((t) => t.result));
      if (groups.length > 0) res.symmetry = groups;
    }
    return res;
  }

  /**
   * The step loop, kept small so V8 spends its inlining budget on the calls made every step
   * (pick, enabled scan, resume); everything rare (deadlock, step bound, a disabled pick, traces,
   * fingerprints) is a call out.
   */
  private loop(sched: Scheduler, maxSteps: number, invariants: readonly { name: string; check: (s: never) => unknown }[] | null, state: unknown): void {
    const schedule = this.schedule;
    const rec = this.rec.active ? this.rec : null;
    const mm = this.mm;
    while (!this.violation) {
      this.refreshEnabled();
      if (this.violation) return;
      if (this.enabledCount === 0) {
        // Spinning threads wait for a write nobody can make any more: let them spin on.
        if (this.spin.releaseAll()) continue;
        // Threads stuck behind one an oops killed (a lock it held) are the oops's consequence.
        if (this.anyLive() && this.log.oopses === 0) this.violation = deadlockViolation(this);
        return;
      }
      if (this.stepIndex >= maxSteps) {
        this.violation = livelockViolation(this, this.opTid, this.opLog, maxSteps);
        return;
      }
      const tid = sched.pickThread(this);
      const th = this.threads[tid];
      if (th === undefined || !this.isEnabled(tid)) {
        this.violation = disabledPick(tid, this.stepIndex, this.enabled.subarray(0, this.enabledCount), th !== undefined);
        return;
      }
      schedule.push(tid);
      this.opLog[this.stepIndex] = th.pending as Op;
      this.opTid[this.stepIndex] = tid;
      const last = this.lastThread;
      if (last >= 0 && last !== tid && this.isEnabled(last)) this.preemptions++;
      const o = th.pending as Op;
      if (rec) rec.record(tid, o, schedule.length - 1);
      this.running = tid;
      // Atomic ops before the first plain access and the first free have nothing to check or
      // clock (happens-before starts lazily, see hbOn): skip the call.
      const result = o.kind <= OpKind.Rmw && !this.hbOn && this.objects.freedCount === 0 && this.objects.plainCount === 0
        ? undefined
        : this.perform(tid, o, sched, schedule);
      this.stepIndex++;
      this.lastThread = tid;
      if (this.violation) return;
      if (sched.afterStep) sched.afterStep(tid, o, this);
      this.spin.after(tid, o);
      if (o.detail === SPIN_WAIT) {
        // The spin wait ended: the thread's real next op is pending again (its code did not run).
        const d = this.deferred[tid] as Op;
        th.pending = d;
        this.setPending(tid, d);
        this.running = -1;
        continue;
      }
      this.inThreadCode = true;
      this.advance(th, result);
      this.inThreadCode = false;
      this.running = -1;
      if (mm !== null) {
        mm.settle();
        if (mm.blocked !== null) this.violation ??= mm.blocked;
      }
      if (this.violation) return;
      if (invariants) this.checkAll(invariants, state, 'invariant');
    }
  }

  /** Thread code read values another thread writes, behind the scheduler's back (peek.ts). */
  private checkPeeks(): void {
    if (this.peeks.count === 0) return;
    const n = this.stepIndex;
    const v = this.peeks.check(this.opTid.slice(0, n), this.opLog.slice(0, n), this.threads.length, (id) => this.objects.label(id), (t) => this.threads[t]?.name ?? `T${t}`);
    if (v !== null) this.note(v);
  }

  /** Forget what a blocked execution reported: its values were never possible. */
  private dropFindings(): void {
    this.violation = null;
    this.log.reset();
  }

  private anyLive(): boolean {
    for (const t of this.threads) if (!t.done) return true;
    return false;
  }

  private checkAll(checks: readonly { name: string; check: (s: never) => unknown }[], state: unknown, kind: 'invariant'): void {
    for (const c of checks) {
      let r: unknown;
      try {
        r = (c.check as (s: unknown) => unknown)(state);
      } catch (e) {
        if (e instanceof ViolationAbort) return;
        r = `check threw: ${thrownText(e)}`;
      }
      if (r === false || typeof r === 'string') {
        const last = this.stepIndex > 0 ? this.opLog[this.stepIndex - 1] : undefined;
        this.note(brokenCheck(c.name, r, this.lastThread, this.stepIndex - 1, last?.label ?? ''));
        if (!this.keepGoing) return;
      }
    }
  }

  /** Describe an op with object names (for violations and traces). */
  describe(o: Op): string {
    return describeOp(o, (id) => this.objects.label(id));
  }
}

/** A primitive's `.value` getter: tells the running execution, if thread code reads it (peek.ts). */
export function peekValue(obj: number): void {
  const e = Execution.current;
  if (e !== null && e.inThreadCode) e.peeked(obj);
}

/** The running execution; throws a how-to-fix error when called outside one. */
export function currentExecution(): Execution {
  const e = Execution.current;
  if (!e) throw new UsageError('mapcheck primitives can only be created inside a model (setup or thread bodies) while the checker runs it');
  return e;
}
