/**
 * Optimal-DPOR: Algorithm 2 of Abdulla, Aronis, Jonsson & Sagonas, "Optimal dynamic partial order
 * reduction", POPL 2014 (and JACM 2017) — source-set DPOR with sleep sets and wakeup trees.
 *
 * Stateless: each execution replays the decisions of the current branch from `setup()` and then
 * extends it. Every thread decision is a node (dpor-node.ts) with its enabled set, sleep set and
 * wakeup tree (wakeup-tree.ts). After each step the trace (dpor-trace.ts) reports the races the
 * step closes; for a race e ⋖ e' the sequence v = notdep(e).e' (notdep.ts) is dropped when a
 * thread asleep in the state before e is a weak initial of it, and otherwise inserted into that
 * state's wakeup tree (insert[E](v, wut): dropped if an existing branch already covers it). A
 * fresh node takes the leftmost branch of the subtree its parent is following, so a wakeup
 * sequence is replayed step by step before exploration continues freely; it inherits the parent's
 * sleep set minus the threads whose op depends on the op just run. Without blocking this explores
 * exactly one execution per Mazurkiewicz trace. `choose` values are branch nodes whose every value
 * is explored (the one a wakeup sequence recorded first).
 *
 * Blocking (locks, waits, joins) breaks Optimal-DPOR's assumption that an enabled thread stays
 * enabled, and a reversal can be infeasible (a waiter whose enabling write is reversed away). Where
 * a branch cannot be followed — its thread is not enabled, its next op is not the one recorded, its
 * choose has fewer values — the node falls back to source-set behaviour: every enabled, awake
 * thread becomes a branch there (dpor-node.ts), counted in `stats().fallbacks`. A race whose v has
 * no initial enabled in the state before e gets the same fallback there (Algorithm 1's rule). These
 * can cost redundant or sleep-set-blocked executions on programs with blocking; sleep-set-blocked
 * executions are run to their end without nodes or race analysis (the engine has no way to
 * abandon one) and counted in `stats().sleepBlocked`.
 *
 * Executions that end with threads still pending (deadlock, or a violation that halts the run)
 * have their pending ops race-analysed as if they ran next (`endExecution`, dpor-end.ts).
 * Nondeterministic models are detected when a replayed node's signature differs.
 * A Wait is dependent with writes of the objects its condition declares (`Op.reads`; the engine
 * checks the declaration at run time, wait-check.ts), and with every op when it declares nothing.
 * Thread sets (enabled, sleep, done, the threads of v) are `ThreadSet`s: one number up to 32
 * threads, extra words past that, so DPOR takes every thread count the engine does (MAX_THREADS).
 * With `fold` (the 'dpor-fold' strategy), a critical section runs from its acquire to its release
 * without scheduling points and is one event whose footprint is all its accesses (section.ts):
 * folded sections of one lock commute unless their accesses conflict. Thread nodes, `eventNode`,
 * `analyzeFrom` and `blockedAt` count trace events, which are then fewer than engine steps. The
 * premise is checked (fold.ts, fold-guard.ts); a break restarts the exploration with less folded
 * and is named in `notes()`.
 * Leaves out: state caching, models whose state
 * depends on the creation order of threads spawned by different threads, and optimality for
 * `choose` (a wakeup sequence through a choose explores its other values as well).
 */
import { type Op, OpKind } from '../engine/ops.js';
import type { ExecutionOutcome, Scheduler, SchedulerView } from '../engine/scheduler.js';
import { Folding } from './fold.js';
import { conflicts } from './conflicts.js';
import { evConflicts } from './section.js';
import { DNode } from './dpor-node.js';
import { SectionTrace } from './section-trace.js';
import { NotDep } from './notdep.js';
import { continuation } from './replay.js';
import { viewSignature } from './signature.js';
import { WaitFallback } from './wait-fallback.js';
import { ANY_VALUE, type WakeupNode, insertionPoint } from './wakeup-tree.js';
import { PendingRaces } from './dpor-end.js';


export interface DporOptions {
  /** Fold critical sections into single events (section.ts): the 'dpor-fold' strategy. */
  readonly fold?: boolean;
}

export class DporScheduler implements Scheduler {
  readonly name: string;
  readonly seed = 0;
  exhaustive = false;
  /** The branch: nodes[0 .. depth). Entries past depth are kept for reuse. */
  private readonly nodes: DNode[] = [];
  private depth = 0;
  private readonly trace = new SectionTrace();
  /** The reversing sequence of the race being handled (created at the first race). */
  private seq: NotDep | null = null;
  /** Node index of each event's thread decision. */
  private eventNode: number[] = [];
  /** Waits tried where they were enabled earlier (wait-fallback.ts). */
  private readonly waits = new WaitFallback();
  private pos = 0;
  private lastThreadNode = -1;
  /** Value the last choose picked (recorded with its event). */
  private lastValue = 0;
  /** Events before this index were analysed in an earlier execution with the same prefix. */
  private analyzeFrom = 0;
  /** Event index at which this execution became sleep-set blocked (Infinity when it is not). */
  private blockedAt = Infinity;
  private started = false;
  /** Lock-aware folding (fold.ts); null: plain Optimal-DPOR. */
  private readonly folding: Folding | null;

  constructor(opts: DporOptions = {}) {
    this.folding = opts.fold === true ? new Folding({
      trace: this.trace, sink: this.sink,
      analyzes: (i) => i >= this.analyzeFrom && i < this.blockedAt,
      blocked: (i) => i >= this.blockedAt,
      nodeOf: (i) => this.nodes[this.eventNode[i] as number],
    }) : null;
    this.name = this.folding !== null ? 'dpor-fold' : 'dpor';
  }
  /** Ops the scheduler saw run this execution (the trace has fewer events when sections fold). */
  private seen = 0;
  private executions = 0;
  private blocked = 0;
  private divergences = 0;
  private inserts = 0;
  private readonly counts = { fallbacks: 0, wokenUp: 0, infeasible: 0, waitFallbacks: 0 };
  private boundView: SchedulerView | null = null;
  /** The running execution's view, kept to read pending ops when it ends. */
  private view: SchedulerView | null = null;
  private readonly sink = (e: number, late: number): void => this.race(e, late);
  /** Races of the ops still pending when an execution ends (dpor-end.ts). */
  private readonly pending = new PendingRaces();

  beginExecution(): boolean {
    if (this.exhaustive) return false;
    if (this.folding !== null && this.folding.restart()) {
      // Folding's premise broke: explore again from the root with less (or nothing) folded.
      this.depth = 0;
      this.started = false;
      this.analyzeFrom = 0;
    }
    this.folding?.begin();
    if (this.started && !this.nextBranch()) {
      this.exhaustive = true;
      return false;
    }
    this.started = true;
    this.pos = 0;
    this.lastThreadNode = -1;
    this.lastValue = 0;
    this.blockedAt = Infinity;
    this.seen = 0;
    this.trace.reset();
    this.executions++;
    return true;
  }

  /** Backtrack to the deepest node with an unexplored branch; false when none is left. */
  private nextBranch(): boolean {
    for (let d = this.depth - 1; d >= 0; d--) {
      const nd = this.nodes[d] as DNode;
      if (!nd.next(this.counts)) continue;
      // A choose node moving to another value: its thread node follows that value's subtree.
      if (nd.n > 0 && d > 0) {
        const t = this.nodes[d - 1] as DNode;
        t.follow = t.valueFollow[nd.valueAt(nd.chosen)] ?? null;
      }
      this.depth = d + 1;
      this.analyzeFrom = nd.event;
      return true;
    }
    return false;
  }

  private allocNode(n: number, sig: number, event: number): DNode {
    let nd = this.nodes[this.depth];
    if (nd === undefined) this.nodes.push((nd = new DNode()));
    this.depth++;
    return nd.reset(n, sig, event);
  }

  pickThread(view: SchedulerView): number {
    const step = this.trace.length;
    if (this.boundView !== view) {
      this.boundView = view;
      this.trace.blockOf = (obj) => view.blockOf(obj);
      this.trace.observed = (obj) => view.observed(obj);
      if (this.seq !== null) this.seq.view = view;
    }
    this.trace.everyStep = view.observesEveryStep;
    if (this.folding !== null) {
      const t = this.folding.pick(view);
      if (t >= 0) return t;
    }
    if (this.trace.length >= this.blockedAt) return continuation(view);
    const d = this.pos;
    const sig = viewSignature(view);
    let nd: DNode | undefined;
    if (d < this.depth) {
      nd = this.nodes[d] as DNode;
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
    }
    this.eventNode[step] = d;
    this.lastThreadNode = d;
    this.pos++;
    this.view = view;
    return nd.chosen;
  }

  /** The branch taken at `nd` cannot be followed as recorded: explore every enabled thread there. */
  private fallBack(nd: DNode): void {
    this.counts.fallbacks++;
    nd.follow = null;
    nd.followValue = -1;
    nd.addAllEnabled();
  }

  /** A fresh thread node, or undefined when every enabled thread sleeps (blocked execution). */
  private newNode(view: SchedulerView, sig: number, step: number): DNode | undefined {
    const parent = this.lastThreadNode >= 0 ? this.nodes[this.lastThreadNode] : undefined;
    const nd = this.allocNode(0, sig, step);
    const enabled = nd.enabled;
    for (let i = 0; i < view.enabledCount; i++) enabled.add(view.enabled[i] as number);
    for (let t = 0; t < view.threadCount; t++) nd.ops[t] = view.pending(t);
    if (parent !== undefined && parent.chosenOp !== undefined) {
      const ran = parent.chosenOp;
      const secs = parent.sections;
      const ps = parent.sleep;
      if (secs.length === 0) {
        // No thread's event here was a section (always so for plain DPOR): compare ops.
        for (let q = ps.first(); q >= 0; q = ps.next(q + 1)) {
          const qo = parent.ops[q];
          if (qo !== undefined && !conflicts(qo, ran, view)) nd.sleep.add(q);
        }
      } else {
        const ranEv = secs[parent.chosen] ?? ran;
        for (let q = ps.first(); q >= 0; q = ps.next(q + 1)) {
          const sq = secs[q];
          const qo = sq ?? parent.ops[q];
          if (qo === undefined || evConflicts(qo, ranEv, view)) continue;
          nd.sleep.add(q);
          if (sq !== undefined) nd.sections[q] = sq;
        }
      }
    }
    const inherited = parent?.follow ?? null;
    if (parent !== undefined) parent.follow = null;
    let failed = false;
    let taken = false;
    if (inherited !== null) {
      // Follow the parent's wakeup subtree (this node now owns it): its leftmost branch that can
      // start here is taken, the others wait here; one that cannot start (blocked thread,
      // different op) is dropped.
      for (let i = 0; i < inherited.length; i++) {
        const c = inherited[i] as WakeupNode;
        if (nd.done.has(c.thread)) continue;
        if (!nd.followable(c)) failed = true;
        else if (!taken) {
          taken = true;
          if (nd.sleep.has(c.thread)) this.counts.wokenUp++;
          nd.take(c, inherited, i + 1);
        } else nd.wut.push(c);
      }
    }
    if (!taken) {
      const last = view.lastThread;
      if (last >= 0 && enabled.has(last) && !nd.sleep.has(last)) nd.takeFree(last);
      else {
        let p = enabled.first();
        while (p >= 0 && nd.sleep.has(p)) p = enabled.next(p + 1);
        if (p < 0) {
          this.depth--;
          return undefined;
        }
        nd.takeFree(p);
      }
    }
    if (failed) {
      this.counts.fallbacks++;
      nd.addAllEnabled();
    }
    return nd;
  }

  pickValue(n: number, _tid: number, view: SchedulerView): number {
    if (this.trace.length >= this.blockedAt) return (this.lastValue = 0);
    const d = this.pos;
    if (d < this.depth) {
      const nd = this.nodes[d] as DNode;
      if (nd.n !== n) {
        this.divergences++;
        return n;
      }
      this.pos++;
      return (this.lastValue = nd.valueAt(nd.chosen));
    }
    const parent = this.nodes[this.lastThreadNode];
    const nd = this.allocNode(n, -1 - n, this.trace.length);
    if (parent !== undefined && parent.followValue >= 0) {
      if (parent.followValue < n) nd.first = parent.followValue;
      else this.fallBack(parent);
    }
    this.pos++;
    return (this.lastValue = nd.first);
  }

  afterStep(tid: number, o: Op, view: SchedulerView): void {
    this.seen++;
    if (this.folding !== null && this.folding.step(tid, o, view)) return;
    const i = this.trace.length;
    const analyze = i >= this.analyzeFrom && i < this.blockedAt;
    this.trace.add(tid, o, view.threadCount, analyze, this.sink, o.kind === OpKind.Choose ? this.lastValue : -1);
    this.lastValue = 0;
  }

  /**
   * Race e ⋖ late: make sure the state before e explores a trace where late comes first. Dropped
   * when a sleeping thread is a weak initial of v = notdep(e).late (that exploration covered it)
   * or the wakeup tree already covers v; otherwise v becomes a branch. When v is inserted at the
   * top of the tree but no initial of it is enabled there, fall back to every enabled thread.
   */
  private race(e: number, late: number): void {
    this.folding?.race(e, late);
    const nd = this.nodes[this.eventNode[e] as number];
    if (nd === undefined || nd.n !== 0) return;
    const v = (this.seq ??= new NotDep(this.boundView as SchedulerView));
    v.build(this.trace, e, late);
    const sl = nd.sleep;
    for (let q = sl.first(); q >= 0; q = sl.next(q + 1)) {
      const qo = nd.ops[q];
      if (qo !== undefined && v.weakInitial(q, qo, ANY_VALUE, nd.sections[q])) return;
    }
    const at = insertionPoint(nd.wut, v);
    if (at === null) return;
    if (at === nd.wut && !v.startWith(nd)) {
      if (this.infeasible(nd, e, late)) {
        this.counts.infeasible++;
        return;
      }
      // No initial of v can run here (a blocked waiter or lock): Algorithm 1's "all enabled".
      this.counts.fallbacks++;
      nd.addAllEnabled();
      return;
    }
    v.appendTo(at);
    this.inserts++;
  }

  /**
   * Is the reversal of e ⋖ late impossible? When late blocks (a Wait, an acquire) on the object e
   * touches, every later op on that object depends on e and is not in v, so late sees the object as
   * in the state before e. If late is its thread's only event in v and that thread is blocked
   * there, late cannot run before e at all: no branch is needed. (A race of a probe placed after a
   * halting event is not of this kind: the halt's dependence is not through an object.) Traces
   * where late does precede e need another op on the object first; that op races with e itself.
   */
  private infeasible(nd: DNode, e: number, late: number): boolean {
    const tr = this.trace;
    const lo = tr.ops[late] as Op;
    const t = tr.thread[late] as number;
    // Only waits whose condition reads nothing but their own object (the argument below).
    if (lo.kind !== OpKind.Acquire && !(lo.kind === OpKind.Wait && lo.reads !== undefined && lo.reads.length === 0)) return false;
    if ((tr.ops[e] as Op).obj !== lo.obj || tr.probeAfter === e) return false;
    return !nd.enabled.has(t) && (this.seq as NotDep).onlyLate(t);
  }

  /**
   * Ops still pending when an execution ends never ran, so their races were never seen: report
   * them as if each ran next, and a halt's (dpor-end.ts); then waits pending for good.
   */
  endExecution(outcome: ExecutionOutcome): void {
    this.folding?.end(this.view);
    const pendingWaits: number[] = [];
    const view = this.view;
    if (view !== null) for (let q = 0; q < view.threadCount; q++) if (view.pending(q)?.kind === OpKind.Wait) pendingWaits.push(q);
    this.view = null;
    if (view !== null) {
      this.pending.analyse({
        trace: this.trace, nodes: this.nodes, depth: this.depth, eventNode: this.eventNode, lastThreadNode: this.lastThreadNode,
        pos: this.pos, seen: this.seen, blockedAt: this.blockedAt, sink: this.sink,
      }, view, outcome);
    }
    this.counts.waitFallbacks += this.waits.apply(this.trace, this.nodes, this.eventNode, Math.min(this.trace.length, this.blockedAt), pendingWaits);
    for (let d = 0; d < this.depth; d++) (this.nodes[d] as DNode).follow = null;
    if (!this.hasBranch() && this.folding?.pending !== true) this.exhaustive = true;
  }

  /** Is any alternative left on the current branch? (nextBranch without moving.) */
  private hasBranch(): boolean {
    for (let d = 0; d < this.depth; d++) if ((this.nodes[d] as DNode).hasNext()) return true;
    return false;
  }

  /** Why folding folded less than it could (dpor-fold), for the run's notes. */
  notes(): readonly string[] {
    return this.folding?.notes() ?? [];
  }

  /** The independence DPOR relies on (conflicts.ts), for the run's audit to check on the model. */
  independent(a: Op, b: Op, view: SchedulerView): boolean {
    return !evConflicts(a, b, view);
  }

  stats(): Record<string, number> {
    return {
      traces: this.executions - this.blocked, sleepBlocked: this.blocked, divergences: this.divergences, depth: this.depth,
      wakeupInserts: this.inserts, ...(this.folding !== null ? { foldRestarts: this.folding.restarts } : {}), fallbacks: this.counts.fallbacks, wokenUp: this.counts.wokenUp, infeasible: this.counts.infeasible, waitFallbacks: this.counts.waitFallbacks,
    };
  }
}
