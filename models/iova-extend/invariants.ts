/**
 * Invariants of the iova-extend design (DESIGN.md §6, issue 4), shared by every variant:
 * - live IOVA allocations are pairwise disjoint and inside the mapping's current window;
 * - the set bitmap bits are exactly the live allocations (checked whenever no thread is between
 *   its bitmap update and its bookkeeping: at such points nothing may be leaked or lost);
 * - a map fails only when the mapping cannot grow any more (its configured maximum is reached,
 *   the request is larger than a chunk, or the extension's GFP_ATOMIC allocation failed):
 *   capacity must reach the configured maximum;
 * no sleeping allocation under the lock (lockdep's might_sleep), every DMA reaching its own
 * buffer's pages (the IOMMU / DMA device's expectOwner check) and leaks (kmemleak) are checked by
 * src/linux, src/hw and the engine themselves.
 * Leaves out: nothing else of the list.
 */
import { type Check, hex } from '../../src/index.js';
import type { IovaWorld } from './world.js';

type W = IovaWorld<unknown>;

export const iovaInvariants: readonly Check<W>[] = [
  {
    name: 'live IOVA ranges disjoint and inside the window',
    check: (w) => {
      const live = [...w.ghost.live.values()];
      const end = w.variant.windowEnd(w.mapping);
      for (const a of live) {
        if (a.iova < w.params.base || a.iova + a.len > end) {
          return `${a.owner} got IOVA ${hex(a.iova)}+${hex(a.len)}, outside the mapping's window [${hex(w.params.base)}, ${hex(end)})`;
        }
      }
      for (let i = 0; i < live.length; i++) {
        for (let j = i + 1; j < live.length; j++) {
          const a = live[i]!;
          const b = live[j]!;
          if (a.iova < b.iova + b.len && b.iova < a.iova + a.len) {
            return `${a.owner} [${hex(a.iova)}, ${hex(a.iova + a.len)}) overlaps ${b.owner} [${hex(b.iova)}, ${hex(b.iova + b.len)})`;
          }
        }
      }
      return true;
    },
  },
  {
    name: 'set bits are exactly the live allocations',
    check: (w) => {
      if (w.ghost.busy > 0 || w.ghost.released) return true;
      const slot = w.variant.slotBytes(w.mapping);
      const want = new Set<number>();
      for (const a of w.ghost.live.values()) for (let o = 0; o < a.len; o += slot) want.add(a.iova + o);
      const have = w.variant.setSlots(w.mapping);
      for (const x of have) if (!want.has(x)) return `bit for IOVA ${hex(x)} is set but no live allocation covers it`;
      if (have.length !== want.size) {
        const haveSet = new Set(have);
        const miss = [...want].find((x) => !haveSet.has(x));
        return `live allocation at IOVA ${hex(miss ?? 0)} has no bit set`;
      }
      return true;
    },
  },
  {
    name: 'capacity reaches the configured maximum',
    check: (w) => w.ghost.badFailures.length === 0 || (w.ghost.badFailures[0] as string),
  },
];

/** Key state for reports: ranges / bitmaps and live allocations. */
export function iovaInspect(w: W): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = { ...w.variant.describe(w.mapping) };
  for (const a of w.ghost.live.values()) out[`live ${a.owner}`] = `${hex(a.iova)}+${hex(a.len)}`;
  return out;
}
