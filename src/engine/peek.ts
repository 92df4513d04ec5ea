/**
 * Reads of shared state outside ops: thread code that reads a primitive's `.value` (an Atomic, a
 * Cell, a kernel field, atomic_t, refcount_t, a mutex's owner word) directly instead of through an
 * op (`yield* atomic_read(x)`, `yield* f.once()`). The scheduler never sees such a read, so DPOR
 * treats the thread as independent of whoever writes the object and may explore one order only;
 * the run would then call a model "exhaustive" that it was not (issue 11's hostile programs).
 *
 * The rule, checked at run time: a `.value` read while thread code runs (inside the engine's
 * `gen.next`) is a peek unless the object is the one the thread's granted op touched in this
 * slice (that is the op's own effect, or a re-read no other thread could have changed in between:
 * one slice runs with no other thread). At the end of the execution, a peek of an object that
 * another thread wrote by an op in the same execution, before or after the peek, is a `usage`
 * violation naming both. A peek of an object only setup or the peeking thread itself writes is
 * harmless (no order of other threads changes what it reads) and is not reported.
 * Invariants, `final`, `inspect`, wait conditions and reports read values outside thread code and
 * are never peeks.
 * Leaves out: plain JavaScript state shared between threads without any engine object (the
 * audit's re-runs and swaps in audit.ts are the net for those), and a peek whose conflicting write
 * happens only in executions where the peek itself does not (a write made conditional on the
 * order of the peek): DPOR may never run such a pair together.
 */
import { Access, type Op, OpKind, accessOf } from './ops.js';
import { type Violation, violation } from './violation.js';

/**
 * The most peeks kept per execution: one per thread, object and slice (a later slice's peek of the
 * same object may be the one another thread's write is unordered with). Past it, later peeks are
 * not checked (a model that reads `.value` in thread code thousands of times per execution).
 */
const MAX_PEEKS = 4096;

export class PeekLog {
  private tids: number[] = [];
  private objs: number[] = [];
  /** The step whose slice the peek ran in (the thread's granted op; for a spawned thread's prologue, its spawn). */
  private steps: number[] = [];
  /** Step of the Spawn op that created each thread at run time (-1 or absent: created by setup). */
  private spawnStep: number[] = [];
  /** The slice of the last peek kept per (thread, object), to keep one per slice. */
  private lastSlice = new Map<number, number>();

  get count(): number {
    return this.tids.length;
  }

  reset(): void {
    this.dropped = false;
    if (this.spawnStep.length !== 0) this.spawnStep = [];
    if (this.tids.length === 0) return;
    this.lastSlice.clear();
    this.tids = [];
    this.objs = [];
    this.steps = [];
  }

  /** Thread `child` was created by the Spawn op at `step` (its prologue runs in that slice). */
  spawned(child: number, step: number): void {
    this.spawnStep[child] = step;
  }

  spawnOf(tid: number): number {
    return this.spawnStep[tid] ?? -1;
  }

  /** A peek was not kept (over MAX_PEEKS this execution). */
  private dropped = false;

  /**
   * The peeks kept so far, for a scheduler (SchedulerView.peekCount): one per thread, object and
   * slice, plus one that names no thread when some were dropped (a reduction must then assume the
   * worst).
   */
  get tally(): number {
    return this.tids.length + (this.dropped ? 1 : 0);
  }

  threadAt(k: number): number {
    return this.tids[k] ?? -1;
  }

  objectAt(k: number): number {
    return this.objs[k] ?? -1;
  }

  /** Thread `tid` read object `obj` outside an op in the slice of step `step`. */
  note(tid: number, obj: number, step: number): void {
    const key = obj * 8192 + tid;
    if (this.lastSlice.get(key) === step) return;
    if (this.tids.length >= MAX_PEEKS) {
      this.dropped = true;
      return;
    }
    this.lastSlice.set(key, step);
    this.tids.push(tid);
    this.objs.push(obj);
    this.steps.push(step);
  }

  /**
   * The first peek that another thread's write of the same object can be reordered with, as a
   * `usage` violation; `ops[i]` was performed by thread `tids[i]`. A write ordered with the
   * peek's slice by a chain of dependent ops (program order, conflicting accesses to one object,
   * lock operations on one lock, spawn and join) keeps its order in every execution DPOR counts as
   * equivalent, so it is not reported: only writes the exploration could leave on one side.
   */
  check(tids: readonly number[], ops: readonly (Op | undefined)[], nThreads: number, name: (obj: number) => string, threadName: (tid: number) => string): Violation | null {
    if (this.tids.length === 0) return null;
    // The writes (and lock ops) of each peeked object, in one pass over the execution.
    const writes = new Map<number, number[]>();
    for (const obj of this.objs) writes.set(obj, []);
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      if (o === undefined) continue;
      const w = writes.get(o.obj);
      if (w === undefined) continue;
      const acc = accessOf(o.kind);
      if (acc === Access.Write || acc === Access.Lock) w.push(i);
    }
    let vc: Int32Array[] | null = null;
    for (let p = 0; p < this.tids.length; p++) {
      const tid = this.tids[p] as number;
      const obj = this.objs[p] as number;
      const g = this.steps[p] as number;
      // The slice's event: the thread's granted op, or for a prologue the parent's spawn.
      const gt = g >= 0 ? (tids[g] as number) : -1;
      for (const i of writes.get(obj) ?? []) {
        const o = ops[i] as Op;
        const by = tids[i] as number;
        if (by === tid) continue;
        vc ??= dependenceClocks(tids, ops, nThreads, this.spawnStep);
        if (g >= 0 && ordered(vc, tids, i, g, gt)) continue;
        return violation('usage',
          `T${tid} (${threadName(tid)}) read ${name(obj)}.value in thread code, not through an op (after step ${g}), ` +
          `while T${by} (${threadName(by)}) writes it at step ${i} (${o.label}) in an order the checker may never reverse, ` +
          'so no verdict on this model can be exhaustive; read it with an op (yield* atomic_read(x), yield* f.once(), yield* cell.get())',
          { threads: [tid, by], step: i });
      }
    }
    return null;
  }
}

/** Is event `i` ordered with event `g` (of thread `gt`) by the dependence clocks, either way? */
function ordered(vc: readonly Int32Array[], tids: readonly number[], i: number, g: number, gt: number): boolean {
  const ti = tids[i] as number;
  const ci = vc[i] as Int32Array;
  const cg = vc[g] as Int32Array;
  return i < g ? (cg[ti] ?? 0) >= (ci[ti] ?? 0) : (ci[gt] ?? 0) >= (cg[gt] ?? 0);
}

/**
 * Vector clocks of the dependence order DPOR works with, computed after the execution (only when
 * it had peeks): component t of event i counts thread t's events that precede i through program
 * order, conflicting accesses to one object (a write or lock op against anything on the object),
 * spawn (the child starts after its spawn) and join (after the target's last event).
 */
function dependenceClocks(tids: readonly number[], ops: readonly (Op | undefined)[], nThreads: number, spawnStep: readonly number[]): Int32Array[] {
  const thread: Int32Array[] = [];
  for (let t = 0; t < nThreads; t++) thread.push(new Int32Array(nThreads));
  const lastWrite = new Map<number, number>();
  const readsSince = new Map<number, number[]>();
  const lastOf = new Int32Array(nThreads).fill(-1);
  const out: Int32Array[] = [];
  const join = (into: Int32Array, from: Int32Array | undefined): void => {
    if (from === undefined) return;
    for (let k = 0; k < into.length; k++) if ((from[k] as number) > (into[k] as number)) into[k] = from[k] as number;
  };
  for (let i = 0; i < tids.length; i++) {
    const t = tids[i] as number;
    const o = ops[i];
    const c = new Int32Array(thread[t] as Int32Array);
    if (lastOf[t] === -1) {
      const s = spawnStep[t];
      if (s !== undefined && s >= 0) join(c, out[s]);
    }
    if (o !== undefined) {
      if (o.kind === OpKind.Join) {
        const target = o.n ?? -1;
        if (target >= 0 && target < nThreads && (lastOf[target] as number) >= 0) join(c, out[lastOf[target] as number]);
      }
      const acc = accessOf(o.kind);
      if (o.obj >= 0 && acc !== Access.None) {
        const w = lastWrite.get(o.obj);
        if (w !== undefined) join(c, out[w]);
        if (acc === Access.Read) {
          const rs = readsSince.get(o.obj);
          if (rs === undefined) readsSince.set(o.obj, [i]);
          else rs.push(i);
        } else {
          for (const r of readsSince.get(o.obj) ?? []) join(c, out[r]);
          readsSince.delete(o.obj);
          lastWrite.set(o.obj, i);
        }
      }
    }
    c[t] = (c[t] as number) + 1;
    out.push(c);
    thread[t] = c;
    lastOf[t] = i;
  }
  return out;
}
