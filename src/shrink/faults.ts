/**
 * Fault shrinking: the fewest injected allocation failures, and the smallest choose values.
 *
 * Allocation-failure points are `choose(2)` ops in the kernel API (src/linux: value 1 = the
 * allocation fails), and every other data choice is a `choose(n)` too, so the pass is generic: for
 * each step that chose a non-zero value (latest first) try 0, then value - 1, first with the rest
 * of the schedule kept and then with the schedule cut right after the step (the old tail may not
 * fit the new value). Like fast-check's integer shrinking, towards 0.
 * Leaves out: searching for a different fault (a failure elsewhere) when removing one loses the bug.
 */
import type { Attempt, Event } from './attempt.js';
import type { ShrinkContext } from './context.js';

function withValue(events: readonly Event[], i: number, value: number, cut: boolean): Event[] {
  const e = events[i] as Event;
  const out = [...events.slice(0, i), { tid: e.tid, value }];
  return cut ? out : [...out, ...events.slice(i + 1)];
}

/** Lower choose values towards 0 until no lowering keeps the violation. */
export function shrinkFaults(ctx: ShrinkContext, start: Attempt): Attempt {
  let cur = start;
  let progress = true;
  while (progress && cur.faultSum > 0 && !ctx.expired) {
    progress = false;
    for (let i = cur.events.length - 1; i >= 0 && !progress && !ctx.expired; i--) {
      const v = (cur.events[i] as Event).value;
      if (v === undefined || v === 0) continue;
      const values = v > 1 ? [0, v - 1] : [0];
      for (const nv of values) {
        const a = ctx.improve(cur, withValue(cur.events, i, nv, false)) ?? ctx.improve(cur, withValue(cur.events, i, nv, true));
        if (a) {
          cur = a;
          progress = true;
          break;
        }
      }
    }
  }
  return cur;
}
