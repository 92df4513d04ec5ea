/**
 * Source-set DPOR with sleep sets: Algorithm 1 ("Source-DPOR") of Abdulla, Aronis, Jonsson &
 * Sagonas, "Optimal dynamic partial order reduction", POPL 2014 (and JACM 2017).
 *
 * Stateless: each execution replays the decisions of the current branch from `setup()` and then
 * extends it. Every thread decision is a node with its enabled set, its backtrack set (which
 * includes the threads already explored there) and its sleep set (threads whose exploration from
 * here is known to be covered, each with its pending op). After each step the trace (dpor-trace.ts)
 * reports the races the step closes; for a race e ⋖ e' the initials I of notdep(e).e' are checked
 * against backtrack ∪ sleep of the state before e, and if they are disjoint one enabled initial is
 * added (all enabled threads when no initial is enabled there, e.g. a blocked waiter). A new node
 * inherits the parent's sleep set minus the threads whose op depends on the op just run. A node
 * where every enabled thread sleeps is a sleep-set-blocked execution: it is run to its end
 * without creating nodes or analysing races (the engine has no way to abandon an execution), and
 * counted in `stats().sleepBlocked`. `choose` values are branch nodes whose every value is explored.
 *
 * Executions that end with threads still pending (deadlock, or a violation that halts the run)
 * have their pending ops race-analysed as if they ran next (see `endExecution`).
 *
 * This is source-DPOR, not optimal DPOR: wakeup trees are left out, so on programs like lastzero it
 * may run sleep-set-blocked executions; it still runs at least one execution per Mazurkiewicz
 * trace. Nondeterministic models are detected when a replayed node's signature differs.
 * Leaves out: wakeup trees, state caching, more than 32 threads (a UsageError), Wait conditions
 * that read state other than the Wait's object (DPOR sees a Wait only through its object), and
 * models whose state depends on the creation order of threads spawned by different threads.
 */
import type { Op } from '../engine/ops.js';
import type { ExecutionOutcome, Scheduler, SchedulerView } from '../engine/scheduler.js';
import { UsageError } from '../engine/violation.js';
import { conflicts } from './conflicts.js';
import { DporTrace } from './dpor-trace.js';
import { continuation } from './replay.js';
import { viewSignature } from './signature.js';

const MAX_DPOR_THREADS = 32;

/** One decision of the current branch. `n` > 0 marks a choose node with n values. */
class DNode {
  enabled = 0;
  backtrack = 0;
  done = 0;
  sleep = 0;
  sleepOps: (Op | undefined)[] | null = null;
  chosen = 0;
  chosenOp: Op | undefined = undefined;
  constructor(readonly n: number, readonly sig: number, readonly event: number) {}
}

function lowestBit(m: number): number {
  return 31 - Math.clz32(m & -m);
}

export class DporScheduler implements Scheduler {
  readonly name = 'dpor';
  readonly seed = 0;
  exhaustive = false;
  private nodes: DNode[] = [];
  private readonly trace = new DporTrace();
  /** Node index of each event's thread decision. */
  private eventNode: number[] = [];
  private pos = 0;
  private lastThreadNode = -1;
  /** Events before this index were analysed in an earlier execution with the same prefix. */
  private analyzeFrom = 0;
  /** Event index at which this execution became sleep-set blocked (Infinity when it is not). */
  private blockedAt = Infinity;
  private started = false;
  private executions = 0;
  private blocked = 0;
  private divergences = 0;
  private boundView: SchedulerView | null = null;
  /** The running execution's view, kept to read pending ops when it ends. */
  private view: SchedulerView | null = null;
  private readonly sink = (e: number, _late: number, initials: number): void => this.addBacktrack(e, initials);
  /** Set when a model had more threads than DPOR's bit masks hold (only with giveUpOnTooManyThreads). */
  gaveUp = false;

  /** `giveUpOnTooManyThreads`: finish the execution as a plain run and stop, instead of throwing. */
  constructor(private readonly giveUpOnTooManyThreads = false) {}

  beginExecution(): boolean {
    if (this.exhaustive || this.gaveUp) return false;
    if (this.started && !this.nextBranch()) {
      this.exhaustive = true;
      return false;
    }
    this.started = true;
    this.pos = 0;
    this.lastThreadNode = -1;
    this.blockedAt = Infinity;
    this.trace.reset();
    this.executions++;
    return true;
  }

  /** Backtrack to the deepest node with an unexplored alternative; false when none is left. */
  private nextBranch(): boolean {
    const nodes = this.nodes;
    for (let d = nodes.length - 1; d >= 0; d--) {
      const nd = nodes[d] as DNode;
      if (nd.n > 0) {
        if (nd.chosen + 1 < nd.n) {
          nd.chosen++;
          nodes.length = d + 1;
          this.analyzeFrom = nd.event;
          return true;
        }
        continue;
      }
      const rest = nd.backtrack & ~nd.done & ~nd.sleep & nd.enabled;
      if (rest === 0) continue;
      // The explored choice goes to sleep: its subtree is complete.
      nd.sleep |= 1 << nd.chosen;
      (nd.sleepOps ??= [])[nd.chosen] = nd.chosenOp;
      const p = lowestBit(rest);
      nd.done |= 1 << p;
      nd.chosen = p;
      nodes.length = d + 1;
      this.analyzeFrom = nd.event;
      return true;
    }
    return false;
  }

  pickThread(view: SchedulerView): number {
    const step = view.stepIndex;
    if (this.boundView !== view) {
      this.boundView = view;
      this.trace.blockOf = (obj) => view.blockOf(obj);
      this.trace.observed = (obj) => view.observed(obj);
    }
    this.trace.everyStep = view.observesEveryStep;
    if (view.threadCount > MAX_DPOR_THREADS) {
      if (!this.giveUpOnTooManyThreads) {
        throw new UsageError(`dpor handles at most ${MAX_DPOR_THREADS} threads; this model created ${view.threadCount} (use --strategy pct or random)`);
      }
      this.gaveUp = true;
      if (step < this.blockedAt) this.blockedAt = step;
    }
    if (step >= this.blockedAt) return continuation(view);
    const d = this.pos;
    const sig = viewSignature(view);
    let nd = this.nodes[d];
    if (nd !== undefined) {
      if (nd.n !== 0 || nd.sig !== sig) {
        this.divergences++;
        return view.threadCount;
      }
      nd.chosenOp = view.pending(nd.chosen);
    } else {
      nd = this.newNode(view, sig, step);
      if (nd === undefined) {
        this.blockedAt = step;
        this.blocked++;
        return continuation(view);
      }
      this.nodes.push(nd);
    }
    this.eventNode[step] = d;
    this.lastThreadNode = d;
    this.pos++;
    this.view = view;
    return nd.chosen;
  }

  /** A fresh thread node, or undefined when every enabled thread sleeps (blocked execution). */
  private newNode(view: SchedulerView, sig: number, step: number): DNode | undefined {
    const nd = new DNode(0, sig, step);
    let enabled = 0;
    for (let i = 0; i < view.enabledCount; i++) enabled |= 1 << (view.enabled[i] as number);
    nd.enabled = enabled;
    const parent = this.nodes[this.lastThreadNode];
    if (parent !== undefined && parent.sleep !== 0 && parent.chosenOp !== undefined) {
      const ran = parent.chosenOp;
      const pops = parent.sleepOps as (Op | undefined)[];
      for (let m = parent.sleep; m !== 0; m &= m - 1) {
        const q = lowestBit(m);
        const qo = pops[q];
        if (qo !== undefined && !conflicts(qo, ran, view)) {
          nd.sleep |= 1 << q;
          (nd.sleepOps ??= [])[q] = qo;
        }
      }
    }
    const avail = enabled & ~nd.sleep;
    if (avail === 0) return undefined;
    const last = view.lastThread;
    const p = last >= 0 && (avail & (1 << last)) !== 0 ? last : lowestBit(avail);
    nd.chosen = p;
    nd.backtrack = nd.done = 1 << p;
    nd.chosenOp = view.pending(p);
    return nd;
  }

  pickValue(n: number, _tid: number, view: SchedulerView): number {
    if (view.stepIndex >= this.blockedAt) return 0;
    const d = this.pos;
    const nd = this.nodes[d];
    if (nd !== undefined) {
      if (nd.n !== n) {
        this.divergences++;
        return n;
      }
      this.pos++;
      return nd.chosen;
    }
    this.nodes.push(new DNode(n, -1 - n, view.stepIndex));
    this.pos++;
    return 0;
  }

  afterStep(tid: number, o: Op, view: SchedulerView): void {
    const i = view.stepIndex - 1;
    const analyze = i >= this.analyzeFrom && i < this.blockedAt;
    this.trace.add(tid, o, view.threadCount, analyze, this.sink);
  }

  /**
   * Ops still pending when an execution ends never ran, so their races were never seen: report
   * them as if each ran next (a deadlocked thread's acquire races with the lock's last taker).
   * When a violation stopped the execution early, the engine halted it: the last op (recorded
   * here if the engine did not report it: violations found while performing it) disabled every
   * other thread, so it also races with each other thread's last event and with their pending
   * ops, as if the program exited there.
   */
  endExecution(outcome: ExecutionOutcome): void {
    this.analyseEnd(outcome);
    if (!this.gaveUp && !this.hasBranch()) this.exhaustive = true;
  }

  /** Is any alternative left on the current branch? (nextBranch without moving.) */
  private hasBranch(): boolean {
    for (const nd of this.nodes) {
      if (nd.n > 0 ? nd.chosen + 1 < nd.n : (nd.backtrack & ~nd.done & ~nd.sleep & nd.enabled) !== 0) return true;
    }
    return false;
  }

  private analyseEnd(outcome: ExecutionOutcome): void {
    const view = this.view;
    this.view = null;
    if (view === null || outcome.steps > this.blockedAt) return;
    const tr = this.trace;
    const halting = outcome.violation !== null && outcome.violation.kind !== 'deadlock';
    if (halting && tr.length < outcome.steps) {
      const last = this.nodes[this.lastThreadNode];
      const o = last?.chosenOp;
      if (last === undefined || o === undefined || last.n !== 0) return;
      tr.add(last.chosen, o, view.threadCount, true, this.sink);
    }
    if (tr.length === 0) return;
    const v = tr.length - 1;
    const tv = tr.thread[v] as number;
    const node = this.nodes[this.eventNode[v] as number];
    if (node === undefined) return;
    let pending = false;
    for (let q = 0; q < view.threadCount; q++) if ((!halting || q !== tv) && view.pending(q) !== undefined) pending = true;
    if (!pending) return;
    if (halting) tr.halted(v, this.sink);
    let stopped = 0;
    for (let q = 0; q < view.threadCount; q++) {
      const o = view.pending(q);
      if (o === undefined || (halting && q === tv)) continue;
      stopped |= 1 << q;
      const after = halting && (node.enabled & (1 << q)) !== 0 ? v : -1;
      tr.probe(q, o, view.threadCount, after, this.sink);
    }
    if (halting) this.haltFallback(stopped);
  }

  /**
   * After a halt the stopped threads' later ops never ran, and their races with this execution's
   * events (beyond the next op) stay unseen; DPOR proper would find them by running on. Only
   * `continueAfterViolation` runs care (a first violation ends a normal run), so be conservative:
   * every node of the branch where a stopped thread was enabled and awake also explores it.
   */
  private haltFallback(stopped: number): void {
    for (let d = 0; d < this.pos && d < this.nodes.length; d++) {
      const nd = this.nodes[d] as DNode;
      if (nd.n === 0) nd.backtrack |= stopped & nd.enabled & ~nd.sleep;
    }
  }

  /** Race reversal: make sure the state before event `e` explores one of `initials`. */
  private addBacktrack(e: number, initials: number): void {
    const nd = this.nodes[this.eventNode[e] as number];
    if (nd === undefined || (initials & (nd.backtrack | nd.sleep)) !== 0) return;
    const ok = initials & nd.enabled;
    if (ok !== 0) nd.backtrack |= 1 << lowestBit(ok);
    else nd.backtrack |= nd.enabled;
  }

  stats(): Record<string, number> {
    return { traces: this.executions - this.blocked, sleepBlocked: this.blocked, divergences: this.divergences, depth: this.nodes.length };
  }
}

