/**
 * Schedule shrinking: truncation and step deletion under strict replay, to a fixed point.
 *
 * Truncation tries ever longer prefixes of the schedule (the shortest that still fails wins; the
 * tail is run without preemptions, see attempt.ts). Deletion is Zeller and Hildebrandt's ddmin
 * ("Simplifying and isolating failure-inducing input", TSE 2002) in its one-pass chunk form:
 * remove chunks of n/2, n/4, ..., 1 events, from the end backwards (late steps are the most
 * likely to be irrelevant), keeping every removal after which the same violation still shows up.
 * Both repeat until neither changes the schedule.
 * Leaves out: reordering (preempt.ts) and choose values (faults.ts).
 */
import type { Attempt } from './attempt.js';
import type { ShrinkContext } from './context.js';

/** The shortest prefix (plus non-preemptive tail) that still fails, or `cur`. */
export function truncate(ctx: ShrinkContext, cur: Attempt): Attempt {
  for (let len = 0; len < cur.events.length && !ctx.expired; len++) {
    const a = ctx.improve(cur, cur.events.slice(0, len));
    if (a) return a;
  }
  return cur;
}

/** One ddmin pass of chunk deletions; returns the smallest schedule it reached. */
export function deleteChunks(ctx: ShrinkContext, start: Attempt): Attempt {
  let cur = start;
  for (let size = Math.max(1, cur.events.length >> 1); size >= 1 && !ctx.expired; size = size === 1 ? 0 : size >> 1) {
    for (let i = cur.events.length - size; i >= 0 && !ctx.expired; i -= size) {
      if (i + size > cur.events.length) i = cur.events.length - size;
      if (i < 0) break;
      const cand = [...cur.events.slice(0, i), ...cur.events.slice(i + size)];
      const a = ctx.improve(cur, cand);
      if (a) cur = a;
    }
  }
  return cur;
}

/** Truncate and delete until a fixed point (or the deadline). */
export function shrinkSchedule(ctx: ShrinkContext, start: Attempt): Attempt {
  let cur = start;
  for (;;) {
    const next = deleteChunks(ctx, truncate(ctx, cur));
    if (next === cur || ctx.expired) return next;
    cur = next;
  }
}
