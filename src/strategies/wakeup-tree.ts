/**
 * Wakeup trees: the ordered trees of sequences Optimal-DPOR keeps at every node of the branch it
 * explores (Abdulla, Aronis, Jonsson & Sagonas, "Optimal dynamic partial order reduction", POPL
 * 2014 §6, and the JACM 2017 version "Source sets: a foundation for optimal DPOR", §6).
 *
 * A node's pending wakeup tree is a list of branches, leftmost first; each branch is a sequence of
 * events (thread, op, choose value) that, run from the node's state, leads into a Mazurkiewicz
 * trace that must still be explored. `insertionPoint` implements the paper's insert[E](v, wut):
 * walk down from the root, at each level entering the leftmost child whose thread p is a weak
 * initial of what is left of v (p ∈ WI(v): p's first event in v has no happens-before predecessor
 * in v, or p has no event in v and its next op is independent of all of v); entering p removes p's
 * first event from v. Reaching a leaf, or using up v, means an existing branch already covers v
 * (v ~ leaf); otherwise what is left of v becomes a new rightmost child of the last level reached.
 * A weak leaf (a fallback's one-step branch, which the theory's covering argument does not apply
 * to) is treated as a level with no children: v's rest is grafted under it.
 * The sequence side (which events v has, weak initials, independence) is the `WakeupSequence`
 * interface: `NotDep` (notdep.ts) answers it from the DPOR trace; tests answer it from toy traces.
 * Exploration takes the leftmost branch (`takeLeftmost`), follows it, and hands its subtree to the
 * next node, as Algorithm 2 (Optimal-DPOR) does with subtree(wut(E), p).
 * Leaves out: the sleep-set check before insertion (the scheduler asks the sequence directly) and
 * any check that a branch can actually run (blocking ops can make it fail; dpor-node.ts falls back).
 */
import type { Op } from '../engine/ops.js';
import type { Section } from './section.js';
import type { ThreadSet } from './thread-set.js';

/** A choose value that matches any value (a sleeping thread covers every value of its choose). */
export const ANY_VALUE = -2;

/** One event of a wakeup sequence; `children` are the branches that continue after it. */
export class WakeupNode {
  readonly children: WakeupNode[] = [];
  /**
   * `value`: the choose value the event picks (-1 for ops that are not a choose). `weak`: a
   * one-step branch added by a source-set fallback ("explore this thread here"), which covers
   * nothing by itself: a sequence reaching it as a leaf is grafted under it instead of dropped.
   */
  constructor(readonly thread: number, readonly op: Op, readonly value: number, readonly weak = false, readonly section: Section | undefined = undefined) {}
}

/** Same event of the same thread: op kind, object and parameter agree. */
export function sameOp(a: Op, b: Op): boolean {
  return a.kind === b.kind && a.obj === b.obj && a.n === b.n;
}

/** The sequence v being inserted, consumed event by event as insertion walks down the tree. */
export interface WakeupSequence {
  /**
   * Is thread `t`, whose next op here is `op` (choose value `value`, or ANY_VALUE), a weak initial
   * of what is left of v? Does not consume anything.
   */
  weakInitial(t: number, op: Op, value: number, section?: Section): boolean;
  /** Remove `t`'s first event from what is left (nothing when `t` has no event left). */
  consume(t: number): void;
  /** Events left. */
  readonly left: number;
  /** Append what is left, as one chain of new nodes, to `list`. */
  appendTo(list: WakeupNode[]): void;
}

/**
 * Where v goes in the tree whose root children are `root`: the list to append what is left of v
 * to, or null when a branch of the tree already covers v. Consumes the events of v it matches.
 */
export function insertionPoint(root: WakeupNode[], v: WakeupSequence): WakeupNode[] | null {
  let level = root;
  for (;;) {
    let next: WakeupNode | undefined;
    for (const c of level) {
      if (v.weakInitial(c.thread, c.op, c.value, c.section)) {
        next = c;
        break;
      }
    }
    if (next === undefined) return level;
    v.consume(next.thread);
    if (v.left === 0 || (next.children.length === 0 && !next.weak)) return null;
    level = next.children;
  }
}

/** Does the tree already cover v? (Consumes v as insertion would.) */
export function covers(root: WakeupNode[], v: WakeupSequence): boolean {
  return insertionPoint(root, v) === null;
}

/** insert[E](v, wut): true when v added a branch, false when the tree already covered it. */
export function insert(root: WakeupNode[], v: WakeupSequence): boolean {
  const at = insertionPoint(root, v);
  if (at === null) return false;
  v.appendTo(at);
  return true;
}

/** Remove and return the leftmost branch (undefined when none is left). */
export function takeLeftmost(root: WakeupNode[]): WakeupNode | undefined {
  return root.shift();
}

/** The threads that start a branch of `root`, loaded into `into` (cleared first). */
export function firstThreads(root: readonly WakeupNode[], into: ThreadSet): ThreadSet {
  into.clear();
  for (const c of root) into.add(c.thread);
  return into;
}

/** The sequences of the tree, leftmost first, as thread lists (for tests and debugging). */
export function branches(root: readonly WakeupNode[]): number[][] {
  const out: number[][] = [];
  const walk = (list: readonly WakeupNode[], path: number[]): void => {
    for (const c of list) {
      const p = [...path, c.thread];
      if (c.children.length === 0) out.push(p);
      else walk(c.children, p);
    }
  };
  walk(root, []);
  return out;
}
