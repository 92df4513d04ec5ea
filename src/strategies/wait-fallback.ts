/**
 * DPOR's fallback for waits that could have completed earlier. Races reverse one pair of events at
 * a time, and each reversal must be able to start where it is placed (Optimal-DPOR, Abdulla et al.
 * POPL 2014; a blocked thread is not "enabled" there). A wait whose condition was true, then false,
 * then true again while its thread sat on it (`x` set and cleared before the wait ran, or an
 * undeclared read set that makes it depend on every op, hiding its race with the write that
 * enabled it behind later ops) cannot be moved back step by step past the stretch where it was
 * disabled. So, for every wait event of the execution, each thread node where its thread was
 * already waiting there, was enabled, and was disabled again before the wait ran also explores
 * that thread -- the source-set rule of classic DPOR for a racing thread that is not enabled
 * (Flanagan & Godefroid, POPL 2005): more executions, never fewer; sleep sets prune the redundant
 * ones. Found on kiobuf-kvmap/posted close-vs-unload, which DPOR called exhaustive after one
 * execution while DFS found a use-after-free.
 * The same holds, more broadly, for a wait still pending when the execution ends (its thread
 * blocked for good, or stopped by a halt): every thread node where its thread was enabled also
 * explores it (found by the long differential check: a wait on a1 >= 2 between a1 = 3 and a1 = 1
 * that DPOR left deadlocked in every execution while DFS let it pass, sometimes only reachable when
 * an earlier op of the waiting thread also runs earlier).
 * Leaves out: choose nodes (values are not threads) and steps past the point DPOR stopped analysing.
 */
import { type Op, OpKind } from '../engine/ops.js';
import type { DNode } from './dpor-node.js';
import type { DporTrace } from './dpor-trace.js';
import { ThreadSet } from './thread-set.js';

export class WaitFallback {
  /** The node of each thread's previous event (scratch). */
  private readonly prevNode: number[] = [];
  private readonly one = new ThreadSet();

  /**
   * Add the fallback branches for the first `n` events of `tr` (`eventNode`: each event's thread
   * node); returns how many branches were added.
   */
  apply(tr: DporTrace, nodes: readonly DNode[], eventNode: readonly number[], n: number, pendingWaits: readonly number[] = []): number {
    const prevNode = this.prevNode;
    prevNode.length = 0;
    let added = 0;
    for (let i = 0; i < n; i++) {
      const t = tr.thread[i] as number;
      const d = eventNode[i] as number;
      const from = prevNode[t] ?? -1;
      prevNode[t] = d;
      if ((tr.ops[i] as Op).kind !== OpKind.Wait) continue;
      // The last node before the wait ran where its thread was disabled.
      let lastOff = -1;
      for (let k = d - 1; k > from; k--) {
        const nd = nodes[k] as DNode;
        if (nd.n === 0 && !nd.enabled.has(t)) {
          lastOff = k;
          break;
        }
      }
      added += this.tryAt(nodes, t, from + 1, lastOff);
    }
    // A wait still pending when the execution ended (a deadlocked or halted thread): it never
    // ran, so no race of it was seen where it could have run (its probe races only with the last
    // events, where it is disabled), and reaching its window may need its thread's earlier ops to
    // run earlier too. Its thread is explored at every node where it could run (Flanagan &
    // Godefroid's rule for a racing thread that is not enabled, applied to the blocked one).
    if (n > 0) {
      const end = (eventNode[n - 1] as number) + 1;
      for (const t of pendingWaits) added += this.tryAt(nodes, t, 0, end);
    }
    return added;
  }

  /** Explore thread `t` at every thread node in [from, to) where it was enabled. */
  private tryAt(nodes: readonly DNode[], t: number, from: number, to: number): number {
    let added = 0;
    for (let k = from; k < to && k < nodes.length; k++) {
      const nd = nodes[k] as DNode;
      if (nd.n === 0 && nd.enabled.has(t)) {
        this.one.clear();
        this.one.add(t);
        added += nd.addAllEnabled(this.one);
      }
    }
    return added;
  }
}
