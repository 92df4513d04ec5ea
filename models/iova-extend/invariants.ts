/**
 * Invariants of the iova-extend design (DESIGN.md §6, issue 4), shared by every variant:
 * - live IOVA allocations are pairwise disjoint and inside the mapping's current window. MOVED
 *   out of the per-step list (it read the live set, which threads add to and remove from, so DPOR
 *   had to order every write against every other): world.ts `noteTaken` checks it where the
 *   allocator decides, under mapping->lock right after bitmap_set, against `held` (the IOVAs whose
 *   bits are set, changed only under that lock) and the window (which only grows while drivers run);
 * - the set bitmap bits are exactly the live allocations. MOVED likewise (it read the live set and
 *   a busy counter): `noteCleared` checks under the lock that every bit a free clears is held by
 *   the buffer being freed (else a live allocation is left with no bit set), and the owner thread,
 *   after joining every driver and before releasing the mapping, compares the set bits with the
 *   live allocations (a leaked bit). Between those points a wrong bit is reported only when a free
 *   touches it or it survives to the end (one set and cleared by the same buffer in between is not);
 * - a map fails only when the mapping cannot grow any more (its configured maximum is reached,
 *   the request is larger than a chunk, or the extension's GFP_ATOMIC allocation failed):
 *   capacity must reach the configured maximum (still per-step, on an append-only list);
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
    name: 'capacity reaches the configured maximum',
    // 'ops': ghost.badFailures is append-only (world.ts noteAllocFailure is its only writer, a push).
    observes: 'ops',
    check: (w) => w.ghost.badFailures.length === 0 || (w.ghost.badFailures[0] as string),
  },
];

/** Key state for reports: ranges / bitmaps and live allocations. */
export function iovaInspect(w: W): Record<string, string | number | boolean> {
  if (!w.created) return { mapping: 'refused by arm_iommu_create_mapping (its IOVAs could pass 4 GiB)' };
  const out: Record<string, string | number | boolean> = { ...w.variant.describe(w.mapping) };
  for (const a of w.ghost.live.values()) out[`live ${a.owner}`] = `${hex(a.iova)}+${hex(a.len)}`;
  if (w.ghost.misuseAnswers.length > 0) out['kernel answers to caller misuse'] = w.ghost.misuseAnswers.join('; ');
  return out;
}
