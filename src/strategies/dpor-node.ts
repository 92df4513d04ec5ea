/**
 * One decision of the branch Optimal-DPOR explores (Abdulla et al., POPL 2014, Algorithm 2): a
 * thread node with its enabled set, the pending op of every thread, its sleep set (threads whose
 * exploration from here is covered; explored choices join it when the next one starts) and its
 * wakeup tree — the branches still to explore here, leftmost first, plus `follow`, the subtree of
 * the branch being explored now, which the next thread node takes over when it is created
 * (subtree(wut(E), p) in the paper). A choose node (`n` > 0) explores every value, starting with
 * the value its wakeup sequence recorded.
 *
 * Optimal-DPOR assumes an enabled thread stays enabled until it runs; locks and waits break that,
 * and a branch recorded in another execution may not run here (its thread blocked, or its next op
 * different). Then this node falls back to source-set behaviour (Algorithm 1's "all enabled" case):
 * every enabled thread that is awake and not yet a branch here becomes a one-step branch, so the
 * sequences whose insertion the dropped branch made redundant are still covered.
 * Nodes are pooled and reset in place: the branch reuses them execution after execution.
 * Under lock-aware folding a thread's event can be a whole critical section: `sections` keeps it
 * for each thread explored here, since a sleeping thread's independence is judged by it.
 * Leaves out: the choice of the first thread of a fresh node and race handling (dpor.ts).
 */
import { type Op, OpKind } from '../engine/ops.js';
import type { Section } from './section.js';
import { ThreadSet } from './thread-set.js';
import { WakeupNode, firstThreads, sameOp } from './wakeup-tree.js';

/** Scratch set for `addAllEnabled` (one node at a time uses it; JavaScript is single-threaded). */
const scratch = new ThreadSet();
const inTree = new ThreadSet();

export class DNode {
  /** > 0: a choose node with n values. */
  n = 0;
  sig = 0;
  /** Step index of the decision. */
  event = 0;
  readonly enabled = new ThreadSet();
  readonly sleep = new ThreadSet();
  /** Threads explored (or being explored) here. */
  readonly done = new ThreadSet();
  chosen = 0;
  chosenOp: Op | undefined = undefined;
  /**
   * Each thread's pending op when the node was created (threads do not move while asleep). Only
   * entries below the thread count at creation are meaningful; older ones are left to be overwritten.
   */
  readonly ops: (Op | undefined)[] = [];
  /**
   * The section each thread explored here ran as (section.ts), for the sleep set: a sleeping
   * thread's next event is that whole section, not just its acquire. Undefined: one op.
   */
  readonly sections: (Section | undefined)[] = [];
  /** Branches still to explore here, leftmost first. */
  readonly wut: WakeupNode[] = [];
  /** Subtree of the branch being explored, for the next thread node (which consumes it); null once taken. */
  follow: WakeupNode[] | null = null;
  /** Choose value the branch being explored expects its choose to pick (-1: none). */
  followValue = -1;
  /**
   * When the branch being explored is a choose: the subtree recorded for each other value. Each
   * value is a different event, so each subtree is followed when the choose node reaches it.
   */
  readonly valueFollow: (WakeupNode[] | undefined)[] = [];
  /** Choose node: the value explored first. */
  first = 0;

  reset(n: number, sig: number, event: number): this {
    this.n = n;
    this.sig = sig;
    this.event = event;
    this.chosen = this.first = 0;
    this.enabled.clear();
    this.sleep.clear();
    this.done.clear();
    this.chosenOp = undefined;
    // Truncate only when needed: setting an array's length is a runtime call, and this runs per step.
    if (this.wut.length !== 0) this.wut.length = 0;
    this.follow = null;
    this.followValue = -1;
    if (this.valueFollow.length !== 0) this.valueFollow.length = 0;
    if (this.sections.length !== 0) this.sections.length = 0;
    return this;
  }

  /** The value a choose node's `k`-th exploration picks: `first`, then the others in order. */
  valueAt(k: number): number {
    if (k === 0) return this.first;
    return k - 1 < this.first ? k - 1 : k;
  }

  /** Is thread `t` enabled here, awake and not explored yet (a free place to start a sequence)? */
  isOpen(t: number): boolean {
    return this.enabled.has(t) && !this.sleep.has(t) && !this.done.has(t);
  }

  /** Can branch `c` start here: its thread enabled, with the op the branch recorded? */
  followable(c: WakeupNode): boolean {
    const o = this.ops[c.thread];
    return this.enabled.has(c.thread) && o !== undefined && sameOp(o, c.op);
  }

  /**
   * Start exploring branch `c` here (followable). When `c` is a choose, the branches of `rest`
   * (from index `from` on) for other values of the same choose move to `valueFollow`.
   */
  take(c: WakeupNode, rest: WakeupNode[], from = 0): void {
    this.chosen = c.thread;
    this.chosenOp = this.ops[c.thread];
    if (c.thread < this.sections.length) this.sections[c.thread] = undefined;
    this.sleep.delete(c.thread);
    this.done.add(c.thread);
    this.follow = c.children;
    this.followValue = c.value;
    if (this.valueFollow.length !== 0) this.valueFollow.length = 0;
    if (c.op.kind !== OpKind.Choose) return;
    for (let i = from; i < rest.length; i++) {
      const o = rest[i] as WakeupNode;
      if (o.thread !== c.thread || o.op.kind !== OpKind.Choose) continue;
      rest.splice(i--, 1);
      if (o.value >= 0 && o.value !== c.value) this.valueFollow[o.value] = o.children;
    }
  }

  /** Start exploring thread `p` freely (no wakeup sequence). */
  takeFree(p: number): void {
    this.chosen = p;
    this.chosenOp = this.ops[p];
    if (p < this.sections.length) this.sections[p] = undefined;
    this.done.add(p);
    this.follow = null;
    this.followValue = -1;
    if (this.valueFollow.length !== 0) this.valueFollow.length = 0;
  }

  /**
   * Source-set fallback: every enabled, awake thread that is not explored here nor first in a
   * branch becomes a one-step branch. Returns how many were added.
   */
  addAllEnabled(mask: ThreadSet = this.enabled): number {
    const add = scratch.copy(mask).and(this.enabled).andNot(this.sleep).andNot(this.done).andNot(firstThreads(this.wut, inTree));
    let added = 0;
    for (let q = add.first(); q >= 0; q = add.next(q + 1)) {
      const o = this.ops[q];
      if (o === undefined) continue;
      this.wut.push(new WakeupNode(q, o, -1, true));
      added++;
    }
    return added;
  }

  /** Is a branch left to explore here? (What `next` would find, without changing anything.) */
  hasNext(): boolean {
    if (this.n > 0) return this.chosen + 1 < this.n;
    const open = this.enabled.anyOutside(this.sleep, this.done);
    for (const c of this.wut) {
      if (this.done.has(c.thread)) continue;
      if (open || this.followable(c)) return true;
    }
    return false;
  }

  /**
   * Move to the next branch: the explored choice goes to sleep, then the leftmost branch whose
   * thread was not explored here yet is taken. A branch that cannot start here (`followable`)
   * makes the node fall back (`addAllEnabled`). A branch of a sleeping thread is taken anyway,
   * waking it (Optimal-DPOR never inserts one; if our approximations do, exploring is the safe
   * side). Returns false when nothing is left; `stats` counts fallbacks and wake-ups.
   */
  next(stats: { fallbacks: number; wokenUp: number }): boolean {
    if (this.n > 0) {
      if (this.chosen + 1 >= this.n) return false;
      this.chosen++;
      return true;
    }
    this.sleep.add(this.chosen);
    this.follow = null;
    for (;;) {
      const c = this.wut.shift();
      if (c === undefined) return false;
      if (this.done.has(c.thread)) continue;
      if (!this.followable(c)) {
        stats.fallbacks++;
        this.addAllEnabled();
        continue;
      }
      if (this.sleep.has(c.thread)) stats.wokenUp++;
      this.take(c, this.wut);
      return true;
    }
  }
}
