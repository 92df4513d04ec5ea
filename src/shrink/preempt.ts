/**
 * Preemption shrinking: merge a thread's runs by moving whole runs ("blocks") of its steps next to
 * its previous run, across steps they commute with.
 *
 * Follows dejafu's preemption-bounding simplification (Walker and Runciman, "Déjà Fu: a
 * concurrency testing library for Haskell", Haskell 2015; and its trace simplification pass):
 * swapping two adjacent independent ops yields an equivalent trace (Mazurkiewicz), so a block that
 * commutes with everything between it and its thread's previous block can join that block, and
 * one context switch disappears. Independence is the engine's `dependent` relation (ops.ts).
 * Every candidate is still replayed: enabledness (locks, joins, waits) and invariants checked
 * after each step are not captured by the relation. When no commuting move helps, moves across
 * dependent ops are tried too (they give a different trace, accepted only when it still fails
 * the same way and is smaller).
 * Leaves out: moves of single steps out of the middle of a block (the deletion pass covers most).
 */
import { type Op, dependent } from '../engine/ops.js';
import type { Attempt, Event } from './attempt.js';
import type { ShrinkContext } from './context.js';

interface Block {
  readonly tid: number;
  readonly start: number;
  readonly end: number;
}

/** Maximal runs of consecutive events by the same thread. */
export function blocksOf(events: readonly Event[]): Block[] {
  const out: Block[] = [];
  let s = 0;
  for (let i = 1; i <= events.length; i++) {
    if (i === events.length || (events[i] as Event).tid !== (events[s] as Event).tid) {
      out.push({ tid: (events[s] as Event).tid, start: s, end: i });
      s = i;
    }
  }
  return out;
}

/** Do the ops in [a0, a1) commute with every op in [b0, b1)? */
export function commute(ops: readonly Op[], a0: number, a1: number, b0: number, b1: number): boolean {
  for (let i = a0; i < a1; i++) {
    const x = ops[i];
    if (!x) return false;
    for (let j = b0; j < b1; j++) {
      const y = ops[j];
      if (!y || dependent(x, y)) return false;
    }
  }
  return true;
}

interface Move {
  readonly events: Event[];
  readonly commuting: boolean;
}

/** Candidate moves joining each block to its thread's previous block (pull left or push right). */
export function mergeMoves(cur: Attempt): Move[] {
  const ev = cur.events;
  const blocks = blocksOf(ev);
  const moves: Move[] = [];
  for (let b = blocks.length - 1; b >= 1; b--) {
    const B = blocks[b] as Block;
    let a = b - 1;
    while (a >= 0 && (blocks[a] as Block).tid !== B.tid) a--;
    if (a < 0) continue;
    const A = blocks[a] as Block;
    // Pull B left to just after A: B crosses (A.end, B.start).
    moves.push({
      events: [...ev.slice(0, A.end), ...ev.slice(B.start, B.end), ...ev.slice(A.end, B.start), ...ev.slice(B.end)],
      commuting: commute(cur.ops, B.start, B.end, A.end, B.start),
    });
    // Push A right to just before B: A crosses (A.end, B.start).
    moves.push({
      events: [...ev.slice(0, A.start), ...ev.slice(A.end, B.start), ...ev.slice(A.start, A.end), ...ev.slice(B.start)],
      commuting: commute(cur.ops, A.start, A.end, A.end, B.start),
    });
  }
  return moves;
}

/** Apply merging moves (commuting ones first) until none makes the schedule smaller. */
export function shrinkPreemptions(ctx: ShrinkContext, start: Attempt): Attempt {
  let cur = start;
  let progress = true;
  while (progress && cur.preemptions > 0 && !ctx.expired) {
    progress = false;
    const moves = mergeMoves(cur);
    const ordered = [...moves.filter((m) => m.commuting), ...moves.filter((m) => !m.commuting)];
    for (const m of ordered) {
      if (ctx.expired) break;
      const a = ctx.improve(cur, m.events);
      if (a) {
        cur = a;
        progress = true;
        break;
      }
    }
  }
  return cur;
}
