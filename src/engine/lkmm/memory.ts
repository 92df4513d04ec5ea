/**
 * `LkmmMemory`: weak-memory exploration under the Linux-kernel memory model, the one door the step
 * loop opens to it (execution.ts calls `access` when an op is performed, `settle` after the thread
 * ran on, `finish` at the end). Follows GenMC's execution graphs (Kokologiannakis, Raad,
 * Vafeiadis, PLDI 2019) restricted to reads from writes already performed:
 *  - every read (marked or plain) chooses the write it reads from, every write its place in its
 *    location's coherence order, each a value choice of the scheduler (`pickValue`: DFS, DPOR,
 *    random and PCT explore it, tokens replay it, the minimizer shrinks it), the latest write /
 *    last place first (the SC choice). The alternatives are those per-location coherence allows
 *    (the thread's own coherence floor: CoRR, CoWR, CoRW, CoWW; never inside an RMW pair); they
 *    depend only on ops DPOR treats as dependent, so equivalent interleavings offer the same
 *    choices and replay is exact;
 *  - the whole graph is checked against linux-kernel.cat once, when the execution ends
 *    (consistency.ts); an inconsistent one is `blocked`: dropped with whatever it reported (it is
 *    no execution of the program). Checking at the end, not at each choice, keeps the choice sets
 *    independent of unrelated threads' progress (a partial-graph check would make them depend on
 *    it, which breaks DPOR's commutation and the audit);
 *  - the value a read returns is the value of the write it read from: the object's value
 *    (Field.v, AtomicT.counter, RefcountT.refs, through the `MemHost` each registers) is set to it
 *    before the thread resumes, and reset to the coherence-last value after, so wait conditions,
 *    invariants and final checks see memory as coherence order leaves it;
 *  - an RMW reads the write its store then follows immediately in coherence order; a conditional
 *    one (op.rmwCond: cmpxchg, add_unless, inc_not_zero) that left the value unchanged did not
 *    store (the cat's FailedRMW: no ordering);
 *  - spin_lock / spin_unlock / trylock follow lock.cat (LKR+LKW, UL, LF) in the order the engine
 *    hands the lock over; spin_is_locked reads the lock word with a choice like any read (RL/RU);
 *    sleeping locks built on the engine's lock ops (mutex) are modelled the same way;
 *  - rcu_read_lock / rcu_read_unlock / synchronize_rcu are the cat's fence events (the rcu axiom
 *    decides); the engine's grace periods still wait for readers that started before them. A graph
 *    checked before a thread closed its read-side section (an execution halted by a violation, or
 *    the check of a use after free) gets a virtual rcu_read_unlock at the thread's po-end: every
 *    extension closes the section later in po, which only adds constraints, so the check is that of
 *    every execution the prefix can grow into;
 *  - call_rcu / kfree_rcu: the call is a release write of the callback's own location, and the
 *    callback starts with an acquire read of it followed by a synchronize_rcu fence in the thread
 *    that invokes it (a grace period that starts after call_rcu and ends before the callback:
 *    Documentation/RCU/whatisRCU.rst), so the rcu axiom orders the callback after every read-side
 *    section that saw the state before call_rcu;
 *  - rcu_dereference's result used as a pointer is an address dependency: every later access of
 *    the same thread to an object of the heap block the loaded pointer points into depends on the
 *    load (the kernel's `p = rcu_dereference(gp); p->f` idiom; other dependencies are declared);
 *  - lifetimes (lifetime.ts): kfree / vfree is a plain write of the block's lifetime location; an
 *    access the engine finds after the free is a use after free only if the graph allows it to
 *    observe that write; otherwise it precedes the free in the LKMM's order and goes ahead;
 *  - ops on objects without a MemHost (completions, semaphores, wait queues, the engine's own
 *    Atomic/Cell/Mutex) stay sequentially consistent: fully ordered accesses of their location
 *    that read the co-last write (a wait acquires it); thread spawn and join are a release write
 *    read by an acquire (the cat has no such events);
 *  - at the end, the cat's data-race flag gives the data races, reported as KCSAN would.
 * Reports: explain.ts says per read which write it took and why it was allowed.
 * Leaves out: reads from writes not yet performed (load buffering: LB+poonceonces is out of
 * reach), SRCU, the mixed-accesses flag, and dependencies other than rcu_dereference's (a model
 * declares them: src/linux/deps.ts).
 */
import type { DepTracker } from '../deps.js';
import { DepTracker as Deps } from '../deps.js';
import { BLOCK_STATIC, type ObjectTable } from '../objects.js';
import { Mo, type Op, OpKind, RMW_CONDITIONAL } from '../ops.js';
import type { Scheduler, SchedulerView } from '../scheduler.js';
import { UsageError, type Violation, violation } from '../violation.js';
import { type Axiom, checkGraph } from './consistency.js';
import { explainReads } from './explain.js';
import { Ann, EvKind, type Event, Graph } from './graph.js';
import { LIFE_LOC, Lifetimes } from './lifetime.js';
import { VerdictCache } from './verdict-cache.js';
import type { WeakRead } from '../exec-types.js';

/** An object whose value lives in JavaScript (Field, AtomicT, RefcountT): the graph drives it. */
export interface MemHost {
  mmLoad(): unknown;
  mmStore(v: unknown): void;
}

/** `access` returns this when the engine should perform the op as usual. */
export const PASS: unique symbol = Symbol('pass');

/** What the execution lends the memory model. */
export interface MemView extends SchedulerView {
  readonly objects: ObjectTable;
  lockOwner(obj: number): number;
}

const READ_ANN: Readonly<Record<number, number>> = {
  [Mo.Once]: Ann.ONCE, [Mo.Consume]: Ann.ONCE, [Mo.Acquire]: Ann.ACQUIRE, [Mo.Sc]: Ann.MB, [Mo.Mb]: Ann.MB,
  [Mo.Release]: Ann.ONCE, [Mo.Noreturn]: Ann.NORETURN,
};
const WRITE_ANN: Readonly<Record<number, number>> = {
  [Mo.Once]: Ann.ONCE, [Mo.Release]: Ann.RELEASE, [Mo.Sc]: Ann.MB, [Mo.Mb]: Ann.MB, [Mo.Acquire]: Ann.ONCE,
  [Mo.Noreturn]: Ann.ONCE, [Mo.Consume]: Ann.ONCE,
};
const FENCE_ANN: Readonly<Record<number, number>> = {
  [Mo.FenceMb]: Ann.F_MB, [Mo.FenceWmb]: Ann.F_WMB, [Mo.FenceRmb]: Ann.F_RMB, [Mo.Barrier]: Ann.F_BARRIER,
  [Mo.BeforeAtomic]: Ann.F_BEFORE_ATOMIC, [Mo.AfterAtomic]: Ann.F_AFTER_ATOMIC, [Mo.AfterSpinlock]: Ann.F_AFTER_SPINLOCK,
  [Mo.AfterUnlockLock]: Ann.F_AFTER_UNLOCK_LOCK, [Mo.Sc]: Ann.F_MB,
};

/** How many times in a row one read site may take a stale write (eventual visibility). */
const MAX_STALE = 2;
/** The largest graph the end-of-execution check takes (it is cubic in the number of events). */
export const MAX_EVENTS = 1500;

/** Verdicts by graph shape, shared by every execution in the process (a verdict depends on the graph only). */
const VERDICTS = new VerdictCache();

/** Forget every cached verdict (benchmarks measure a cold run with it). */
export function clearLkmmVerdicts(): void {
  VERDICTS.clear();
}

/** Synthetic locations of the thread start / exit and call_rcu hand-offs (beyond any object id). */
const SPAWN_LOC = 0x40000000;
const JOIN_LOC = 0x50000000;
const CALLBACK_LOC = 0x60000000;

/** The heap block a pointer value points into (a kmalloc'd struct, or a member of one), or -1. */
function blockOfPointer(v: unknown, objects: ObjectTable): number {
  if (v === null || typeof v !== 'object') return -1;
  const o = v as Record<string, unknown>;
  let b = -1;
  if (typeof o.kblock === 'number') b = o.kblock;
  else if (typeof o.id === 'number') b = objects.block[o.id] ?? -1;
  else {
    // A member struct (a list_head inside the struct): the block of its first object.
    for (const k of Object.keys(o)) {
      const f = o[k] as { id?: unknown } | null;
      if (f !== null && typeof f === 'object' && typeof f.id === 'number') {
        b = objects.block[f.id] ?? -1;
        break;
      }
    }
  }
  return b >= 0 && objects.state[b] !== BLOCK_STATIC ? b : -1;
}

/** The sentinel violation that stops a blocked execution (never reported). */
const BLOCKED: Violation = violation('usage', 'lkmm: inconsistent execution graph (blocked)', { step: -1 });

export class LkmmMemory {
  readonly g = new Graph();
  readonly deps: DepTracker = new Deps();
  private hosts: (MemHost | undefined)[] = [];
  /** Per thread, per location: the co-latest write it has seen or made (coherence floor). */
  private floors: (Map<number, number> | undefined)[] = [];
  private lockLocs = new Set<number>();
  /** Per lock: the coherence floors its last exclusive holder had when it unlocked (see lockOp). */
  private lockViews = new Map<number, Map<number, number>>();
  /** The value each thread's last lock-word read saw (spin_is_locked). */
  private lockSeen: boolean[] = [];
  private pendingWrite = -1;
  private pendingRmw = -1;
  private pendingValue: unknown = undefined;
  private pendingMo: Mo = Mo.Sc;
  private pendingCond = false;
  /** Locations of objects without a MemHost (SC: every read takes the co-last write). */
  private scLocs = new Set<number>();
  /** Consecutive stale reads per (thread, location, code site): see chooseRf. */
  private staleRuns = new Map<string, number>();
  private pendingLoc = -1;
  /** Per thread: heap block -> the rcu_dereference that loaded a pointer into it (address dependencies). */
  private derived: (Map<number, number> | undefined)[] = [];
  /** Per thread: read-side section nesting as the graph's RCU_LOCK / RCU_UNLOCK events have it. */
  private rcuDepth: number[] = [];
  /** Per thread: the step of its last read that took a write older than the coherence-latest. */
  private staleAt: number[] = [];
  readonly lifetimes = new Lifetimes();
  /** The object table of the execution running (set at each access). */
  private objects: ObjectTable | null = null;
  /** Set when the graph became inconsistent: the execution is blocked (not counted). */
  blocked: Violation | null = null;
  blockedBy: Axiom | 'no-choice' | null = null;

  begin(): void {
    this.g.reset();
    this.hosts = [];
    this.floors = [];
    this.lockLocs.clear();
    this.lockViews.clear();
    this.scLocs.clear();
    this.staleRuns.clear();
    this.lockSeen = [];
    this.derived = [];
    this.rcuDepth = [];
    this.staleAt = [];
    this.lifetimes.reset();
    this.pendingWrite = this.pendingRmw = this.pendingLoc = -1;
    this.blocked = null;
    this.blockedBy = null;
  }

  register(id: number, host: MemHost): void {
    this.hosts[id] = host;
  }

  /** Did thread `tid`'s last spin_is_locked() read a locked lock word? */
  lockedSeen(tid: number): boolean {
    return this.lockSeen[tid] === true;
  }

  /** The step of thread `tid`'s last read that took a write older than the coherence-latest (-1: none). */
  lastStaleRead(tid: number): number {
    return this.staleAt[tid] ?? -1;
  }

  /** The initial write of `loc`, made on first use with the value the object holds then. */
  private init(loc: number, value: unknown): void {
    const c = this.g.coOf(loc);
    if (c.length > 0) return;
    const id = this.g.add({ tid: -1, kind: EvKind.W, ann: Ann.IW, loc, step: -1, label: 'initial value' });
    this.g.ev(id).value = value;
    c.push(id);
  }

  private floorPos(tid: number, loc: number): number {
    const f = this.floors[tid]?.get(loc);
    return f === undefined ? 0 : this.g.coOf(loc).indexOf(f);
  }

  private see(tid: number, loc: number, w: number): void {
    const m = (this.floors[tid] ??= new Map());
    const c = this.g.coOf(loc);
    const cur = m.get(loc);
    if (cur === undefined || c.indexOf(cur) < c.indexOf(w)) m.set(loc, w);
  }

  private event(tid: number, kind: number, ann: number, loc: number, step: number, label: string, withDeps: boolean): number {
    const id = this.g.add({ tid, kind, ann, loc, step, label });
    if (withDeps) {
      const d = this.deps.take(tid);
      const map = (xs: readonly number[]): number[] => xs.map((s) => this.g.stepEvent.get(s) ?? -1).filter((e) => e >= 0);
      const e = this.g.ev(id);
      if (d.addr.length > 0) e.addr = map(d.addr);
      if (d.data.length > 0) e.data = map(d.data);
      if (d.ctrl.length > 0) e.ctrl = map(d.ctrl);
      const via = this.objects !== null ? this.pointerDep(tid, loc, this.objects) : -1;
      if (via >= 0 && !e.addr.includes(via)) e.addr = [...e.addr, via];
    }
    this.g.stepEvent.set(step, id);
    return id;
  }

  /** The rcu_dereference whose loaded pointer reaches `loc`'s block (an address dependency), or -1. */
  private pointerDep(tid: number, loc: number, objects: ObjectTable): number {
    const m = this.derived[tid];
    if (m === undefined || loc < 0 || loc >= LIFE_LOC) return -1;
    return m.get(objects.block[loc] ?? -1) ?? -1;
  }

  /** Read event `r` (an rcu_dereference) loaded `v`: later accesses through it depend on `r`. */
  private loadedPointer(tid: number, r: number, v: unknown, objects: ObjectTable): void {
    const b = blockOfPointer(v, objects);
    if (b >= 0) (this.derived[tid] ??= new Map()).set(b, r);
  }

  private block(why: Axiom | 'no-choice'): void {
    this.blockedBy = why;
    this.blocked = BLOCKED;
  }

  /** Pick among `n` consistent alternatives (the scheduler's value choice, recorded). */
  private pick(n: number, tid: number, sched: Scheduler, view: SchedulerView, schedule: number[]): number {
    if (n === 1) return 0;
    const v = sched.pickValue(n, tid, view);
    const k = v >= 0 && v < n ? v : 0;
    schedule.push(k);
    return k;
  }

  /**
   * Read event `r` chooses its write among `cands` (co-latest first). Eventual visibility: the same
   * read (thread, code site, location) may take a stale write MAX_STALE times in a row; the next
   * time it takes the latest (a polling loop sees the store it waits for, as on every real CPU).
   */
  private chooseRf(r: number, cands: number[], sched: Scheduler, view: SchedulerView, schedule: number[]): number {
    const e = this.g.ev(r);
    if (cands.length === 0) {
      this.block('no-choice');
      return -1;
    }
    const key = `${e.tid}\u0000${e.loc}\u0000${e.label}`;
    const run = this.staleRuns.get(key) ?? 0;
    const w = run >= MAX_STALE ? cands[0] as number : cands[this.pick(cands.length, e.tid, sched, view, schedule)] as number;
    if (w === cands[0]) this.staleRuns.delete(key);
    else {
      this.staleRuns.set(key, run + 1);
      this.staleAt[e.tid] = e.step;
    }
    e.rf = w;
    this.see(e.tid, e.loc, w);
    return w;
  }

  /** Candidate writes for a read of `loc` by `tid`: co-after its floor, latest first. */
  private readCands(tid: number, loc: number, excludeRmwSources: boolean): number[] {
    const c = this.g.coOf(loc);
    const out: number[] = [];
    const sources = excludeRmwSources ? new Set([...this.g.rmw.keys()].map((r) => this.g.ev(r).rf)) : null;
    for (let i = c.length - 1; i >= this.floorPos(tid, loc); i--) {
      const w = c[i] as number;
      if (sources === null || !sources.has(w)) out.push(w);
    }
    return out;
  }

  private readHost(tid: number, o: Op, host: MemHost, ann: number, step: number, sched: Scheduler, view: MemView, schedule: number[]): void {
    this.init(o.obj, host.mmLoad());
    const r = this.event(tid, EvKind.R, ann, o.obj, step, o.label, true);
    const w = this.chooseRf(r, this.readCands(tid, o.obj, false), sched, view, schedule);
    if (w >= 0) {
      const v = this.g.ev(w).value;
      host.mmStore(v);
      this.pendingLoc = o.obj;
      if (o.mo === Mo.Consume) this.loadedPointer(tid, r, v, view.objects);
    }
  }

  private writeHost(tid: number, o: Op, host: MemHost, ann: number, step: number, sched: Scheduler, view: MemView, schedule: number[]): void {
    this.init(o.obj, host.mmLoad());
    const w = this.event(tid, EvKind.W, ann, o.obj, step, o.label, true);
    const c = this.g.coOf(o.obj);
    const rmwW = new Set(this.g.rmw.values());
    const ok: number[] = [];
    for (let p = c.length; p > this.floorPos(tid, o.obj); p--) {
      // Never between an RMW's read source and its store (atomicity).
      if (p < c.length && rmwW.has(c[p] as number)) continue;
      ok.push(p);
    }
    c.splice(ok[this.pick(ok.length, tid, sched, view, schedule)] as number, 0, w);
    this.see(tid, o.obj, w);
    this.pendingWrite = w;
    this.pendingLoc = o.obj;
  }

  private rmwHost(tid: number, o: Op, host: MemHost, step: number, sched: Scheduler, view: MemView, schedule: number[]): void {
    this.init(o.obj, host.mmLoad());
    const mo = o.mo ?? Mo.Sc;
    // Checked as a failed RMW first (no ordering); settle() adds the store when there is one.
    const r = this.event(tid, EvKind.R, (READ_ANN[mo] ?? Ann.ONCE) | Ann.RMW | Ann.FAILED, o.obj, step, o.label, true);
    const w = this.chooseRf(r, this.readCands(tid, o.obj, true), sched, view, schedule);
    if (w < 0) return;
    this.pendingValue = this.g.ev(w).value;
    this.pendingMo = mo;
    this.pendingCond = o.n === RMW_CONDITIONAL;
    host.mmStore(this.pendingValue);
    this.pendingRmw = r;
    this.pendingLoc = o.obj;
  }

  /** A lock-word read (spin_is_locked): RL when it read an LKW, RU otherwise. */
  private lockRead(tid: number, o: Op, step: number, sched: Scheduler, view: SchedulerView, schedule: number[]): void {
    this.init(o.obj, 0);
    const r = this.event(tid, EvKind.R, Ann.RU, o.obj, step, o.label, true);
    const w = this.chooseRf(r, this.readCands(tid, o.obj, false), sched, view, schedule);
    const locked = w >= 0 && (this.g.ev(w).ann & Ann.LKW) !== 0;
    if (locked) this.g.ev(r).ann = Ann.RL;
    this.lockSeen[tid] = locked;
  }

  private lockOp(tid: number, o: Op, step: number, got: boolean): void {
    const loc = o.obj;
    this.lockLocs.add(loc);
    this.init(loc, 0);
    const c = this.g.coOf(loc);
    const last = c[c.length - 1] as number;
    if (o.kind === OpKind.Release) {
      const w = this.event(tid, EvKind.W, Ann.UL, loc, step, o.label, true);
      this.g.ev(w).value = 0;
      c.push(w);
      this.see(tid, loc, w);
      // An exclusive unlock releases what its holder has seen to the next holder (lock.cat: the
      // critical sections of one lock are ordered, the unlock a release the lock's LKR acquires).
      if (o.n !== 1) this.lockViews.set(loc, new Map(this.floors[tid] ?? []));
    } else if (got) {
      const r = this.event(tid, EvKind.R, Ann.LKR, loc, step, o.label, true);
      this.g.ev(r).rf = last;
      const w = this.g.add({ tid, kind: EvKind.W, ann: Ann.LKW, loc, step, label: o.label });
      this.g.ev(w).value = 1;
      c.push(w);
      this.g.rmw.set(r, w);
      this.see(tid, loc, w);
      // Reads in the critical section cannot take writes older than the last holder saw: offering
      // them only makes graphs the end-of-execution check drops (a prune, never a new behaviour).
      const view = o.n !== 1 ? this.lockViews.get(loc) : undefined;
      if (view !== undefined) for (const [l, x] of view) this.see(tid, l, x);
    } else {
      const r = this.event(tid, EvKind.R, Ann.LF, loc, step, o.label, true);
      this.g.ev(r).rf = last;
      this.see(tid, loc, last);
    }
  }

  /**
   * An op on an object without a MemHost (a completion, a wait queue, the engine's own Atomic or
   * Mutex): a fully ordered access of its location that reads the co-last write, as the engine's
   * sequentially consistent semantics has it. `read`/`write` say which events it makes.
   */
  private scAccess(tid: number, o: Op, step: number, read: boolean, write: boolean, readAnn = Ann.MB): void {
    const loc = o.obj;
    this.scLocs.add(loc);
    this.init(loc, undefined);
    const c = this.g.coOf(loc);
    let r = -1;
    if (read) {
      r = this.event(tid, EvKind.R, readAnn | (write ? Ann.RMW : 0), loc, step, o.label, true);
      this.g.ev(r).rf = c[c.length - 1] as number;
    }
    if (write) {
      const w = r >= 0 ? this.g.add({ tid, kind: EvKind.W, ann: Ann.MB | Ann.RMW, loc, step, label: o.label }) : this.event(tid, EvKind.W, Ann.MB, loc, step, o.label, true);
      c.push(w);
      if (r >= 0) this.g.rmw.set(r, w);
    }
  }

  /**
   * Thread creation and join order like a release write read by an acquire (no event of the cat
   * does, so this is the closest kernel idiom: the parent publishes, the child starts after).
   */
  private handOff(from: number, to: number, loc: number, step: number, label: string): void {
    const w = this.g.add({ tid: from, kind: EvKind.W, ann: Ann.RELEASE, loc, step, label });
    this.g.coOf(loc).push(w);
    const r = this.g.add({ tid: to, kind: EvKind.R, ann: Ann.ACQUIRE, loc, step, label });
    this.g.ev(r).rf = w;
  }

  /** A barrier a primitive runs as part of its last op (Execution.fenceAfter). */
  fenceAfter(tid: number, mo: Mo, step: number): void {
    this.fence(tid, FENCE_ANN[mo] ?? Ann.F_MB, step, 'fence');
  }

  private fence(tid: number, ann: number, step: number, label: string): void {
    // Not through event(): a fence is no dependency source, and one a primitive runs after its
    // access (fenceAfter) must leave that step naming the access.
    this.g.add({ tid, kind: EvKind.F, ann, loc: -1, step, label });
  }

  /** A satisfied wait's acquire read of `loc`: it takes the co-last write (what the condition saw). */
  private waitRead(tid: number, loc: number, step: number, label: string): void {
    this.init(loc, (this.hosts[loc] as MemHost).mmLoad());
    const r = this.event(tid, EvKind.R, Ann.ACQUIRE, loc, step, label, false);
    const w = this.g.last(loc);
    this.g.ev(r).rf = w;
    this.see(tid, loc, w);
  }

  private rcuUnlock(tid: number, step: number, label: string): void {
    this.fence(tid, Ann.RCU_UNLOCK, step, label);
    if ((this.rcuDepth[tid] ?? 0) > 0) this.rcuDepth[tid] = (this.rcuDepth[tid] ?? 0) - 1;
  }

  /** call_rcu(): a release write of the callback's hand-off location (`o.n`: the callback's serial). */
  private callRcu(tid: number, o: Op, step: number): void {
    const loc = CALLBACK_LOC + (o.n ?? 0);
    const w = this.event(tid, EvKind.W, Ann.RELEASE, loc, step, o.label, true);
    this.g.coOf(loc).push(w);
  }

  /** A callback starts: it acquires what its call_rcu released, then a grace period elapses (a synchronize_rcu fence). */
  private rcuCallback(tid: number, o: Op, step: number): void {
    const loc = CALLBACK_LOC + (o.n ?? 0);
    const w = this.g.coOf(loc)[0];
    if (w === undefined) throw new UsageError(`an RCU callback at '${o.label}' was invoked without its call_rcu() (callback ${o.n ?? 0})`);
    const r = this.event(tid, EvKind.R, Ann.ACQUIRE, loc, step, o.label, false);
    this.g.ev(r).rf = w;
    this.fence(tid, Ann.SYNC_RCU, step, o.label);
  }

  /** Run `f` on the graph with every open read-side section closed at its thread's po-end (virtual unlocks). */
  private closedSections<T>(f: () => T): T {
    let pushed = 0;
    for (let t = 0; t < this.rcuDepth.length; t++) {
      for (let d = this.rcuDepth[t] ?? 0; d > 0; d--, pushed++) {
        this.g.add({ tid: t, kind: EvKind.F, ann: Ann.RCU_UNLOCK, loc: -1, step: -1, label: 'rcu_read_unlock (the section ends later)' });
      }
    }
    try {
      return f();
    } finally {
      for (; pushed > 0; pushed--) this.g.pop();
    }
  }

  /**
   * Thread `tid` is about to access an object of heap block `block`, which the engine freed earlier
   * in this interleaving (lifetime.ts). 'uaf': the graph lets the access observe the free (report
   * it); 'before': it cannot, so it read the memory before the free (the lifetime read is kept and
   * the access goes ahead); 'blocked': the graph is inconsistent already (the execution is dropped).
   */
  accessAfterFree(tid: number, block: number, step: number, label: string): 'uaf' | 'before' | 'blocked' {
    const f = this.lifetimes.freeOf(block);
    if (f < 0) return 'uaf';
    const d = this.deps.peek(tid);
    const map = (xs: readonly number[]): number[] => xs.map((s) => this.g.stepEvent.get(s) ?? -1).filter((e) => e >= 0);
    const via = this.derived[tid]?.get(block) ?? -1;
    const addr = via >= 0 ? [...map(d.addr), via] : map(d.addr);
    const ctrl = map(d.ctrl);
    this.checkSize();
    const prefix = this.closedSections(() => this.verdict().failed);
    if (prefix !== null) {
      this.block(prefix);
      return 'blocked';
    }
    // The read stays in the graph either way: the execution goes on with what it observed.
    const r = this.lifetimes.read(this.g, tid, block, step, label, f, addr, ctrl);
    if (this.closedSections(() => this.verdict().failed) === null) return 'uaf';
    this.g.ev(r).rf = this.lifetimes.beforeFree(this.g, block);
    return 'before';
  }

  /**
   * A question for ghost checks, changing nothing: could thread `tid`'s next access to heap block
   * `block` (freed earlier in the engine's interleaving) observe the free? False when the graph
   * orders the thread's accesses before it (e.g. an RCU reader whose section precedes the grace
   * period the freeing thread waited for) or when the graph is inconsistent already.
   */
  mayObserveFree(tid: number, block: number): boolean {
    const f = this.lifetimes.freeOf(block);
    if (f < 0) return true;
    this.checkSize();
    const via = this.derived[tid]?.get(block) ?? -1;
    const ctrl = this.deps.peek(tid).ctrl.map((x) => this.g.stepEvent.get(x) ?? -1).filter((e) => e >= 0);
    this.lifetimes.read(this.g, tid, block, -1, 'the next access (ghost check)', f, via >= 0 ? [via] : [], ctrl);
    try {
      return this.closedSections(() => this.verdict().failed) === null;
    } finally {
      this.g.pop();
    }
  }

  /**
   * Thread `tid` performs op `o` at step `step`: record its events and make its choices. Returns
   * PASS when the engine should also perform the op as usual (locks, waits, SC objects).
   */
  access(tid: number, o: Op, step: number, sched: Scheduler, view: MemView, schedule: number[]): unknown {
    const mo = o.mo ?? Mo.Sc;
    this.objects = view.objects;
    const host = o.obj >= 0 ? this.hosts[o.obj] : undefined;
    switch (o.kind) {
      case OpKind.Read:
        if (host !== undefined) return this.readHost(tid, o, host, READ_ANN[mo] ?? Ann.ONCE, step, sched, view, schedule);
        if (this.lockLocs.has(o.obj) || /lock|mutex|sem/.test(view.objects.kind[o.obj] ?? '')) return this.lockRead(tid, o, step, sched, view, schedule);
        this.scAccess(tid, o, step, true, false);
        return PASS;
      case OpKind.PlainRead:
        if (host === undefined) return PASS;
        return this.readHost(tid, o, host, mo === Mo.DataRace ? Ann.DATA_RACE : 0, step, sched, view, schedule);
      case OpKind.Write:
        if (host !== undefined) return this.writeHost(tid, o, host, WRITE_ANN[mo] ?? Ann.ONCE, step, sched, view, schedule);
        if (mo === Mo.RcuUnlock) this.rcuUnlock(tid, step, o.label);
        else if (mo === Mo.GpStart) this.fence(tid, Ann.SYNC_RCU, step, o.label);
        else if (mo === Mo.CallRcu) this.callRcu(tid, o, step);
        else if (mo === Mo.RcuCallback) this.rcuCallback(tid, o, step);
        else if (o.obj >= 0) this.scAccess(tid, o, step, false, true);
        else this.fence(tid, Ann.F_MB, step, o.label);
        return PASS;
      case OpKind.PlainWrite:
        if (host === undefined) return PASS;
        return this.writeHost(tid, o, host, mo === Mo.DataRace ? Ann.DATA_RACE : 0, step, sched, view, schedule);
      case OpKind.Rmw:
        if (host !== undefined) return this.rmwHost(tid, o, host, step, sched, view, schedule);
        if (o.obj >= 0) this.scAccess(tid, o, step, true, true);
        else this.fence(tid, Ann.F_MB, step, o.label);
        return PASS;
      case OpKind.Fence:
        this.fence(tid, FENCE_ANN[mo] ?? Ann.F_MB, step, o.label);
        return undefined;
      case OpKind.Acquire: case OpKind.Release:
        this.lockOp(tid, o, step, true);
        return PASS;
      case OpKind.TryAcquire:
        this.lockOp(tid, o, step, view.lockOwner(o.obj) < 0);
        return PASS;
      case OpKind.Wait:
        // The RCU events are the cat's fences; any other wait acquires what its object's last write published.
        if (mo === Mo.RcuLock) {
          this.fence(tid, Ann.RCU_LOCK, step, o.label);
          this.rcuDepth[tid] = (this.rcuDepth[tid] ?? 0) + 1;
        }
        else if (mo === Mo.GpEnd) return PASS;
        else if (o.obj >= 0 && this.hosts[o.obj] === undefined && !this.lockLocs.has(o.obj)) this.scAccess(tid, o, step, true, false, Ann.ACQUIRE);
        else {
          // A wait on memory the graph drives: its condition held on the co-last values, which it acquires.
          this.fence(tid, Ann.F_MB, step, o.label);
          if (o.obj >= 0 && this.hosts[o.obj] !== undefined) this.waitRead(tid, o.obj, step, o.label);
          for (const x of o.reads ?? []) if (x !== o.obj && this.hosts[x] !== undefined) this.waitRead(tid, x, step, o.label);
        }
        return PASS;
      case OpKind.Free:
        if (o.obj >= 0) this.lifetimes.freed(this.g, tid, o.obj, step, o.label);
        return PASS;
      case OpKind.Spawn: {
        const child = view.threadCount;
        const f = this.floors[tid];
        if (f !== undefined) this.floors[child] = new Map(f);
        this.handOff(tid, child, SPAWN_LOC + child, step, o.label);
        return PASS;
      }
      case OpKind.Join: {
        const target = o.n ?? -1;
        const f = this.floors[target];
        if (f !== undefined) for (const [loc, w] of f) this.see(tid, loc, w);
        if (target >= 0) this.handOff(target, tid, JOIN_LOC + target, step, o.label);
        return PASS;
      }
      default:
        return PASS;
    }
  }

  /** After the thread ran on: record what it stored, and leave each object at its co-last value. */
  settle(): void {
    const loc = this.pendingLoc;
    if (loc < 0) return;
    this.pendingLoc = -1;
    const host = this.hosts[loc] as MemHost;
    if (this.pendingWrite >= 0) {
      this.g.ev(this.pendingWrite).value = host.mmLoad();
      this.pendingWrite = -1;
    } else if (this.pendingRmw >= 0) {
      const r = this.pendingRmw;
      this.pendingRmw = -1;
      const v = host.mmLoad();
      // An unconditional RMW always stores; a conditional one (cmpxchg) stored if the value changed.
      if (!this.pendingCond || v !== this.pendingValue) this.stored(r, v);
    }
    const c = this.g.coOf(loc);
    host.mmStore(this.g.ev(c[c.length - 1] as number).value);
  }

  /** RMW read `r` stored `v`: its write goes right after the write it read in coherence order. */
  private stored(r: number, v: unknown): void {
    const e = this.g.ev(r);
    e.ann &= ~Ann.FAILED;
    const w = this.g.add({ tid: e.tid, kind: EvKind.W, ann: (WRITE_ANN[this.pendingMo] ?? Ann.ONCE) | Ann.RMW, loc: e.loc, step: e.step, label: e.label });
    this.g.ev(w).value = v;
    const c = this.g.coOf(e.loc);
    c.splice(c.indexOf(e.rf) + 1, 0, w);
    this.g.rmw.set(r, w);
    this.see(e.tid, e.loc, w);
  }

  /** Per read, the write it read from, and for a stale read the ordering that was missing (reports: explain.ts). */
  explain(objects: ObjectTable): WeakRead[] {
    return explainReads(this.g, objects, (loc) => loc >= SPAWN_LOC || this.scLocs.has(loc) || this.lockLocs.has(loc));
  }

  /** The cat's verdict on the finished graph, from the cache when an equal graph was checked. */
  private verdict(): { failed: Axiom | null; races: readonly (readonly [number, number])[] } {
    const { key, names } = VerdictCache.key(this.g);
    const hit = VERDICTS.get(key);
    if (hit !== undefined) {
      const id = new Map(names.map((nm, i) => [nm, i]));
      const races = hit.races.map(([a, b]) => [id.get(a) ?? -1, id.get(b) ?? -1] as const).filter(([a, b]) => a >= 0 && b >= 0);
      return { failed: hit.failed, races };
    }
    const v = checkGraph(this.g, true);
    VERDICTS.set(key, v.failed, v.races, names);
    return v;
  }

  private checkSize(): void {
    if (this.g.events.length > MAX_EVENTS) {
      throw new UsageError(`an execution made ${this.g.events.length} memory events; the LKMM check takes at most ${MAX_EVENTS} per execution: bound the model's loops or scenario size, or use --memory-model sc`);
    }
  }

  /** The end of the execution: the data races of the final graph (as KCSAN would word them). */
  finish(objects: ObjectTable): Violation[] {
    this.settle();
    if (this.blocked !== null) return [];
    this.checkSize();
    // A halted execution's open read-side sections end later in every extension of it.
    const v = this.closedSections(() => this.verdict());
    if (v.failed !== null) {
      this.block(v.failed);
      return [];
    }
    const out: Violation[] = [];
    for (const [a, b] of v.races) {
      const x = this.g.ev(a);
      const y = this.g.ev(b);
      if (x.tid < 0 || y.tid < 0) continue;
      const what = (e: Event): string => `${(e.kind & EvKind.W) !== 0 ? 'write' : 'read'}${(e.ann & ~Ann.DATA_RACE) === 0 ? ' (plain)' : ''}`;
      out.push(violation('data-race',
        `${what(y)} of ${objects.label(y.loc)} by T${y.tid} races with the ${what(x)} by T${x.tid} under the LKMM: nothing orders them (the cat's data-race flag)`, {
          title: `BUG: KCSAN: data-race in ${x.label} / ${y.label}`,
          threads: [y.tid, x.tid],
          sites: [{ thread: x.tid, step: x.step, label: x.label }, { thread: y.tid, step: y.step, label: y.label }],
          step: y.step, object: objects.ref(y.loc),
        }));
    }
    return out;
  }
}
