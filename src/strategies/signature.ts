/**
 * The signature of a scheduling point: which threads are enabled and the kind and object of each
 * one's pending op, hashed to an unsigned 32-bit number. The systematic strategies (dfs, dpor)
 * store it with every decision and compare it when they replay a prefix from `setup()`: a stateless
 * model checker must re-reach the same state, and a different signature means the model is not
 * deterministic apart from the scheduler's choices (VeriSoft's assumption, Godefroid POPL 1997).
 * Leaves out: model state outside ops (a model whose data diverges without changing its ops is
 * only caught when its ops do change).
 */
import type { SchedulerView } from '../engine/scheduler.js';

export function viewSignature(view: SchedulerView): number {
  let h = 0x811c9dc5 ^ view.threadCount;
  for (let i = 0; i < view.enabledCount; i++) {
    const t = view.enabled[i] as number;
    const o = view.pending(t);
    h = Math.imul(h ^ t, 0x01000193);
    if (o !== undefined) {
      h = Math.imul(h ^ o.kind, 0x01000193);
      h = Math.imul(h ^ (o.obj + 1), 0x01000193);
    }
  }
  return h >>> 0;
}

