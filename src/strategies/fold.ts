/**
 * Lock-aware folding for DPOR (the 'dpor-fold' strategy): the room where critical sections become
 * single DPOR events. dpor.ts calls it at four doors — before each pick (`pick`: the folding thread
 * runs on), after each step (`step`: the op joins the section, or opens one), on each race
 * (`race`: the premise check) and at the ends of an execution (`begin`, `end`).
 *
 * What folds and why it is sound: section.ts (Lipton's reduction; the effect of LAPOR, OOPSLA 2019).
 * The premise, checked here at run time: a DPOR race between a section and an op of another thread
 * that does not hold the section's lock means that op could run inside the section (`race`); a
 * look at the lock word by such a thread is fold-guard.ts's check; a read of `.value` in thread
 * code joins its thread's last event (a read of the object), or turns folding off when it cannot be
 * tied to one. A break stops folding sections opened at that acquire and asks DPOR to restart
 * (`restart`); each restart folds strictly less.
 * Leaves out: the sleep-set and wakeup-tree side (dpor-node.ts `sections`, notdep.ts), which only
 * need each event's footprint (`DporTrace.ev`).
 */
import { type Op, OpKind, op } from '../engine/ops.js';
import type { SchedulerView } from '../engine/scheduler.js';
import type { DNode } from './dpor-node.js';
import type { RaceSink } from './dpor-trace.js';
import { FoldGuard } from './fold-guard.js';
import type { SectionTrace } from './section-trace.js';
import { Section, foldable } from './section.js';

/** What folding needs of the DPOR scheduler. */
export interface FoldHost {
  readonly trace: SectionTrace;
  readonly sink: RaceSink;
  /** Are event `i`'s races analysed in this execution (not replayed, not sleep-set blocked)? */
  analyzes(i: number): boolean;
  /** Is event `i` past the point where this execution became sleep-set blocked? */
  blocked(i: number): boolean;
  /** The thread node whose decision made event `i`. */
  nodeOf(i: number): DNode | undefined;
}

export class Folding {
  private readonly guard = new FoldGuard();
  /** The section being folded, its thread and event; null when none. */
  private sec: Section | null = null;
  private tid = -1;
  private ev = -1;
  /** Folding turned off for the rest of the run (a `.value` read tied to no step). */
  private off = false;
  /** The model-wide reason folding is off was noted (sayOff). */
  private said = false;
  /** The locks each event's thread held when it ran (fold-guard.ts heldBy). */
  private readonly heldAt: (readonly number[] | undefined)[] = [];
  /** Reads of `.value` of this execution already handled. */
  private peeks = 0;
  restarts = 0;

  constructor(private readonly host: FoldHost) {}

  /** A break was found and the restart is still to come (DPOR is then not exhaustive). */
  get pending(): boolean {
    return this.guard.restart;
  }

  /** Did the premise break? Then DPOR restarts from the root (this counts it). */
  restart(): boolean {
    if (!this.guard.restart) return false;
    this.guard.restart = false;
    this.restarts++;
    return true;
  }

  begin(): void {
    this.guard.reset();
    this.sec = null;
    this.peeks = 0;
  }

  /** Before a pick: the folding thread when its section goes on, else -1 (the section ended). */
  pick(view: SchedulerView): number {
    if (view.peekCount !== this.peeks) this.takePeeks(view);
    const s = this.sec;
    if (s === null) return -1;
    const p = view.pending(this.tid);
    if (p !== undefined && foldable(p, s)) return this.tid;
    this.close(false);
    return -1;
  }

  /**
   * After thread `tid` ran `o`. True when it is handled here (an op of the section being folded,
   * or an acquire that opens one, placed in the trace); false: DPOR adds it as an ordinary event.
   */
  step(tid: number, o: Op, view: SchedulerView): boolean {
    const tr = this.host.trace;
    const s = this.sec;
    if (s !== null && tid === this.tid) {
      this.guard.op(tid, o, false);
      if (o.kind === OpKind.Release && o.obj === s.acquire.obj) {
        s.fold();
        this.close(true);
      } else {
        s.add(o);
        tr.extend(this.ev, tid, o, this.host.analyzes(this.ev), this.host.sink);
      }
      return true;
    }
    const i = tr.length;
    this.heldAt[i] = this.guard.heldBy(tid);
    const acquire = o.kind === OpKind.Acquire && o.n !== 1;
    if (acquire && !this.said && (view.observesEveryStep || view.weakMemory)) this.sayOff(view.weakMemory);
    const opens = !this.off && acquire && !this.host.blocked(i) && !view.observesEveryStep && !view.weakMemory && this.guard.allows(o);
    this.guard.op(tid, o, opens);
    if (!opens) return false;
    const sec = new Section(o, true);
    tr.addSection(tid, sec, view.threadCount, this.host.analyzes(i), this.host.sink);
    this.sec = sec;
    this.tid = tid;
    this.ev = i;
    return true;
  }

  /** Say once why nothing folds in this run: a model-wide reason, not a section's. */
  private sayOff(weak: boolean): void {
    this.said = true;
    this.guard.reasons.push(weak
      ? 'folding off: under a weak memory model a section\'s accesses are not one event (explored as plain dpor)'
      : 'folding off: the model checks invariants after every step, which observe the states inside a section (explored as plain dpor)');
  }

  /** The execution ends: late `.value` reads, and a section still open ends unfolded. */
  end(view: SchedulerView | null): void {
    if (view !== null && view.peekCount !== this.peeks) this.takePeeks(view);
    if (this.sec !== null) this.close(false);
  }

  /**
   * The premise on data: a race between a section and an op of another thread that neither holds
   * the section's lock nor is that lock's own acquire or release (or a section of it).
   */
  race(e: number, late: number): void {
    const tr = this.host.trace;
    const a = tr.parts[e];
    const b = tr.parts[late];
    // A probe (a pending op that never ran) holds what its thread holds now.
    const heldLate = late < tr.length ? this.heldAt[late] : this.guard.heldBy(tr.thread[late] as number);
    if (a !== undefined && a.opened) this.premise(a, b ?? (tr.ops[late] as Op), heldLate ?? []);
    if (b !== undefined && b.opened) this.premise(b, a ?? (tr.ops[e] as Op), this.heldAt[e] ?? []);
  }

  /** Why folding folded less than it could, for the run's notes. */
  notes(): readonly string[] {
    return this.guard.reasons;
  }

  /** Section `s` races with `other`, whose thread held `held` then. */
  private premise(s: Section, other: Op | Section, held: readonly number[]): void {
    const lock = s.acquire.obj;
    if (held.includes(lock)) return;
    if (other instanceof Section) {
      if (other.opened && other.acquire.obj === lock) return;
      this.guard.broke(s.acquire.label, other.acquire.label, 'conflicts with them outside the lock');
      return;
    }
    if ((other.kind === OpKind.Acquire || other.kind === OpKind.Release) && other.obj === lock) return;
    this.guard.broke(s.acquire.label, other.label, 'conflicts with them outside the lock');
  }

  /**
   * Reads of `.value` in thread code since the last step: each ran in the slice after its thread's
   * last op, so it is part of that op's event (of the section being folded, if that is it).
   */
  private takePeeks(view: SchedulerView): void {
    const tr = this.host.trace;
    const s = this.sec;
    for (let k = this.peeks; k < view.peekCount; k++) {
      const t = view.peekThread(k);
      const r = op.read(view.peekObject(k), 'a read of .value in thread code');
      const i = s !== null && t === this.tid ? this.ev : tr.length - 1;
      if (i < 0 || tr.thread[i] !== t) {
        // A spawned thread's prologue (no step of its own yet), or peeks peek.ts did not keep.
        if (!this.off) this.guard.reasons.push('folding off: a read of .value outside ops that cannot be tied to its thread\'s last step');
        this.off = true;
        this.guard.restart = true;
        continue;
      }
      if (s !== null && i === this.ev) s.add(r);
      else {
        let sec = tr.parts[i];
        if (sec !== undefined) sec.add(r);
        else tr.parts[i] = sec = Section.of(tr.ops[i] as Op, r);
        // A sleeping thread's next event is all of it, peeks included (dpor.ts newNode).
        const nd = this.host.nodeOf(i);
        if (nd !== undefined && nd.n === 0 && nd.chosen === t && nd.event === i) nd.sections[t] = sec;
      }
      tr.extend(i, t, r, this.host.analyzes(i), this.host.sink);
    }
    this.peeks = view.peekCount;
  }

  /** The section being folded ends: folded (its release ran) or not (an op that cannot fold). */
  private close(folded: boolean): void {
    const s = this.sec as Section;
    const i = this.ev;
    this.sec = null;
    this.host.trace.closeSection(i, this.tid, folded, this.host.analyzes(i), this.host.sink);
    const nd = this.host.nodeOf(i);
    if (nd !== undefined && nd.n === 0 && nd.chosen === this.tid) nd.sections[this.tid] = s;
  }
}
