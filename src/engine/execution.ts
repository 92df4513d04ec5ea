/**
 * One execution: run a model's threads from `setup()` to the end under one Scheduler, performing
 * the engine-level effect of each op (lock ownership, happens-before, KCSAN race check, KASAN
 * lifetime check, spawn/join, choose) and stopping at the first violation.
 *
 * This is the hot path (DESIGN.md §2: ~40 M bare generator resumes/s on this machine), so the loop
 * allocates nothing per step apart from the schedule entry, and optional work (op trace, coverage
 * fingerprint, invariants) is skipped when not asked for.
 * Leaves out: the loop over many executions (explore.ts), and deadlock / livelock analysis
 * (stuck.ts).
 */
import { HappensBefore } from './clocks.js';
import { fnvMix } from './hash.js';
import type { AnyModel, Json } from './model.js';
import { ObjectTable } from './objects.js';
import { type Op, OpKind, type ThreadBody, type ThreadGen, accessOf, Access, describeOp } from './ops.js';
import { RaceDetector } from './race.js';
import type { Scheduler, SchedulerView } from './scheduler.js';
import { deadlockViolation, livelockViolation } from './stuck.js';
import { type Site, type Violation, ViolationAbort, UsageError, violation } from './violation.js';

export const MAX_THREADS = 64;
const RING = 64;

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
}

export interface ExecResult {
  readonly violation: Violation | null;
  readonly steps: number;
  readonly schedule: number[];
  readonly preemptions: number;
  /** Thread of each step and the op it ran, when `trace` was asked for. */
  readonly traceThreads: number[];
  readonly traceOps: Op[];
  readonly fingerprint: number;
  readonly facts?: Record<string, string | number | boolean>;
}

let slotCount = 0;
/** Reserve a per-thread storage slot (API layers call this once at module load). */
export function allocThreadSlot(): number {
  return slotCount++;
}

export class Execution implements SchedulerView {
  /** The execution whose thread code is running (models are single-threaded JS). */
  static current: Execution | null = null;

  readonly objects = new ObjectTable();
  readonly hb = new HappensBefore();
  readonly races = new RaceDetector();
  readonly threads: ThreadState[] = [];
  readonly enabled = new Int32Array(MAX_THREADS);
  enabledCount = 0;
  /** enabledAt[t] === enabledEpoch  <=>  thread t is enabled at the current step. */
  private readonly enabledAt = new Int32Array(MAX_THREADS);
  private enabledEpoch = 0;
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
  private owner: number[] = [];
  private readers: number[] = [];
  private readonly ringTid = new Int32Array(RING);
  private readonly ringOp: (Op | undefined)[] = new Array<Op | undefined>(RING);

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

  isEnabled(tid: number): boolean {
    return tid >= 0 && tid < MAX_THREADS && this.enabledAt[tid] === this.enabledEpoch;
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
    return this.owner[obj] ?? -1;
  }

  lockReaders(obj: number): number {
    return this.readers[obj] ?? 0;
  }

  /** Create a thread (initial or spawned) and run it to its first op. */
  addThread(name: string, body: ThreadBody, parent: number): number {
    const id = this.threads.length;
    if (id >= MAX_THREADS) {
      throw new UsageError(`a model may create at most ${MAX_THREADS} threads`);
    }
    const th: ThreadState = { id, name, gen: undefined as unknown as ThreadGen, pending: undefined, done: false, result: undefined, slots: [] };
    this.threads.push(th);
    if (this.hbOn) this.hb.fork(id, parent);
    const prev = this.running;
    this.running = id;
    try {
      th.gen = body();
      this.advance(th, undefined);
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
      } else {
        const o = r.value as Op | undefined;
        if (o === null || typeof o !== 'object' || typeof o.kind !== 'number') {
          throw new UsageError(`thread ${th.name} yielded ${String(o)}; yield op descriptors (use yield* on API helpers)`);
        }
        th.pending = o;
      }
    } catch (e) {
      th.done = true;
      th.pending = undefined;
      if (e instanceof ViolationAbort) return;
      if (!this.violation) {
        const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
        this.violation = violation(e instanceof UsageError ? 'usage' : 'exception',
          `T${th.id} (${th.name}) threw: ${msg}`, { threads: [th.id], step: this.stepIndex - 1 });
      }
    }
  }

  private opEnabled(o: Op): boolean {
    switch (o.kind) {
      case OpKind.Acquire:
        return (this.owner[o.obj] ?? -1) < 0 && (o.n === 1 || (this.readers[o.obj] ?? 0) === 0);
      case OpKind.Wait:
        return (o.until as () => boolean)();
      case OpKind.Join:
        return this.threads[o.n ?? -1]?.done ?? true;
      default:
        return true;
    }
  }

  private computeEnabled(): void {
    let n = 0;
    const ts = this.threads;
    const epoch = ++this.enabledEpoch;
    for (let t = 0; t < ts.length; t++) {
      const o = (ts[t] as ThreadState).pending;
      if (o === undefined) continue;
      const k = o.kind;
      // Only acquire, wait and join can block; everything else is enabled.
      if ((k !== OpKind.Acquire && k !== OpKind.Wait && k !== OpKind.Join) || this.opEnabled(o)) {
        this.enabled[n++] = t;
        this.enabledAt[t] = epoch;
      }
    }
    this.enabledCount = n;
  }

  private startClocks(): void {
    this.hbOn = true;
    this.hb.reset();
    for (let t = 0; t < this.threads.length; t++) this.hb.fork(t, -1);
  }

  private uaf(tid: number, o: Op): void {
    const ref = this.objects.ref(o.obj);
    this.violation = violation('use-after-free',
      `T${tid} accessed ${ref.name} (${ref.kind}) after it was freed`, {
        title: `BUG: KASAN: use-after-free in ${o.label.split(':')[0] ?? o.label}`,
        threads: ref.freed ? [tid, ref.freed.thread] : [tid],
        sites: [{ thread: tid, step: this.stepIndex, label: o.label }, ...(ref.freed ? [ref.freed] : [])],
        step: this.stepIndex, object: ref,
      });
  }

  /** Perform the engine-level effect of op `o` by thread `tid`; returns the op's result. */
  private perform(tid: number, o: Op, sched: Scheduler, schedule: number[]): unknown {
    const obj = o.obj;
    const san = this.sanitize;
    if (san && obj >= 0 && this.objects.freedCount > 0 && o.kind !== OpKind.Free && this.objects.isFreed(obj)) {
      this.uaf(tid, o);
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
        if (prior) {
          const name = this.objects.label(obj);
          const what = o.kind === OpKind.PlainWrite ? 'write' : 'read';
          this.violation = violation('data-race',
            `plain ${what} of ${name} by T${tid} races with the ${prior.write ? 'write' : 'read'} by T${prior.thread}: no lock, atomic or RCU orders them`, {
              title: `BUG: KCSAN: data-race in ${prior.label.split(':')[0]} / ${o.label.split(':')[0]}`,
              threads: [tid, prior.thread],
              sites: [{ thread: prior.thread, step: prior.step, label: prior.label }, { thread: tid, step: this.stepIndex, label: o.label }],
              step: this.stepIndex, object: this.objects.ref(obj),
            });
        }
        return undefined;
      }
      case OpKind.Acquire:
        if (o.n === 1) this.readers[obj] = (this.readers[obj] ?? 0) + 1;
        else this.owner[obj] = tid;
        if (hbOn) this.hb.acquire(tid, obj);
        return undefined;
      case OpKind.TryAcquire: {
        const free = (this.owner[obj] ?? -1) < 0 && (this.readers[obj] ?? 0) === 0;
        if (free) this.owner[obj] = tid;
        if (hbOn) this.hb.acqRel(tid, obj);
        return free;
      }
      case OpKind.Release:
        if (o.n === 1) {
          if ((this.readers[obj] ?? 0) <= 0) return this.badUnlock(tid, o);
          this.readers[obj] = (this.readers[obj] ?? 0) - 1;
        } else {
          if (this.owner[obj] !== tid) return this.badUnlock(tid, o);
          this.owner[obj] = -1;
        }
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
        if (r !== 'ok') {
          const ref = this.objects.ref(obj);
          this.violation = violation(r === 'double' ? 'double-free' : 'invalid-free',
            r === 'double' ? `T${tid} freed ${ref.name} (${ref.kind}) a second time` : `T${tid} freed ${ref.name}, which is not a live heap allocation`, {
              title: `BUG: KASAN: ${r === 'double' ? 'double-free' : 'invalid-free'} in ${o.label.split(':')[0]}`,
              threads: ref.freed ? [tid, ref.freed.thread] : [tid],
              sites: [{ thread: tid, step: this.stepIndex, label: o.label }, ...(ref.freed ? [ref.freed] : [])],
              step: this.stepIndex, object: ref,
            });
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private badUnlock(tid: number, o: Op): undefined {
    this.violation = violation('lock-misuse', `T${tid} released ${this.objects.label(o.obj)} which it does not hold`, {
      threads: [tid], sites: [{ thread: tid, step: this.stepIndex, label: o.label }], step: this.stepIndex,
    });
    return undefined;
  }

  /** Run one execution of `model` under `sched`. `sched.beginExecution()` was already called. */
  run(model: AnyModel, sched: Scheduler, opts: ExecOptions): ExecResult {
    this.objects.reset();
    this.hb.reset();
    this.races.reset();
    this.threads.length = 0;
    this.owner = [];
    this.readers = [];
    this.stepIndex = 0;
    this.lastThread = -1;
    this.running = -1;
    this.violation = null;
    this.enabledCount = 0;
    this.enabledAt.fill(0);
    this.enabledEpoch = 0;
    this.hbOn = false;
    this.runStore = opts.runStore ?? new Map();
    this.sanitize = opts.sanitize !== false;
    const schedule: number[] = [];
    const traceThreads: number[] = [];
    const traceOps: Op[] = [];
    const wantTrace = opts.trace === true;
    const wantFp = opts.fingerprint === true;
    const lastOnObj: number[] = [];
    let fp = 0x811c9dc5;
    let preemptions = 0;
    const maxSteps = opts.maxSteps ?? model.maxSteps ?? 20_000;
    const invariants = model.invariants && model.invariants.length > 0 ? model.invariants : null;
    // Which objects per-step invariants read (docs/soundness.md): all, a named set, or none.
    const obs = invariants ? invariants.map((c) => c.observes) : [];
    this.observeAll = obs.some((o) => o === undefined);
    const prefixes: string[] = [];
    for (const o of obs) if (Array.isArray(o)) prefixes.push(...(o as readonly string[]));
    this.objects.observePrefixes = this.observeAll ? [] : prefixes;
    this.observesEveryStep = this.observeAll || prefixes.length > 0;
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
        if (!(e instanceof ViolationAbort) && !this.violation) {
          const msg = e instanceof Error ? e.message : String(e);
          this.violation = violation(e instanceof UsageError ? 'usage' : 'exception', `setup of ${model.name} threw: ${msg}`, { step: -1 });
        }
      }
      while (!this.violation) {
        this.computeEnabled();
        const n = this.enabledCount;
        if (n === 0) {
          if (this.threads.some((t) => !t.done)) this.violation = deadlockViolation(this);
          break;
        }
        if (this.stepIndex >= maxSteps) {
          this.violation = livelockViolation(this, this.ringTid, this.ringOp, RING, maxSteps);
          break;
        }
        const tid = sched.pickThread(this);
        const th = this.threads[tid];
        if (th === undefined || !this.isEnabled(tid)) {
          this.violation = violation('nondeterminism',
            `step ${this.stepIndex}: the schedule picks T${tid}, which is not enabled here (enabled: ${Array.from(this.enabled.subarray(0, n)).map((t) => `T${t}`).join(' ')}); the model is nondeterministic or changed since the schedule was recorded`,
            { step: this.stepIndex, threads: th ? [tid] : [] });
          break;
        }
        schedule.push(tid);
        const last = this.lastThread;
        if (last >= 0 && last !== tid && this.isEnabled(last)) preemptions++;
        const o = th.pending as Op;
        const slot = this.stepIndex & (RING - 1);
        this.ringTid[slot] = tid;
        this.ringOp[slot] = o;
        if (wantTrace) {
          traceThreads.push(tid);
          traceOps.push(o);
        }
        if (wantFp && o.obj >= 0 && accessOf(o.kind) !== Access.None) {
          if (lastOnObj[o.obj] !== tid) {
            fp = fnvMix(fp, o.obj * MAX_THREADS + tid);
            lastOnObj[o.obj] = tid;
          }
        }
        this.running = tid;
        const result = this.perform(tid, o, sched, schedule);
        this.stepIndex++;
        this.lastThread = tid;
        if (this.violation) break;
        if (sched.afterStep) sched.afterStep(tid, o, this);
        this.advance(th, result);
        this.running = -1;
        if (this.violation) break;
        if (invariants) this.checkAll(invariants, state, 'invariant');
      }
      if (!this.violation && model.final) this.checkAll(model.final, state, 'invariant');
      if (!this.violation && model.leakCheck !== false && this.objects.liveHeap > 0) this.leak();
    } finally {
      Execution.current = saved;
    }
    let facts: Record<string, string | number | boolean> | undefined;
    if (this.violation && model.inspect && state !== undefined) {
      try { facts = model.inspect(state); } catch { /* a broken inspect must not hide the finding */ }
    }
    return {
      violation: this.violation, steps: this.stepIndex, schedule, preemptions, traceThreads, traceOps,
      fingerprint: fp >>> 0, ...(facts ? { facts } : {}),
    };
  }

  private checkAll(checks: readonly { name: string; check: (s: never) => unknown }[], state: unknown, kind: 'invariant'): void {
    for (const c of checks) {
      let r: unknown;
      try {
        r = (c.check as (s: unknown) => unknown)(state);
      } catch (e) {
        if (e instanceof ViolationAbort) return;
        r = `check threw: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (r === false || typeof r === 'string') {
        const who = this.lastThread;
        this.violation = violation(kind, typeof r === 'string' ? `${c.name}: ${r}` : `invariant '${c.name}' does not hold`, {
          threads: who >= 0 ? [who] : [],
          sites: who >= 0 ? [{ thread: who, step: this.stepIndex - 1, label: this.ringOp[(this.stepIndex - 1) & (RING - 1)]?.label ?? '' }] : [],
          step: this.stepIndex - 1,
          title: `WARNING: invariant '${c.name}' violated`,
        });
        return;
      }
    }
  }

  private leak(): void {
    const ids = this.objects.leaked();
    const first = ids[0] as number;
    const ref = this.objects.ref(first);
    const names = ids.slice(0, 4).map((b) => `${this.objects.kind[b]} ${this.objects.name[b]}`).join(', ');
    this.violation = violation('leak', `${ids.length} heap object(s) never freed when every thread finished: ${names}${ids.length > 4 ? ', ...' : ''}`, {
      threads: ref.allocated ? [ref.allocated.thread] : [], sites: ref.allocated ? [ref.allocated] : [], step: -1, object: ref,
      title: `unreferenced object ${ref.kind} ${ref.name} (kmemleak)`,
    });
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
