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
import { Mo, type Op, OpKind, type ThreadBody, type ThreadGen, describeOp, op } from './ops.js';
import { syncOp } from './sync.js';
import { RaceDetector } from './race.js';
import type { Scheduler, SchedulerView } from './scheduler.js';
import { badFree, badUnlock, brokenCheck, dataRace, disabledPick, leaked, threw, tooManyThreads, useAfterFree } from './findings.js';
import { executionStarted } from './heartbeat.js';
import { thrownText } from './thrown.js';
import { PeekLog } from './peek.js';
import { Recorder } from './recorder.js';
import { ViolationLog } from './violation-log.js';
import { WaitCheck } from './wait-check.js';
import { SPIN_WAIT, SpinDetector } from './spin.js';
import { gateSymmetric, swapBodies, symmetryGroups } from './symmetry.js';
import { markOpaque, stateHash } from './state-hash.js';
import type { DepTracker } from './deps.js';
import { LkmmMemory, PASS } from './lkmm/memory.js';
import type { ExecOptions, ExecResult, ThreadState } from './exec-types.js';
import { deadlockViolation, livelockViolation } from './stuck.js';
import { type Site, type Violation, ViolationAbort, UsageError, violation } from './violation.js';

const NO_CHECKS: readonly never[] = [];
const NO_GROUPS: readonly number[][] = [];

/** Violations that end the execution even with keep-going: the model, not the design, is wrong. */
function endsRun(v: Violation): boolean {
  return v.kind === 'usage' || v.kind === 'nondeterminism';
}
const FENCES: Op[] = [];
function fenceOp(mo: Mo): Op {
  return (FENCES[mo] ??= op.fence('fence', mo));
}
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
   * Happens-before is tracked only once an object that can be accessed plainly (a struct field, a
   * Cell) exists: a race needs an access to such an object, and can only be hidden by sync edges
   * after the earlier access, so clocks started at its creation are exact, and models of atomics
   * and locks alone pay nothing for them.
   */
  private hbOn = false;
  stepIndex = 0;
  lastThread = -1;
  /** The thread whose code is running now; -1 during setup. */
  running = -1;
  violation: Violation | null = null;
  /** Keep going past violations the kernel carries on after (ExecOptions.keepGoing). */
  keepGoing = false;
  /** Declared dependencies (deps.ts), while a memory model that reads them runs; null otherwise. */
  deps: DepTracker | null = null;
  /** The weak memory model (lkmm/memory.ts) while `memoryModel: 'lkmm'` runs; null under SC. */
  mm: LkmmMemory | null = null;
  private lkmm: LkmmMemory | null = null;
  /** What keep-going recorded this execution, and the threads an oops ended (violation-log.ts). */
  private readonly log = new ViolationLog();
  runStore: Map<unknown, unknown> = new Map();
  /** Sanitizers on? API layers (lockdep, sleep-in-atomic, refcount) read this too. */
  sanitize = true;
  private readonly ringTid = new Int32Array(RING);
  private readonly ringOp: (Op | undefined)[] = new Array<Op | undefined>(RING);
  /** This execution's decisions and preemption count; its op trace and fingerprint when asked. */
  private schedule: number[] = [];
  private preemptions = 0;
  private readonly rec = new Recorder();
  private readonly waits = new WaitCheck();
  /** Reads of `.value` in thread code (peek.ts), and the op of every step they are checked against. */
  private readonly peeks = new PeekLog();
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

  /** Site of the op being run now (for allocation / free records). */
  site(label: string): Site {
    return { thread: this.running, step: this.stepIndex - 1, label };
  }

  /**
   * Record a violation and unwind the running thread. Without keep-going it ends the execution;
   * with keep-going it ends only the thread, as an oops kills the faulting task and the rest of the
   * kernel carries on (model misuse and setup failures still end the execution).
   */
  fail(v: Violation): never {
    if (this.keepGoing && this.running >= 0 && !endsRun(v)) {
      this.log.oops(v);
      throw new ViolationAbort(v);
    }
    if (!this.violation) this.violation = v;
    throw new ViolationAbort(this.violation);
  }

  /**
   * A violation after which the kernel carries on (a WARN, a KCSAN or KASAN report, a lockdep
   * splat): with keep-going it is recorded and the thread continues; otherwise it ends the
   * execution like `fail`.
   */
  warn(v: Violation): void {
    if (this.keepGoing) {
      this.note(v);
      return;
    }
    this.fail(v);
  }

  /** An engine-level finding the execution can continue past (see warn). */
  private note(v: Violation): void {
    if (!this.keepGoing) {
      if (!this.violation) this.violation = v;
      return;
    }
    this.log.add(v);
  }

  /** Who holds lock object `obj` (-1 when free). */
  lockOwner(obj: number): number {
    return this.locks.ownerOf(obj);
  }

  lockReaders(obj: number): number {
    return this.locks.readersOf(obj);
  }

  /**
   * A barrier the running thread executes as part of its last op, without a scheduling point (a
   * kernel primitive's internal fence, e.g. refcount_dec_and_test's acquire on success).
   */
  fenceAfter(mo: Mo): void {
    if (this.mm !== null && this.running >= 0) this.mm.fenceAfter(this.running, mo, this.stepIndex - 1);
    if (!this.hbOn || this.running < 0) return;
    syncOp(this.hb, this.running, fenceOp(mo), false);
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
        const sw = this.spin.check(th.id, o);
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
    const last = at >= 0 ? this.ringOp[at & (RING - 1)] : undefined;
    const bad = this.waits.observe(tid, o, v, last, at >= 0 ? (this.ringTid[at & (RING - 1)] as number) : -1, this.stepIndex,
      (x) => this.blockOf(x), (x) => this.describe(x), (t) => `T${t} (${this.threads[t]?.name ?? '?'})`);
    if (bad) this.violation = bad;
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
      // Under a weak memory model the graph decides whether the access can observe the free (lkmm/lifetime.ts).
      const seen = this.mm === null ? 'uaf' : this.mm.accessAfterFree(tid, this.objects.block[obj] as number, this.stepIndex, o.label);
      if (seen === 'blocked') return (this.violation ??= (this.mm as LkmmMemory).blocked), undefined;
      if (seen === 'uaf') {
        this.note(useAfterFree(this.objects, tid, o, this.stepIndex));
        // KASAN reports and the access goes ahead: with keep-going the execution carries on.
        if (!this.keepGoing) return undefined;
      }
    }
    if (!this.hbOn && this.objects.plainCount > 0 && san) this.startClocks();
    const mm = this.mm;
    if (mm !== null) {
      const r = mm.access(tid, o, this.stepIndex, sched, this, schedule);
      if (mm.blocked !== null) return (this.violation ??= mm.blocked), undefined;
      if (r !== PASS) {
        // The graph performed it; the engine's clocks still learn its ordering, for the race checks
        // of objects outside the graph (the engine's own Cells, device windows).
        if (this.hbOn && (o.kind === OpKind.Read || o.kind === OpKind.Write || o.kind === OpKind.Rmw || o.kind === OpKind.Fence)) syncOp(this.hb, tid, o, false);
        return r;
      }
    }
    const hbOn = this.hbOn;
    let result: unknown;
    switch (o.kind) {
      case OpKind.PlainRead: case OpKind.PlainWrite:
        if (!san || o.mo === Mo.DataRace) return undefined;
        // A plain op on an object not created as plainly accessible (a raw op): watch it from now on.
        if (this.objects.plain[obj] !== true) this.objects.markPlain(obj);
        if (!this.hbOn) this.startClocks();
        this.raceCheck(tid, o, false);
        return undefined;
      case OpKind.Read: case OpKind.Write: case OpKind.Rmw:
        if (hbOn) {
          if (this.objects.plain[obj] === true) this.raceCheck(tid, o, true);
          syncOp(this.hb, tid, o, false);
        }
        return undefined;
      case OpKind.Acquire:
        this.locks.acquire(obj, tid, o.n === 1);
        this.lockChanged(obj);
        break;
      case OpKind.TryAcquire: {
        const got = this.locks.tryAcquire(obj, tid);
        if (got) this.lockChanged(obj);
        if (hbOn) syncOp(this.hb, tid, o, got);
        return got;
      }
      case OpKind.Release:
        if (!this.locks.release(obj, tid, o.n === 1)) return this.badUnlock(tid, o);
        this.lockChanged(obj);
        break;
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
        if (r !== 'ok') this.note(badFree(this.objects, r, tid, o, this.stepIndex));
        return undefined;
      }
      default:
        break;
    }
    if (hbOn) syncOp(this.hb, tid, o, false);
    return result;
  }

  /** Race-check an access of a plainly accessible object (`marked`: READ_ONCE, an atomic, ...). */
  private raceCheck(tid: number, o: Op, marked: boolean): void {
    const isRead = o.kind === OpKind.PlainRead || o.kind === OpKind.Read;
    const prior = isRead
      ? this.races.read(this.hb, tid, o.obj, this.stepIndex, o.label, marked)
      : this.races.write(this.hb, tid, o.obj, this.stepIndex, o.label, marked);
    if (prior) this.note(dataRace(this.objects, tid, o, prior, this.stepIndex));
    // An RMW also reads: a plain write before it races with its load as with its store (checked).
  }

  private badUnlock(tid: number, o: Op): undefined {
    this.note(badUnlock(this.objects, tid, o, this.stepIndex));
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
    this.opLog = [];
    this.opTid = [];
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
      this.opLog.push(th.pending as Op);
      this.opTid.push(tid);
      const last = this.lastThread;
      if (last >= 0 && last !== tid && this.isEnabled(last)) this.preemptions++;
      const o = th.pending as Op;
      const slot = this.stepIndex & (RING - 1);
      this.ringTid[slot] = tid;
      this.ringOp[slot] = o;
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
    const v = this.peeks.check(this.opTid, this.opLog, this.threads.length, (id) => this.objects.label(id), (t) => this.threads[t]?.name ?? `T${t}`);
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
        const last = this.ringOp[(this.stepIndex - 1) & (RING - 1)];
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
