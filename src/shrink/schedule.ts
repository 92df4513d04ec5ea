/**
 * Schedule shrinking: truncation and step deletion under strict replay, to a fixed point.
 *
 * Truncation tries ever longer prefixes of the schedule (the shortest that still fails wins; the
 * tail is run without preemptions, see attempt.ts). Deletion is Zeller and Hildebrandt's ddmin
 * ("Simplifying and isolating failure-inducing input", TSE 2002) in its one-pass chunk form:
 * remove chunks of n/2, n/4, ..., 1 events, from the end backwards (late steps are the most
 * likely to be irrelevant), keeping every removal after which the same violation still shows up.
 * Whole-thread runs are tried as units too (deleteBlocks). All repeat until nothing changes.
 * Leaves out: reordering (preempt.ts) and choose values (faults.ts).
 */
import type { Attempt, Event } from './attempt.js';
import type { ShrinkContext } from './context.js';

/**
 * The shortest prefix (plus non-preemptive tail) that still fails, or `cur`. Prefix lengths
 * 0, 1, 2, 4, 8, ... first (so a long schedule gets cut early even under a tight deadline), then
 * every length below the first that worked, shortest first.
 */
export function truncate(ctx: ShrinkContext, cur: Attempt): Attempt {
  const n = cur.events.length;
  let hit: Attempt | null = null;
  let hitLen = n;
  for (let len = 0; len < n && !ctx.expired; len = len === 0 ? 1 : len * 2) {
    hit = ctx.improve(cur, cur.events.slice(0, len));
    if (hit) {
      hitLen = len;
      break;
    }
  }
  for (let len = hit ? (hitLen >> 1) + 1 : 1; len < hitLen && !ctx.expired; len++) {
    const a = ctx.improve(hit ?? cur, cur.events.slice(0, len));
    if (a) return a;
  }
  return hit ?? cur;
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

/**
 * Delete whole runs of one thread ("blocks"), latest first. In a schedule without preemptions an
 * arbitrary chunk deletion only shifts a block boundary (and adds a preemption), but dropping a
 * whole block lets the threads after it run earlier: the threads that do not matter to the bug
 * move past the violation and vanish from the trace.
 */
export function deleteBlocks(ctx: ShrinkContext, start: Attempt): Attempt {
  let cur = start;
  for (let b = cur.events.length - 1; b > 0 && !ctx.expired; ) {
    const tid = (cur.events[b] as Event).tid;
    let a = b;
    while (a > 0 && (cur.events[a - 1] as Event).tid === tid) a--;
    const next = ctx.improve(cur, [...cur.events.slice(0, a), ...cur.events.slice(b + 1)]);
    if (next) cur = next;
    b = Math.min(a, cur.events.length) - 1;
  }
  return cur;
}

/** Truncate and delete until a fixed point (or the deadline). */
export function shrinkSchedule(ctx: ShrinkContext, start: Attempt): Attempt {
  let cur = start;
  for (;;) {
    const next = deleteChunks(ctx, deleteBlocks(ctx, truncate(ctx, cur)));
    if (next === cur || ctx.expired) return next;
    cur = next;
  }
}
