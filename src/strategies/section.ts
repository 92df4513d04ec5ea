/**
 * Critical sections as single DPOR events (lock-aware folding): a thread that takes a lock runs
 * the accesses of its critical section up to the release without scheduling points, and DPOR sees
 * the whole section as one event whose footprint is the union of its accesses. Two such folded
 * sections of one lock are dependent only when their accesses conflict — the lock itself is then
 * only read (it is free before and after each of them at every scheduling point), so orders of
 * critical sections that touch disjoint data are one trace, not one per order.
 *
 * Follows Lipton's reduction (Lipton, "Reduction: a method of proving properties of parallel
 * programs", CACM 1975; Flanagan & Qadeer's movers): lock acquire is a right mover, release a left
 * mover, and an access to data every other thread touches only under the same lock is a both
 * mover, so acquire;accesses;release runs atomically without losing behaviours — provided nothing
 * after the acquire can block (so no nested acquire folds). The data condition is the premise
 * checked at run time (fold.ts, fold-guard.ts): a section is folded on the assumption, and where
 * it breaks the sections opened at that acquire stop folding and the exploration restarts. The effect on
 * exploration matches lock-aware partial-order reduction (Kokologiannakis, Raad & Vafeiadis,
 * "Effective lock handling in stateless model checking", OOPSLA 2019) for sections that fold.
 * Leaves out: sections with a blocking or nondeterministic op inside (a nested acquire, a wait, a
 * choose, a spawn): they stop folding at that op and stay ordinary lock events.
 */
import { type Op, OpKind, op } from '../engine/ops.js';
import { type DependenceView, conflicts } from './conflicts.js';

/** One DPOR event's footprint when it is a critical section: the acquire and the ops it folded. */
export class Section {
  /** The ops folded after the acquire (not the release). */
  private readonly ops: Op[] = [];
  /** Ran to its release without a scheduling point: the lock counts as read only. */
  private closedFolded = false;
  /** The footprint, built on first use after a change. */
  private fp: Op[] | null = null;
  /**
   * `opened`: a critical section the scheduler folds from its acquire. Not opened: an ordinary op
   * whose event took extra reads (a thread's `.value` reads after it, see dpor.ts takePeeks).
   */
  constructor(readonly acquire: Op, readonly opened = false) {}

  /** The event of op `o` with the extra read `r`. */
  static of(o: Op, r: Op): Section {
    const s = new Section(o);
    s.add(r);
    return s;
  }

  /** The event also ran `o`. */
  add(o: Op): void {
    this.ops.push(o);
    this.fp = null;
  }


  /** The section reached its release with no scheduling point. */
  fold(): void {
    this.closedFolded = true;
    this.fp = null;
  }

  get folded(): boolean {
    return this.closedFolded;
  }

  /** The ops that make up the footprint, the lock as a read when folded. */
  footprint(): readonly Op[] {
    if (this.fp !== null) return this.fp;
    const head = this.closedFolded ? op.read(this.acquire.obj, this.acquire.label) : this.acquire;
    return (this.fp = [head, ...this.ops]);
  }
}

/** An event as dependence sees it: one op, or a section. */
export type Ev = Op | Section;

/**
 * May op `o` run inside folded section `s` (no scheduling point before it)? Accesses, allocations,
 * frees, device accesses and (SC) fences, none of which can block, and the section's release. Not
 * a nested acquire: it can block, and a thread that takes that lock between the two acquires
 * (AB-BA) deadlocks only if it runs there (Lipton's reduction keeps halting states only when nothing
 * after the first step of a folded block can block).
 */
export function foldable(o: Op, s: Section): boolean {
  const lock = s.acquire.obj;
  switch (o.kind) {
    case OpKind.Read: case OpKind.Write: case OpKind.Rmw: case OpKind.PlainRead: case OpKind.PlainWrite:
    case OpKind.Alloc: case OpKind.Free: case OpKind.Device:
      return o.obj !== lock;
    case OpKind.Fence:
      return true;
    case OpKind.Release:
      return o.n !== 1 && o.obj === lock;
    default:
      return false;
  }
}

/** Do events `a` and `b` of different threads fail to commute? */
export function evConflicts(a: Ev, b: Ev, view: DependenceView): boolean {
  if (!(a instanceof Section) && !(b instanceof Section)) return conflicts(a, b, view);
  if (!(a instanceof Section)) return anyConflict(a, (b as Section).footprint(), view);
  if (!(b instanceof Section)) return anyConflict(b, a.footprint(), view);
  for (const x of a.footprint()) if (anyConflict(x, b.footprint(), view)) return true;
  return false;
}

function anyConflict(a: Op, fb: readonly Op[], view: DependenceView): boolean {
  for (let k = 0; k < fb.length; k++) if (conflicts(a, fb[k] as Op, view)) return true;
  return false;
}

