/**
 * The engine-level effect of each op (`perform`): lock ownership, happens-before and the KCSAN race
 * check (the kernel's rules: race.ts, sync.ts), the KASAN lifetime check (under the LKMM the graph
 * decides whether an access can observe the free: lkmm/lifetime.ts), spawn / join, choose, and how
 * violations are recorded (`fail` ends the thread or the execution, `warn` / `note` carry on with
 * keep-going). The state an execution's ops act on lives here; Execution (execution.ts) adds the
 * threads' lifecycle and the step loop on top.
 * Leaves out: the enabled set (enabled.ts, the base class), the wording of violations (findings.ts).
 */
import { HappensBefore } from './clocks.js';
import type { DepTracker } from './deps.js';
import { EnabledSet } from './enabled.js';
import type { ThreadState } from './exec-types.js';
import { badFree, badUnlock, dataRace, useAfterFree } from './findings.js';
import { type LkmmMemory, PASS } from './lkmm/memory.js';
import { ObjectTable } from './objects.js';
import { Mo, type Op, OpKind, type ThreadBody, op } from './ops.js';
import { RaceDetector } from './race.js';
import type { Scheduler, SchedulerView } from './scheduler.js';
import { syncOp } from './sync.js';
import { ViolationLog } from './violation-log.js';
import { type Site, type Violation, ViolationAbort, violation } from './violation.js';

/** Violations that end the execution even with keep-going: the model, not the design, is wrong. */
export function endsRun(v: Violation): boolean {
  return v.kind === 'usage' || v.kind === 'nondeterminism';
}
const FENCES: Op[] = [];
function fenceOp(mo: Mo): Op {
  return (FENCES[mo] ??= op.fence('fence', mo));
}

export abstract class OpEffects extends EnabledSet implements SchedulerView {
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
  protected hbOn = false;
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
  /** What keep-going recorded this execution, and the threads an oops ended (violation-log.ts). */
  protected readonly log = new ViolationLog();
  runStore: Map<unknown, unknown> = new Map();
  /** Sanitizers on? API layers (lockdep, sleep-in-atomic, refcount) read this too. */
  sanitize = true;

  /** Create a thread (initial or spawned) and run it to its first op (execution.ts). */
  abstract addThread(name: string, body: ThreadBody, parent: number): number;
  // The rest of the scheduler's view (execution.ts): perform hands `this` to schedulers and the LKMM.
  abstract get threadCount(): number;
  abstract pending(tid: number): Op | undefined;
  abstract blockOf(obj: number): number;
  abstract observesEveryStep: boolean;
  abstract readonly peekCount: number;
  abstract peekThread(k: number): number;
  abstract peekObject(k: number): number;
  abstract readonly weakMemory: boolean;
  abstract observed(obj: number): boolean;

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
  protected note(v: Violation): void {
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

  protected startClocks(): void {
    this.hbOn = true;
    this.hb.reset();
    this.races.reset();
    for (let t = 0; t < this.threads.length; t++) this.hb.fork(t, -1);
  }

  /** Perform the engine-level effect of op `o` by thread `tid`; returns the op's result. */
  protected perform(tid: number, o: Op, sched: Scheduler, schedule: number[]): unknown {
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
}
