/**
 * The reversing sequence of a race, v = notdep(e, E).e' (Abdulla et al., "Optimal dynamic partial
 * order reduction", POPL 2014 §4 and §6): the events after e in the execution E that do not
 * happen after e, followed by e' itself. Run from the state before e, v reverses the race: e'
 * comes before e. This class is the `WakeupSequence` the wakeup tree inserts, answering from the
 * DPOR trace's vector clocks which threads are weak initials of what is left of v (WI, §6.1):
 * p ∈ WI(v) when p's first event in v has no happens-before predecessor in v, or p has no event in
 * v and its next op is independent of every event of v (the sleep-set notion of `conflicts`, plus
 * a join depending on the joined thread's events).
 *
 * Each thread's events in v are consecutive in its program order, and insertion only ever removes
 * a thread's first remaining event, so "a predecessor in what is left" is one clock comparison per
 * thread against that thread's first remaining event. The trace's clocks are exact inside v for
 * every event but e': its clock can run through events that are not in v (an acquire is after the
 * release that follows e, a Wait after the writes that follow e), so e''s predecessors in v are
 * rebuilt from its direct dependencies in v (program order, dependent ops, its spawn, the halting
 * event a probe is placed after). Using e''s full clock would make v's initials too few: sound for
 * source sets, but a sleeping thread would then fail to cover v and Optimal-DPOR would insert
 * redundant branches. Everything lives in reused typed arrays: a
 * race allocates nothing until it adds a branch. An event is identified by its thread, op kind and
 * object (and a choose by its value): a branch of another execution whose thread's next op differs
 * (threads renumbered by a different spawn order, a different choose value) is not the same event.
 * An event that is a folded critical section (section.ts) is dependent by its whole footprint
 * (`DporTrace.ev`), and a sleeping thread or tree branch that ran one is compared by it.
 * Leaves out: checking that v can run (a blocked waiter or lock makes v infeasible; the scheduler
 * falls back when following it fails) and thread renumbering (such branches just do not match).
 */
import { type Op, OpKind } from '../engine/ops.js';
import type { DependenceView } from './conflicts.js';
import { type Ev, Section, evConflicts } from './section.js';
import type { DporTrace } from './dpor-trace.js';
import { ThreadSet } from './thread-set.js';
import { ANY_VALUE, WakeupNode, type WakeupSequence, sameOp } from './wakeup-tree.js';

/** Where `startWith` may start v: a thread enabled, awake and not yet explored there. */
export interface StartPoint {
  isOpen(t: number): boolean;
}

/** Do two ops of different threads `ta`, `tb` fail to commute (sleep sets' notion, plus joins)? */
export function dependentOps(a: Ev, ta: number, b: Ev, tb: number, view: DependenceView): boolean {
  if (evConflicts(a, b, view)) return true;
  return (!(a instanceof Section) && a.kind === OpKind.Join && a.n === tb) || (!(b instanceof Section) && b.kind === OpKind.Join && b.n === ta);
}

export class NotDep implements WakeupSequence {
  /** Event indices of v, in execution order. */
  private ev = new Int32Array(64);
  private gone = new Uint8Array(64);
  private n = 0;
  left = 0;
  /** Position in `ev` of each thread's first remaining event, -1 when it has none left. */
  private first = new Int32Array(32).fill(-1);
  /** Threads with events left. */
  private readonly threads = new ThreadSet();
  /** Position of the event `appendTo` puts first, -1 for execution order. */
  private front = -1;
  /** The later event of the race, and its clock restricted to its predecessors inside v. */
  private late = -1;
  private lateClock = new Int32Array(32);
  private tr: DporTrace | null = null;

  constructor(public view: DependenceView) {}

  /** Load v = notdep(e).late from trace `tr` (`late` may be a probe at index `tr.length`). */
  build(tr: DporTrace, e: number, late: number): void {
    this.tr = tr;
    const ts = this.threads;
    for (let q = ts.first(); q >= 0; q = ts.next(q + 1)) this.first[q] = -1;
    ts.clear();
    if (tr.width > this.first.length) {
      this.first = new Int32Array(tr.width).fill(-1);
      this.lateClock = new Int32Array(tr.width);
    }
    this.front = -1;
    if (late - e > this.ev.length) {
      this.ev = new Int32Array(2 * (late - e));
      this.gone = new Uint8Array(2 * (late - e));
    }
    const te = tr.thread[e] as number;
    const le = tr.local[e] as number;
    let n = 0;
    for (let x = e + 1; x <= late; x++) {
      if (x < late && tr.at(x, te) >= le) continue;
      const t = tr.thread[x] as number;
      if (!ts.has(t)) {
        ts.add(t);
        this.first[t] = n;
      }
      this.gone[n] = 0;
      this.ev[n++] = x;
    }
    this.n = n;
    this.left = n;
    this.late = late;
    this.restrictLate(tr);
  }

  /** e''s clock from its direct dependencies inside v (see the header). */
  private restrictLate(tr: DporTrace): void {
    const lc = this.lateClock;
    const ts = this.threads;
    // Only the entries of v's threads are ever read.
    for (let q = ts.first(); q >= 0; q = ts.next(q + 1)) lc[q] = 0;
    const late = this.late;
    const tl = tr.thread[late] as number;
    const ol = tr.ev(late);
    const spawn = tr.spawnOf(tl);
    const after = tr.probeAfter;
    for (let i = 0; i < this.n - 1; i++) {
      const z = this.ev[i] as number;
      const tz = tr.thread[z] as number;
      if (tz !== tl && z !== spawn && z !== after && !dependentOps(tr.ev(z), tz, ol, tl, this.view)) continue;
      for (let q = ts.first(); q >= 0; q = ts.next(q + 1)) {
        const c = tr.at(z, q);
        if (c > (lc[q] as number)) lc[q] = c;
      }
    }
  }

  /** Clock entry `q` of event `x`, for x in v (e' restricted to v). */
  private clockAt(x: number, q: number): number {
    return x === this.late ? (this.lateClock[q] as number) : this.trace().at(x, q);
  }

  private trace(): DporTrace {
    return this.tr as DporTrace;
  }

  weakInitial(t: number, op: Op, value: number, section?: Section): boolean {
    const tr = this.trace();
    if (this.threads.has(t)) {
      const x = this.ev[this.first[t] as number] as number;
      const xo = tr.ops[x] as Op;
      if (!sameOp(xo, op)) return false;
      if (op.kind === OpKind.Choose && value !== ANY_VALUE && tr.value[x] !== value) return false;
      return this.isInitial(x, t);
    }
    for (let i = 0; i < this.n; i++) {
      if (this.gone[i] === 1) continue;
      const y = this.ev[i] as number;
      if (dependentOps(section ?? op, t, tr.ev(y), tr.thread[y] as number, this.view)) return false;
    }
    return true;
  }

  /** Has event x of thread t no happens-before predecessor among the events left? */
  private isInitial(x: number, t: number): boolean {
    const tr = this.trace();
    const ts = this.threads;
    for (let q = ts.first(); q >= 0; q = ts.next(q + 1)) {
      if (q === t) continue;
      const y = this.ev[this.first[q] as number] as number;
      if (y < x && this.clockAt(x, q) >= (tr.local[y] as number)) return false;
    }
    return true;
  }

  consume(t: number): void {
    if (!this.threads.has(t)) return;
    const i = this.first[t] as number;
    this.gone[i] = 1;
    this.left--;
    const tr = this.trace();
    let next = -1;
    for (let j = i + 1; j < this.n && next < 0; j++) if (this.gone[j] === 0 && tr.thread[this.ev[j] as number] === t) next = j;
    this.first[t] = next;
    if (next < 0) this.threads.delete(t);
    if (this.front === i) this.front = -1;
  }

  /**
   * Put first an event that is an initial of what is left and whose thread is open at `at` (the
   * node v is inserted at). False when there is none: v cannot start there.
   */
  startWith(at: StartPoint): boolean {
    for (let i = 0; i < this.n; i++) {
      if (this.gone[i] === 1) continue;
      const x = this.ev[i] as number;
      const t = this.trace().thread[x] as number;
      if (at.isOpen(t) && this.first[t] === i && this.isInitial(x, t)) {
        this.front = i;
        return true;
      }
    }
    return false;
  }

  appendTo(list: WakeupNode[]): void {
    let level = list;
    const put = (i: number): void => {
      const tr = this.trace();
      const x = this.ev[i] as number;
      const node = new WakeupNode(tr.thread[x] as number, tr.ops[x] as Op, tr.value[x] as number, false, tr.parts[x]);
      level.push(node);
      level = node.children;
    };
    if (this.front >= 0) put(this.front);
    for (let i = 0; i < this.n; i++) if (this.gone[i] === 0 && i !== this.front) put(i);
  }

  /** Is e' the only event thread `t` has in v? */
  onlyLate(t: number): boolean {
    return this.threads.has(t) && this.ev[this.first[t] as number] === this.late;
  }

  /** Threads of the events left. */
  get threadSet(): ThreadSet {
    return this.threads;
  }
}
