/**
 * One execution: run a model's threads from `setup()` to the end under one Scheduler, performing
 * the engine-level effect of each op (lock ownership, happens-before, KCSAN race check, KASAN
 * lifetime check, spawn/join, choose) and stopping at the first violation.
 *
 * This is the hot path (a bare generator resume loop runs ~70 M steps/s on this machine; the bench
 * workloads' own thread code ~12 M), so the loop allocates nothing per step apart from the
 * schedule entry, and optional work (op trace, coverage fingerprint, invariants) is skipped when
 * not asked for.
 * Leaves out: the loop over many executions (explore.ts), deadlock / livelock analysis (stuck.ts),
 * lock ownership (locks.ts), the enabled set (enabled.ts, the base class), op traces and
 * fingerprints (recorder.ts) and the wording of the violations it reports (findings.ts).
 */
import { HappensBefore } from './clocks.js';
import { EnabledSet, MAX_THREADS } from './enabled.js';
import type { AnyModel } from './model.js';
import { ObjectTable } from './objects.js';
import { type Op, OpKind, type ThreadBody, type ThreadGen, describeOp } from './ops.js';
import { RaceDetector } from './race.js';
import type { Scheduler, SchedulerView } from './scheduler.js';
import { badFree, badUnlock, brokenCheck, dataRace, disabledPick, leaked, threw, tooManyThreads, useAfterFree } from './findings.js';
import { executionStarted } from './heartbeat.js';
import { thrownText } from './thrown.js';
import { Recorder } from './recorder.js';
import type { ExecOptions, ExecResult, ThreadState } from './exec-types.js';
import { deadlockViolation, livelockViolation } from './stuck.js';
import { type Site, type Violation, ViolationAbort, UsageError, violation } from './violation.js';

const NO_CHECKS: readonly never[] = [];
const RING = 64;

export type { ExecOptions, ExecResult, ThreadState } from './exec-types.js';
export { MAX_THREADS } from './enabled.js';
export { allocThreadSlot } from './exec-types.js';

export class Execution extends EnabledSet implements SchedulerView {
  /** The execution whose thread code is running (models are single-threaded JS). */
  static current: Execution | null = null;

  readonly objects = new ObjectTable();
  readonly hb = new HappensBefore();
  readonly races = new RaceDetector();
  threads: ThreadState[] = [];
  /**
   * Happens-before is tracked only from the first plain access on: a race between two plain
   * accesses can only be hidden by sync edges after the earlier of them, so clocks started then
   * are exact, and models without plain cells pay nothing for them.
   */
  private hbOn = false;
  stepIndex = 0;
  lastThread = -1;
  /** The thread whose code is running now; -1 during setup. */
  running = -1;
  violation: Violation | null = null;
  runStore: Map<unknown, unknown> = new Map();
  /** Sanitizers on? API layers (lockdep, sleep-in-atomic, refcount) read this too. */
  sanitize = true;
  private readonly ringTid = new Int32Array(RING);
  private readonly ringOp: (Op | undefined)[] = new Array<Op | undefined>(RING);
  /** This execution's decisions and preemption count; its op trace and fingerprint when asked. */
  private schedule: number[] = [];
  private preemptions = 0;
  private readonly rec = new Recorder();

  get threadCount(): number {
    return this.threads.length;
  }

  observesEveryStep = false;
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

  /** Site of the op being run now (for allocation / free records). */
  site(label: string): Site {
    return { thread: this.running, step: this.stepIndex - 1, label };
  }

  /** Record a violation and unwind the running thread. */
  fail(v: Violation): never {
    if (!this.violation) this.violation = v;
    throw new ViolationAbort(this.violation);
  }

  /** Who holds lock object `obj` (-1 when free). */
  lockOwner(obj: number): number {
    return this.locks.ownerOf(obj);
  }

  lockReaders(obj: number): number {
    return this.locks.readersOf(obj);
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
    this.running = id;
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
        th.pending = o;
        this.setPending(th.id, o);
      }
    } catch (e) {
      th.done = true;
      th.pending = undefined;
      this.setPending(th.id, undefined);
      if (e instanceof ViolationAbort) return;
      if (!this.violation) this.violation = threw(`T${th.id} (${th.name})`, e, [th.id], this.stepIndex - 1);
    }
  }


  /** A wait's condition or a join's target, for the enabled set (which decides acquires itself). */
  pendingEnabled(tid: number): boolean {
    const o = this.threads[tid]?.pending;
    if (o === undefined) return false;
    if (o.kind === OpKind.Wait) return this.waitHolds(tid, o);
    if (o.kind === OpKind.Join) return this.threads[o.n ?? -1]?.done ?? true;
    return true;
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

  private startClocks(): void {
    this.hbOn = true;
    this.hb.reset();
    this.races.reset();
    for (let t = 0; t < this.threads.length; t++) this.hb.fork(t, -1);
  }

  /** Perform the engine-level effect of op `o` by thread `tid`; returns the op's result. */
  private perform(tid: number, o: Op, sched: Scheduler, schedule: number[]): unknown {
    const obj = o.obj;
    const san = this.sanitize;
    if (san && obj >= 0 && this.objects.freedCount > 0 && o.kind !== OpKind.Free && this.objects.isFreed(obj)) {
      this.violation = useAfterFree(this.objects, tid, o, this.stepIndex);
      return undefined;
    }
    const hbOn = this.hbOn;
    switch (o.kind) {
      case OpKind.Read:
        // An atomic load acquires but publishes nothing: two loads never order plain accesses
        // (C11 / LKMM), which is also what DPOR's read-read independence assumes.
        if (hbOn) this.hb.acquire(tid, obj);
        return undefined;
      case OpKind.Write: case OpKind.Rmw: case OpKind.Device:
        if (hbOn) this.hb.acqRel(tid, obj);
        return undefined;
      case OpKind.PlainRead: case OpKind.PlainWrite: {
        if (!san) return undefined;
        if (!hbOn) this.startClocks();
        const prior = o.kind === OpKind.PlainRead
          ? this.races.read(this.hb, tid, obj, this.stepIndex, o.label)
          : this.races.write(this.hb, tid, obj, this.stepIndex, o.label);
        if (prior) this.violation = dataRace(this.objects, tid, o, prior, this.stepIndex);
        return undefined;
      }
      case OpKind.Acquire:
        this.locks.acquire(obj, tid, o.n === 1);
        this.lockChanged(obj);
        if (hbOn) this.hb.acquire(tid, obj);
        return undefined;
      case OpKind.TryAcquire: {
        const got = this.locks.tryAcquire(obj, tid);
        if (got) this.lockChanged(obj);
        if (hbOn) this.hb.acqRel(tid, obj);
        return got;
      }
      case OpKind.Release:
        if (!this.locks.release(obj, tid, o.n === 1)) return this.badUnlock(tid, o);
        this.lockChanged(obj);
        if (hbOn) this.hb.release(tid, obj);
        return undefined;
      case OpKind.Wait:
        if (hbOn && obj >= 0) this.hb.acquire(tid, obj);
        return undefined;
      case OpKind.Choose: {
        const n = o.n ?? 0;
        if (!(n >= 1) || !Number.isInteger(n)) {
          this.violation = violation('usage', `T${tid} called choose(${n}) at ${o.label}: choose needs a whole number of alternatives >= 1`, { threads: [tid], step: this.stepIndex });
          return undefined;
        }
        // choose(1) has one outcome: no decision, so nothing is asked or recorded (replay agrees).
        if (n === 1) return 0;
        const v = sched.pickValue(n, tid, this);
        if (!(v >= 0 && v < n)) {
          this.violation = violation('nondeterminism', `replayed value ${v} for choose(${n}) at ${o.label} is out of range: the model changed or is nondeterministic`, { threads: [tid], step: this.stepIndex });
          return undefined;
        }
        schedule.push(v);
        return v;
      }
      case OpKind.Spawn: {
        const child = this.addThread(o.name ?? `T${this.threads.length}`, o.body as ThreadBody, tid);
        return child;
      }
      case OpKind.Join: {
        const target = o.n ?? -1;
        if (hbOn) this.hb.join(tid, target);
        return this.threads[target]?.result;
      }
      case OpKind.Free: {
        const r = this.objects.free(obj, { thread: tid, step: this.stepIndex, label: o.label });
        if (r !== 'ok') this.violation = badFree(this.objects, r, tid, o, this.stepIndex);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private badUnlock(tid: number, o: Op): undefined {
    this.violation = badUnlock(this.objects, tid, o, this.stepIndex);
    return undefined;
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
    this.resetEnabled();
    this.hbOn = false;
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
    try {
      try {
        state = model.setup(opts.params);
        const specs = model.threads(state, opts.params);
        for (const s of specs) {
          this.addThread(s.name, s.body, -1);
          if (this.violation) break;
        }
      } catch (e) {
        if (!(e instanceof ViolationAbort) && !this.violation) this.violation = threw(`setup of ${model.name}`, e, [], -1);
      }
      if (!this.violation) this.loop(sched, maxSteps, invariants, state);
      if (!this.violation && model.final) this.checkAll(model.final, state, 'invariant');
      if (!this.violation && model.leakCheck !== false && this.objects.liveHeap > 0) this.violation = leaked(this.objects);
    } finally {
      Execution.current = saved;
    }
    let facts: Record<string, string | number | boolean> | undefined;
    if (this.violation && model.inspect && state !== undefined) {
      try { facts = model.inspect(state); } catch { /* a broken inspect must not hide the finding */ }
    }
    const res: { -readonly [K in keyof ExecResult]: ExecResult[K] } = {
      violation: this.violation, steps: this.stepIndex, schedule: this.schedule, preemptions: this.preemptions,
      traceThreads: this.rec.traceThreads ?? [], traceOps: this.rec.traceOps, fingerprint: this.rec.fp >>> 0,
    };
    if (facts) res.facts = facts;
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
    while (!this.violation) {
      this.refreshEnabled();
      if (this.enabledCount === 0 || this.violation) {
        if (!this.violation && this.anyLive()) this.violation = deadlockViolation(this);
        return;
      }
      if (this.stepIndex >= maxSteps) {
        this.violation = livelockViolation(this, this.ringTid, this.ringOp, RING, maxSteps);
        return;
      }
      const tid = sched.pickThread(this);
      const th = this.threads[tid];
      if (th === undefined || !this.isEnabled(tid)) {
        this.violation = disabledPick(tid, this.stepIndex, this.enabled.subarray(0, this.enabledCount), th !== undefined);
        return;
      }
      schedule.push(tid);
      const last = this.lastThread;
      if (last >= 0 && last !== tid && this.isEnabled(last)) this.preemptions++;
      const o = th.pending as Op;
      const slot = this.stepIndex & (RING - 1);
      this.ringTid[slot] = tid;
      this.ringOp[slot] = o;
      if (rec) rec.record(tid, o);
      this.running = tid;
      // Atomic ops before the first plain access and the first free have nothing to check or
      // clock (happens-before starts lazily, see hbOn): skip the call.
      const result = o.kind <= OpKind.Rmw && !this.hbOn && this.objects.freedCount === 0
        ? undefined
        : this.perform(tid, o, sched, schedule);
      this.stepIndex++;
      this.lastThread = tid;
      if (this.violation) return;
      if (sched.afterStep) sched.afterStep(tid, o, this);
      this.advance(th, result);
      this.running = -1;
      if (this.violation) return;
      if (invariants) this.checkAll(invariants, state, 'invariant');
    }
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
        const last = this.ringOp[(this.stepIndex - 1) & (RING - 1)];
        this.violation = brokenCheck(c.name, r, this.lastThread, this.stepIndex - 1, last?.label ?? '');
        return;
      }
    }
  }

  /** Describe an op with object names (for violations and traces). */
  describe(o: Op): string {
    return describeOp(o, (id) => this.objects.label(id));
  }
}

/** The running execution; throws a how-to-fix error when called outside one. */
export function currentExecution(): Execution {
  const e = Execution.current;
  if (!e) throw new UsageError('mapcheck primitives can only be created inside a model (setup or thread bodies) while the checker runs it');
  return e;
}
