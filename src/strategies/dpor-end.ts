/**
 * The end of one DPOR execution (dpor.ts `endExecution`): races that no event showed because the
 * op never ran. Ops still pending when an execution ends are reported as if each ran next (a
 * deadlocked thread's acquire races with the lock's last taker), as Optimal-DPOR's race analysis
 * of the last events would see them (Abdulla, Aronis, Jonsson & Sagonas, JACM 2017, §4: races of
 * enabled but not executed events). When a violation stopped the execution early the engine halted
 * it: the last op (recorded here if the engine did not report it: violations found while
 * performing it) disabled every other thread, so it also races with each other thread's last event
 * and with their pending ops, as if the program exited there; and since the stopped threads' later
 * ops never ran either, every node of the branch where one of them was enabled and awake also
 * explores it (a conservative fallback of ours, only `continueAfterViolation` runs need it).
 * Leaves out: waits that stay pending for good (wait-fallback.ts handles those).
 */
import type { ExecutionOutcome, SchedulerView } from '../engine/scheduler.js';
import type { DNode } from './dpor-node.js';
import type { DporTrace, RaceSink } from './dpor-trace.js';
import { ThreadSet } from './thread-set.js';

/** What the scheduler knows when its execution ends. */
export interface EndOfExecution {
  readonly trace: DporTrace;
  /** The branch: nodes[0 .. depth). */
  readonly nodes: readonly DNode[];
  readonly depth: number;
  /** Node index of each event's thread decision. */
  readonly eventNode: readonly number[];
  readonly lastThreadNode: number;
  /** Thread decisions taken this execution. */
  readonly pos: number;
  /** Ops the scheduler saw run: fewer than the engine's steps when the last one was not reported. */
  readonly seen: number;
  /** Event index at which the execution became sleep-set blocked (Infinity when it did not). */
  readonly blockedAt: number;
  readonly sink: RaceSink;
}

export class PendingRaces {
  /** Threads a halted execution stopped (scratch). */
  private readonly stopped = new ThreadSet();

  /** Report the races of the ops still pending at the end of the execution `s` describes. */
  analyse(s: EndOfExecution, view: SchedulerView, outcome: ExecutionOutcome): void {
    const tr = s.trace;
    if (tr.length > s.blockedAt) return;
    const halting = outcome.halted ?? (outcome.violation !== null && outcome.violation.kind !== 'deadlock');
    if (halting && s.seen < outcome.steps) {
      const last = s.nodes[s.lastThreadNode];
      const o = last?.chosenOp;
      if (last === undefined || o === undefined || last.n !== 0) return;
      tr.add(last.chosen, o, view.threadCount, true, s.sink);
    }
    if (tr.length === 0) return;
    const v = tr.length - 1;
    const tv = tr.thread[v] as number;
    const node = s.nodes[s.eventNode[v] as number];
    if (node === undefined) return;
    let pending = false;
    for (let q = 0; q < view.threadCount; q++) if ((!halting || q !== tv) && view.pending(q) !== undefined) pending = true;
    if (!pending) return;
    if (halting) tr.halted(v, s.sink);
    const stopped = this.stopped;
    stopped.clear();
    for (let q = 0; q < view.threadCount; q++) {
      const o = view.pending(q);
      if (o === undefined || (halting && q === tv)) continue;
      stopped.add(q);
      const after = halting && node.enabled.has(q) ? v : -1;
      tr.probe(q, o, view.threadCount, after, s.sink);
    }
    // The halting thread's later ops never ran either (Optimal-DPOR's sleep check can otherwise
    // drop a reversal whose covering race lies past the halt).
    if (halting) {
      stopped.add(tv);
      for (let d = 0; d < s.pos && d < s.depth; d++) {
        const nd = s.nodes[d] as DNode;
        if (nd.n === 0) nd.addAllEnabled(stopped);
      }
    }
  }
}
