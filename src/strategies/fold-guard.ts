/**
 * The premise of lock-aware folding (section.ts), checked at run time. Folding runs a critical
 * section of lock L without scheduling points, which loses nothing when (Lipton's movers) each
 * folded op commutes with everything another thread can run beside it:
 * - the data the section touches: checked on DPOR's own races (fold.ts `race`): a race between a
 *   section and an op of another thread that does not hold the lock (nor is that lock's
 *   own acquire or release) means that op could have run in the middle of the section;
 * - the lock word: a folded section never shows L held between scheduling points, so a thread that
 *   looks at L without taking it (spin_trylock, spin_is_locked, a wait on the lock) could see what
 *   the folded run never shows. Checked here, lockset style (Savage et al., "Eraser", TOCS 1997):
 *   a look at L's word by a thread not holding L, in an execution where another thread folded a
 *   section of L, is a break, whatever the order (the pair is in the execution either way, so some
 *   explored execution shows it: the argument Musuvathi & Qadeer make for data races at
 *   synchronisation-only scheduling points, PLDI 2007).
 * A break names the source label of the acquire that opened the section (stable across
 * executions, unlike object ids). The scheduler then restarts its exploration with sections opened
 * there not folded, so each restart shrinks what folds and the restarts are bounded by the labels.
 * Leaves out: which locks a try-acquire took (a thread's trylock is not counted as holding the
 * lock: a possible break more, never one less).
 */
import { type Op, OpKind } from '../engine/ops.js';

const NONE: readonly number[] = Object.freeze([]);

interface Look {
  readonly t: number;
  /** The acquire label of a folded section of the lock; '' for a look at the lock word. */
  readonly section: string;
  readonly held: boolean;
  readonly label: string;
}

export class FoldGuard {
  /** Acquire labels whose sections no longer fold. */
  readonly noFold = new Set<string>();
  /** A break was found this execution: restart the exploration before the next one. */
  restart = false;
  /** What each break was, for the run's notes. */
  readonly reasons: string[] = [];
  private readonly held: (readonly number[] | undefined)[] = [];
  /** Per object: folded sections of it (as a lock) and looks at its word. */
  private readonly looks = new Map<number, Look[]>();

  reset(): void {
    this.held.fill(NONE);
    if (this.looks.size !== 0) this.looks.clear();
  }

  /** The locks thread `tid` holds now (an array that never changes: events keep it). */
  heldBy(tid: number): readonly number[] {
    return this.held[tid] ?? NONE;
  }

  /** May a section opened by acquire `o` fold? */
  allows(o: Op): boolean {
    return !this.noFold.has(o.label);
  }

  /** Thread `tid` ran `o`; `opens`: it is an acquire that opened a folded section. */
  op(tid: number, o: Op, opens: boolean): void {
    const h = this.held[tid] ?? NONE;
    switch (o.kind) {
      case OpKind.Acquire:
        // Copy on change: each event keeps the array its thread held then (heldBy).
        this.held[tid] = [...h, o.obj];
        if (opens) this.look(o.obj, { t: tid, section: o.label, held: true, label: o.label });
        return;
      case OpKind.Release: {
        const k = h.lastIndexOf(o.obj);
        if (k >= 0) this.held[tid] = h.length === 1 ? NONE : [...h.slice(0, k), ...h.slice(k + 1)];
        return;
      }
      case OpKind.Read: case OpKind.TryAcquire: case OpKind.Wait:
        if (o.obj >= 0) this.look(o.obj, { t: tid, section: '', held: h.includes(o.obj), label: o.label });
        if (o.kind === OpKind.Wait && o.reads !== undefined) for (const r of o.reads) this.look(r, { t: tid, section: '', held: h.includes(r), label: o.label });
        return;
      default:
    }
  }

  private look(obj: number, a: Look): void {
    let list = this.looks.get(obj);
    if (list === undefined) this.looks.set(obj, (list = []));
    for (const b of list) {
      if (b.t === a.t) continue;
      if (a.section !== '' && b.section === '' && !b.held) this.broke(a.section, b.label);
      if (b.section !== '' && a.section === '' && !a.held) this.broke(b.section, a.label);
    }
    list.push(a);
  }

  /** Sections opened at `section` no longer fold: `why` (another thread's op) saw through them. */
  broke(section: string, other: string, what = 'looks at the lock without taking it'): void {
    if (this.noFold.has(section)) return;
    this.noFold.add(section);
    this.restart = true;
    this.reasons.push(`sections opened at '${section}' no longer fold: '${other}' ${what}`);
  }
}
