/**
 * The DPOR trace with critical sections as events (lock-aware folding, fold.ts): a section's
 * acquire is placed with its lock untouched (`addSection`), the ops it folds add their accesses to
 * the same event (`extend`), and `closeSection` touches the lock at the end — as a read when the
 * section folded (folded sections of a lock commute; a taker that held the lock across scheduling
 * points still races with them, Nidhugg-style, through its acquire), as an ordinary acquire
 * otherwise. Everything else — clocks, races, per-object state — is dpor-trace.ts's.
 * Leaves out: deciding what folds and checking the premise (fold.ts, fold-guard.ts).
 */
import { type Op, Access, OpKind, accessOf } from '../engine/ops.js';
import { DporTrace, type RaceSink } from './dpor-trace.js';
import type { Section } from './section.js';

export class SectionTrace extends DporTrace {
  /**
   * Append the acquire that opens section `sec`: like `add`, but the lock itself is not touched
   * yet (`closeSection` does, once it is known whether the section folded).
   */
  addSection(tid: number, sec: Section, threads: number, analyze: boolean, sink: RaceSink): number {
    this.deferLock = true;
    const i = this.place(tid, sec.acquire, threads, analyze, true, -1);
    this.deferLock = false;
    this.parts[i] = sec;
    this.value[i] = -1;
    this.length = i + 1;
    for (let k = 0; k < this.nFound; k++) sink(this.found[k] as number, i);
    return i;
  }

  /** Section event `i` of thread `tid` ran op `o` too (no other thread ran since `i`). */
  extend(i: number, tid: number, o: Op, analyze: boolean, sink: RaceSink): void {
    this.baseOf(tid, i);
    this.nFound = 0;
    this.touchAll(i, tid, o, analyze, -1);
    for (let k = 0; k < this.nFound; k++) sink(this.found[k] as number, i);
  }

  /**
   * Section event `i` ends. Folded (it reached its release with no scheduling point): the lock
   * counts as read — ordered after the lock's last exclusive taker that held it across scheduling
   * points, and before the next one, but not against other folded sections. Otherwise it is the
   * ordinary acquire it started as.
   */
  closeSection(i: number, tid: number, folded: boolean, analyze: boolean, sink: RaceSink): void {
    const key = (this.ops[i] as Op).obj + 1;
    this.baseOf(tid, i);
    this.nFound = 0;
    if (!folded) this.touch(i, tid, key, OpKind.Acquire, Access.Lock, analyze, true, -1);
    else {
      const lt = this.lastTaker[key] ?? -1;
      if (analyze && lt >= 0 && this.unordered(lt, tid)) this.pushFound(lt);
      const lw = this.lastWrite[key] ?? -1;
      if (lw >= 0) this.joinFrom(i, lw);
      const rs = this.reads[key];
      if (rs) rs.push(i);
      else this.reads[key] = [i];
    }
    for (let k = 0; k < this.nFound; k++) sink(this.found[k] as number, i);
  }

  /** The per-object touches of op `o` as part of section event `i` (place() has them written out). */
  private touchAll(i: number, tid: number, o: Op, analyze: boolean, after: number, commit = true): void {
    const obj = o.obj;
    const acc = accessOf(o.kind);
    // Per-object state is kept under key obj + 1; key 0 is the whole model state (see below).
    if (obj >= 0 && acc !== Access.None && !(this.deferLock && acc === Access.Lock)) this.touch(i, tid, obj + 1, o.kind, acc, analyze, commit, after);
    // A wait also reads every object its condition declares.
    const rs = o.kind === OpKind.Wait ? o.reads : undefined;
    if (rs !== undefined) for (let k = 0; k < rs.length; k++) this.touch(i, tid, (rs[k] as number) + 1, o.kind, acc, analyze, commit, after);
    // An access inside a heap block also reads the block, so a kfree (a write of the block)
    // is ordered against every field access.
    const blk = obj >= 0 && acc !== Access.None ? this.blockOf(obj) : -1;
    if (blk !== obj && blk >= 0) this.touch(i, tid, blk + 1, OpKind.Read, Access.Read, analyze, commit, after);
    // Per-step invariants observe every intermediate state: then all state changes conflict.
    if (this.everyStep && obj >= 0 && acc !== Access.Read && acc !== Access.None && this.observed(obj)) this.touch(i, tid, 0, OpKind.Write, Access.Write, analyze, commit, after);
  }
}
