/**
 * Ghost checks under a weak memory model. A model's check that compares what a thread computed with
 * the *current* shared state (a lookup that returned NULL "although the entry stayed registered the
 * whole time") is an SC argument: under `--memory-model lkmm` a read may take a write older than
 * the coherence-latest one when nothing orders the two, and the thread then legitimately computes
 * from the older state. `onlyLatestReadsSince(e)` says whether the running thread's reads after
 * event `e` (a `lastEvent()` id; -1 for all) each took the coherence-latest write, i.e. read what
 * a sequentially consistent execution would have read at that point: guard such a check with it.
 * Under `sc` it is always true (no check is weakened).
 * `freedFor(tid, p)` is the same question for object lifetimes: is heap block `p` freed *as thread
 * `tid` can see it*? Under `sc`, whether it was freed; under `lkmm`, whether the graph lets that
 * thread's next access observe the free (engine/lkmm/lifetime.ts): an RCU reader whose section
 * precedes the grace period the freeing thread waited for cannot, whatever the interleaving.
 * Leaves out: which read was stale (reports show every read's source: memory.ts explain).
 */
import { currentExecution } from '../engine/execution.js';

/** Did every read of the running thread after event `since` take the coherence-latest write? */
export function onlyLatestReadsSince(since: number): boolean {
  const exec = currentExecution();
  const mm = exec.mm;
  if (mm === null || exec.running < 0) return true;
  return mm.lastStaleRead(exec.running) <= since;
}

/** Is heap block `p` (a kmalloc'd struct) freed as thread `tid` can observe it? For per-step invariants and ghost checks. */
export function freedFor(tid: number, p: { readonly kblock: number }): boolean {
  const exec = currentExecution();
  if (!exec.objects.isFreed(p.kblock)) return false;
  return exec.mm === null || exec.mm.mayObserveFree(tid, p.kblock);
}
