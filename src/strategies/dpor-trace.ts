/**
 * The happens-before trace DPOR builds of one execution, event by event, from the scheduler's
 * `afterStep(tid, op)` observations: each event's vector clock, op and choose value, and the races
 * it closes.
 *
 * Follows Abdulla, Aronis, Jonsson & Sagonas, "Optimal dynamic partial order reduction" (POPL
 * 2014), §3–4: happens-before is the transitive closure of program order and of the order of
 * dependent events (same object, not both reads: `accessOf`), plus spawn and join edges. Two events
 * e < e' of different threads race (e ⋖ e') when they are dependent and e happens before e' only
 * directly, not through a third event. Per object we keep the last write and the reads since it,
 * which are the only events a new event can race with. For locks we follow Nidhugg: an Acquire is
 * race-checked against the previous Acquire/TryAcquire of the lock, skipping the Release between
 * them (release → acquire cannot be reversed; reversing the acquires can), using only the acquiring
 * thread's own past; a shared (reader) acquire also races with a reader's release before it, and
 * an acquire with the reads of the lock word (spin_is_locked) since the lock's last write.
 * Each race is reported as the pair (e, e'); the scheduler builds the reversing sequence
 * v = notdep(e).e' from the clocks kept here (notdep.ts). Where hb is over-approximated (the lock
 * case), v is smaller and its initials fewer than the true ones, which keeps the choice sound. A
 * Wait (blocking until a condition on its object holds) races with every earlier write of the
 * object outside its past, since any of them may have enabled or disabled it. An access to a field
 * of a heap block also reads the block (so a free is ordered against it), and when the model checks
 * invariants after every step, every state change also writes one model-wide object (so none of
 * them commute).
 * With lock-aware folding an event can be a whole critical section: its footprint is `parts[i]`
 * (`ev`), and section-trace.ts places such events.
 * Leaves out: read-read commutation of shared lock acquires (treated as dependent: sound, a little
 * redundant).
 */
import { type Op, OpKind, Access, accessOf } from '../engine/ops.js';
import type { Ev, Section } from './section.js';

/** Receives each race found: the earlier event and the later one (event indices). */
export type RaceSink = (early: number, late: number) => void;

export class DporTrace {
  /** Vector clock width (threads); grows on demand. */
  private w = 4;
  private clocks = new Int32Array(4 * 64);
  thread = new Int32Array(64);
  local = new Int32Array(64);
  /** Each event's op (a probe's too, at index `length`, until the next event overwrites it). */
  readonly ops: (Op | undefined)[] = [];
  /** Each event that is a critical section (section.ts): its footprint; undefined for one op. */
  readonly parts: (Section | undefined)[] = [];
  /** Each event's choose value (-1 for other ops, and for a probed choose that never ran). */
  value = new Int32Array(64);
  /** 1 for shared-mode (reader) lock acquires and releases. */
  private shared = new Uint8Array(64);
  length = 0;
  /** Last event of each thread, -1 before its first. */
  private last: number[] = [];
  /** Spawn event of each spawned thread (its first event's program-order predecessor). */
  private spawnedBy: number[] = [];
  protected lastWrite: number[] = [];
  protected reads: (number[] | undefined)[] = [];
  protected lastTaker: number[] = [];
  /** The execution's object-to-block map and whether the model has per-step invariants. */
  blockOf: (obj: number) => number = (obj) => obj;
  everyStep = false;
  /** Is the object read by a per-step invariant (only those writes conflict for it)? */
  observed: (obj: number) => boolean = () => true;
  /** Every write of each object this execution, for Wait ops (see `touch`). */
  private writes: (number[] | undefined)[] = [];
  /** Waits whose condition may read anything (no `reads`): dependent with every other op. */
  private anyWaits: number[] = [];
  private base = new Int32Array(4);
  /** Race candidates of the event being placed: found[0 .. nFound). */
  protected found = new Int32Array(16);
  protected nFound = 0;

  reset(): void {
    // Refill instead of truncating: the arrays keep their backing stores across executions.
    this.length = 0;
    this.last.fill(-1);
    this.spawnedBy.fill(-1);
    this.lastWrite.fill(-1);
    this.lastTaker.fill(-1);
    // Truncate only non-empty lists: setting an array's length is a runtime call.
    for (const r of this.reads) if (r !== undefined && r.length !== 0) r.length = 0;
    for (const r of this.writes) if (r !== undefined && r.length !== 0) r.length = 0;
    if (this.anyWaits.length !== 0) this.anyWaits.length = 0;
    if (this.parts.length !== 0) this.parts.length = 0;
  }

  /** Event `i` as dependence sees it: its section, or its op. */
  ev(i: number): Ev {
    // Plain DPOR never has sections: skip the second array's (out-of-bounds) read.
    return this.parts.length === 0 ? (this.ops[i] as Op) : (this.parts[i] ?? (this.ops[i] as Op));
  }

  /** While a section's acquire is placed: leave its lock untouched (section-trace.ts). */
  protected deferLock = false;

  /** Vector clock width: at least the number of threads seen so far. */
  get width(): number {
    return this.w;
  }

  /** Clock entry `t` of event `e`. */
  at(e: number, t: number): number {
    return this.clocks[e * this.w + t] as number;
  }

  /** Does event `a` happen before event `b` (or equal it)? */
  hb(a: number, b: number): boolean {
    return this.at(b, this.thread[a] as number) >= (this.local[a] as number);
  }

  private widen(threads: number): void {
    let w = this.w;
    while (w < threads) w *= 2;
    if (w === this.w) return;
    const next = new Int32Array(Math.max(w * this.thread.length, 1));
    for (let e = 0; e < this.length; e++) next.set(this.clocks.subarray(e * this.w, e * this.w + this.w), e * w);
    this.clocks = next;
    this.w = w;
    this.base = new Int32Array(w);
  }

  private grow(): void {
    const n = this.thread.length * 2;
    const t = new Int32Array(n);
    t.set(this.thread);
    this.thread = t;
    const l = new Int32Array(n);
    l.set(this.local);
    this.local = l;
    const val = new Int32Array(n);
    val.set(this.value);
    this.value = val;
    const sh = new Uint8Array(n);
    sh.set(this.shared);
    this.shared = sh;
    const c = new Int32Array(n * this.w);
    c.set(this.clocks);
    this.clocks = c;
  }

  protected joinFrom(dst: number, src: number): void {
    const w = this.w;
    const c = this.clocks;
    const d = dst * w;
    const s = src * w;
    for (let k = 0; k < w; k++) {
      const v = c[s + k] as number;
      if (v > (c[d + k] as number)) c[d + k] = v;
    }
  }

  /**
   * Append event (tid, op); `threads` is the thread count after it ran (a spawn adds one), `value`
   * the value a choose picked. Calls `sink` for every race the event closes when `analyze` is
   * true. Returns the event index.
   */
  add(tid: number, o: Op, threads: number, analyze: boolean, sink: RaceSink, value = -1): number {
    const i = this.place(tid, o, threads, analyze, true, -1);
    this.value[i] = value;
    this.length = i + 1;
    for (let k = 0; k < this.nFound; k++) sink(this.found[k] as number, i);
    return i;
  }

  /**
   * The last event `v` halted the execution (a violation stopped it with threads still pending):
   * it disabled every other thread, so it counts as dependent with all of them. Report its races
   * with each other thread's last event.
   */
  halted(v: number, sink: RaceSink): void {
    const tv = this.thread[v] as number;
    this.baseOf(tv, v);
    for (let q = 0; q < this.last.length; q++) {
      const e = this.last[q] ?? -1;
      if (q !== tv && e >= 0 && e < v && this.unordered(e, tv)) sink(e, v);
    }
  }

  /**
   * Report the races of a pending op of thread `tid` that never ran, as if it ran next (Source-DPOR
   * does this for the next event of each thread). `after` >= 0: it would run after the halting
   * event `after` and depends on it. The trace itself is left unchanged.
   */
  probe(tid: number, o: Op, threads: number, after: number, sink: RaceSink): void {
    const i = this.place(tid, o, threads, true, false, after);
    this.value[i] = -1;
    this.probeAfter = after;
    for (let k = 0; k < this.nFound; k++) sink(this.found[k] as number, i);
    this.probeAfter = -1;
  }

  /** While a probe reports its races: the halting event it is placed after (-1: none). */
  probeAfter = -1;

  /** The spawn event of thread `t` (-1 for an initial thread). */
  spawnOf(t: number): number {
    return this.spawnedBy[t] ?? -1;
  }

  /** Load `base` with the clock of the program-order predecessor of event `v` of thread `t`. */
  protected baseOf(t: number, v: number): void {
    let pred = -1;
    for (let x = v - 1; x >= 0 && pred < 0; x--) if (this.thread[x] === t) pred = x;
    if (pred < 0) pred = this.spawnedBy[t] ?? -1;
    for (let k = 0; k < this.w; k++) this.base[k] = pred >= 0 ? this.at(pred, k) : 0;
  }

  /**
   * Build the clock of an event of `tid` at index `length` and collect its race candidates in
   * `found`. `commit` records it in the per-object state; a probe (commit false) leaves that
   * untouched and, when `after` >= 0, also depends on the halting event `after`.
   */
  protected place(tid: number, o: Op, threads: number, analyze: boolean, commit: boolean, after: number): number {
    if (threads > this.w) this.widen(threads);
    const i = this.length;
    if (i === this.thread.length) this.grow();
    const w = this.w;
    const c = this.clocks;
    const me = i * w;
    const prev = this.last[tid] ?? -1;
    const pred = prev >= 0 ? prev : (this.spawnedBy[tid] ?? -1);
    if (pred >= 0) c.copyWithin(me, pred * w, pred * w + w);
    else c.fill(0, me, me + w);
    const localIdx = prev >= 0 ? (this.local[prev] as number) + 1 : 1;
    this.thread[i] = tid;
    this.local[i] = localIdx;
    this.ops[i] = o;
    if (i < this.parts.length) this.parts[i] = undefined;
    this.shared[i] = (o.kind === OpKind.Acquire || o.kind === OpKind.Release) && o.n === 1 ? 1 : 0;
    const base = this.base;
    for (let k = 0; k < w; k++) base[k] = c[me + k] as number;
    const obj = o.obj;
    const acc = accessOf(o.kind);
    this.nFound = 0;
    if (after >= 0) {
      if (this.unordered(after, tid)) this.pushFound(after);
      this.joinFrom(i, after);
    }
    // A wait that may read anything depends on every other op, in both directions.
    const aw = this.anyWaits;
    for (let k = 0; k < aw.length; k++) {
      const w = aw[k] as number;
      if (w === after || !this.unordered(w, tid)) continue;
      if (analyze) this.pushFound(w);
      this.joinFrom(i, w);
    }
    if (o.kind === OpKind.Wait && o.reads === undefined) {
      for (let q = 0; q < this.last.length; q++) {
        const e = this.last[q] ?? -1;
        if (q === tid || e < 0 || e === after) continue;
        if (analyze && this.unordered(e, tid)) this.pushFound(e);
        this.joinFrom(i, e);
      }
      if (commit) aw.push(i);
    } else if (o.kind === OpKind.Join) {
      const target = this.last[o.n ?? -1] ?? -1;
      if (target >= 0) this.joinFrom(i, target);
    } else if ((obj >= 0 && acc !== Access.None) || (o.kind === OpKind.Wait && o.reads !== undefined)) {
      // The same touches as touchAll, written out: this is the per-event hot path.
      // Per-object state is kept under key obj + 1; key 0 is the whole model state (see below).
      if (obj >= 0 && !(this.deferLock && acc === Access.Lock)) this.touch(i, tid, obj + 1, o.kind, acc, analyze, commit, after);
      // A wait also reads every object its condition declares.
      const rs = o.kind === OpKind.Wait ? o.reads : undefined;
      if (rs !== undefined) for (let k = 0; k < rs.length; k++) this.touch(i, tid, (rs[k] as number) + 1, o.kind, acc, analyze, commit, after);
      // An access inside a heap block also reads the block, so a kfree (a write of the block)
      // is ordered against every field access.
      const blk = obj >= 0 ? this.blockOf(obj) : -1;
      if (blk !== obj && blk >= 0) this.touch(i, tid, blk + 1, OpKind.Read, Access.Read, analyze, commit, after);
      // Per-step invariants observe every intermediate state: then all state changes conflict.
      if (this.everyStep && obj >= 0 && acc !== Access.Read && this.observed(obj)) this.touch(i, tid, 0, OpKind.Write, Access.Write, analyze, commit, after);
    }
    c[me + tid] = localIdx;
    if (commit) {
      this.last[tid] = i;
      if (o.kind === OpKind.Spawn) this.spawnedBy[threads - 1] = i;
    }
    return i;
  }

  /** Race candidates and happens-before of event `i` accessing the object under `key`. */
  protected touch(i: number, tid: number, key: number, kind: OpKind, acc: Access, analyze: boolean, commit: boolean, after: number): void {
    const lw = this.lastWrite[key] ?? -1;
    const rs = this.reads[key];
    if (acc === Access.Read) {
      if (kind === OpKind.Wait) {
        // A wait's enabledness depends on the value, so any earlier write may have enabled or
        // disabled it: each one not already in the waiter's past is a race to reverse.
        const ws = this.writes[key];
        if (analyze && ws) for (const x of ws) if (x !== after && this.unordered(x, tid)) this.pushFound(x);
        if (lw >= 0) this.joinFrom(i, lw);
      } else if (lw >= 0) {
        if (analyze && lw !== after && this.unordered(lw, tid)) this.pushFound(lw);
        this.joinFrom(i, lw);
      }
      if (commit) {
        if (rs) rs.push(i);
        else this.reads[key] = [i];
      }
      return;
    }
    if (analyze) {
      if (acc === Access.Lock) {
        const lt = this.lastTaker[key] ?? -1;
        if (lt >= 0 && lt !== after && this.unordered(lt, tid)) this.pushFound(lt);
        // A reader may take a shared lock before another reader's release: that order reverses.
        if (this.shared[i] === 1 && lw >= 0 && lw !== lt && lw !== after && this.shared[lw] === 1 && this.unordered(lw, tid)) this.pushFound(lw);
        // A read of the lock word (spin_is_locked) while it was free races with this acquire:
        // reversed, the read sees the lock held.
        if (rs) for (const r of rs) if (r !== after && this.readRaces(r, rs, tid)) this.pushFound(r);
      } else if (rs && rs.length > 0) {
        for (const r of rs) if (r !== after && this.readRaces(r, rs, tid)) this.pushFound(r);
      } else if (lw >= 0 && lw !== after && this.unordered(lw, tid)) {
        this.pushFound(lw);
      }
    }
    if (lw >= 0) this.joinFrom(i, lw);
    if (rs) {
      for (const r of rs) this.joinFrom(i, r);
      if (commit && rs.length !== 0) rs.length = 0;
    }
    if (commit) {
      const ws = this.writes[key];
      if (ws) ws.push(i);
      else this.writes[key] = [i];
      this.lastWrite[key] = i;
      if (acc === Access.Lock || kind === OpKind.TryAcquire) this.lastTaker[key] = i;
    }
  }

  protected pushFound(e: number): void {
    if (this.nFound === this.found.length) {
      const f = new Int32Array(2 * this.found.length);
      f.set(this.found);
      this.found = f;
    }
    this.found[this.nFound++] = e;
  }

  /** Is event e of another thread outside the new event's own past (`base`)? */
  protected unordered(e: number, tid: number): boolean {
    const te = this.thread[e] as number;
    return te !== tid && (this.base[te] as number) < (this.local[e] as number);
  }

  /** A read r since the last write races with a write by `tid` unless hb orders them otherwise. */
  private readRaces(r: number, rs: readonly number[], tid: number): boolean {
    const tr = this.thread[r] as number;
    if (tr === tid) return false;
    const lr = this.local[r] as number;
    if ((this.base[tr] as number) >= lr) return false;
    for (const o of rs) if (o !== r && this.at(o, tr) >= lr) return false;
    return true;
  }
}
