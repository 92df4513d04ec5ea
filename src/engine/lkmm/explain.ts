/**
 * The report side of the LKMM memory model: per read of a finished (or halted) execution graph,
 * the write it read from and, for a stale read, the ordering that failed to forbid it (the cat's
 * rf is constrained only by coherence, hb, pb and the rcu axiom; a co-later write the engine had
 * already performed was not made visible by any release/acquire, barrier pair, lock or dependency).
 * The choice side (which writes a read may take, memory.ts) never reads this.
 * Leaves out: reads of the engine's own sequentially consistent objects, lock words and the
 * synthetic locations of thread hand-offs, RCU callbacks and object lifetimes (no model value).
 */
import type { WeakRead } from '../exec-types.js';
import type { ObjectTable } from '../objects.js';
import { EvKind, type Event, type Graph } from './graph.js';

/** A value as a report shows it: `&name` for an object with a name. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return (v as { name?: unknown }).name !== undefined ? `&${String((v as { name: unknown }).name)}` : 'object';
  return String(v);
}

/** Locations reports skip: `internal(loc)` is true for synthetic, lock-word and SC locations. */
export function explainReads(g: Graph, objects: ObjectTable, internal: (loc: number) => boolean): WeakRead[] {
  const out: WeakRead[] = [];
  const evs = g.events;
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i] as Event;
    if (e.kind !== EvKind.R || e.rf < 0 || e.tid < 0 || internal(e.loc)) continue;
    const w = g.ev(e.rf);
    const c = g.coOf(e.loc);
    // A co-later write the engine had performed before this read: the read is stale.
    let stale: string | null = null;
    for (let k = c.indexOf(e.rf) + 1; k < c.length; k++) {
      const x = g.ev(c[k] as number);
      if (x.tid >= 0 && x.tid !== e.tid && x.step < e.step) {
        stale = `T${x.tid}'s '${x.label}' (step ${x.step}) had already stored ${showValue(x.value)}, but nothing orders it before this read: ` +
          `no release/acquire or rcu_assign_pointer/rcu_dereference pair, no smp_wmb()/smp_rmb() pair, full barrier, lock or dependency makes it visible (LKMM: rf is not constrained by hb/pb)`;
        break;
      }
    }
    out.push({
      thread: e.tid, step: e.step, label: e.label, object: objects.label(e.loc), value: showValue(w.value),
      from: w.tid < 0 ? null : { thread: w.tid, step: w.step, label: w.label }, stale,
    });
  }
  return out;
}
