/**
 * Lockdep-style checks: the lock-class dependency graph, recursive locking, bad unlock balance and
 * might_sleep(). The graph lives in the run store, so an edge A -> B learnt in one execution and
 * B -> A taken in a later one is reported as a possible circular locking dependency even though
 * neither execution deadlocked -- lockdep's point.
 *
 * Follows kernel/locking/lockdep.c: validate_chain / check_prev_add (every lock held when a new
 * one is taken adds an edge held -> new; the new edge is refused when new ->* held already exists,
 * and the report prints the new dependency and the existing chain), print_deadlock_bug
 * (recursive locking), print_unlock_imbalance_bug, and kernel/sched/core.c __might_sleep (a
 * sleeping call with preempt_count != 0, irqs off, or inside rcu_read_lock()).
 * mark_lock's usage bits, reduced to the hardirq pair: a class taken in an interrupt handler
 * (irqThread) and also taken with interrupts enabled is "inconsistent {IN-HARDIRQ-W} ->
 * {HARDIRQ-ON-W} usage" (the interrupt can arrive while the lock is held on that CPU).
 * Leaves out: softirq usage bits, irq-safe -> irq-unsafe dependency chains, read-lock recursion
 * rules, subclasses (two instances of one class nested are not an edge), chain hashing.
 */
import { type Execution, currentExecution } from '../engine/execution.js';
import { type HeldLock, type KCtx, kfailNext, kwarn, kwarnNext, nextOf, threadLabel } from './kernel.js';

/** One learnt dependency: `to` was taken while `from` was held. */
interface Edge {
  readonly from: string;
  readonly to: string;
  readonly thread: string;
  readonly fromLabel: string;
  readonly toLabel: string;
  /** Identifies the execution that learnt it (its first thread's state object). */
  readonly marker: object | undefined;
}

type Graph = Map<string, Map<string, Edge>>;
const GRAPH_KEY = Symbol('lockdep-graph');

function graphOf(exec: Execution): Graph {
  let g = exec.runStore.get(GRAPH_KEY) as Graph | undefined;
  if (g === undefined) {
    g = new Map();
    exec.runStore.set(GRAPH_KEY, g);
  }
  return g;
}

/** The edges of the run's lock-class graph (for tests and reports). */
export function lockdepEdges(exec: Execution): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const m of graphOf(exec).values()) for (const e of m.values()) out.push({ from: e.from, to: e.to });
  return out;
}

/** A path of edges from `src` to `dst`, or null. */
function findPath(g: Graph, src: string, dst: string): Edge[] | null {
  const parent = new Map<string, Edge | null>([[src, null]]);
  const queue = [src];
  for (let i = 0; i < queue.length; i++) {
    const cur = queue[i] as string;
    if (cur === dst) {
      const path: Edge[] = [];
      let e = parent.get(cur) ?? null;
      while (e !== null) {
        path.unshift(e);
        e = parent.get(e.from) ?? null;
      }
      return path;
    }
    for (const e of g.get(cur)?.values() ?? []) {
      if (!parent.has(e.to)) {
        parent.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return null;
}

export interface LockInfo {
  readonly id: number;
  readonly cls: string;
  readonly kind: string;
}

/**
 * The shape every kernel lock object shares (spinlock_t, struct mutex, rwlock_t, rw_semaphore):
 * an engine object of its kind, in a struct's block or its own, with a lockdep class that defaults
 * to its name (pass `cls` to share one class among all instances of a struct field).
 */
export abstract class LockObject implements LockInfo {
  readonly id: number;
  readonly cls: string;
  constructor(readonly kind: string, readonly name: string, block: number, cls: string | undefined) {
    this.id = currentExecution().objects.add(kind, name, block);
    this.cls = cls ?? name;
  }
  /** Thread holding it exclusively, -1 when none (for invariants). */
  get holder(): number {
    return currentExecution().lockOwner(this.id);
  }
}

/**
 * Called by a lock helper before it yields its acquire op: recursive locking, then the class
 * graph. Always checks recursion on the same instance (the alternative is a silent self-deadlock).
 */
export function lockdepAcquire(exec: Execution, ctx: KCtx, lock: LockInfo, label: string, trylock: boolean): void {
  const held = ctx.held;
  for (let i = 0; i < held.length; i++) {
    const h = held[i] as HeldLock;
    if (h.id === lock.id && !trylock) {
      kfailNext('lock-misuse', `${threadLabel(exec, exec.running)} takes ${exec.objects.label(lock.id)} (${lock.kind}) which it already holds (taken at ${h.label}): this deadlocks on itself`, label, {
        title: 'WARNING: possible recursive locking detected',
        sites: [nextOf(exec, label), { thread: exec.running, step: h.step, label: h.label }],
        facts: { lock_class: lock.cls, held_at: h.label },
      });
    }
  }
  if (!exec.sanitize || trylock || held.length === 0) return;
  const g = graphOf(exec);
  const me = exec.threads[exec.running]?.name ?? `T${exec.running}`;
  for (let i = 0; i < held.length; i++) {
    const h = held[i] as HeldLock;
    if (h.cls === lock.cls) continue;
    let out = g.get(h.cls);
    if (out?.has(lock.cls)) continue;
    const back = findPath(g, lock.cls, h.cls);
    if (back !== null) {
      const marker = exec.threads[0];
      const earlier = back.some((e) => e.marker !== marker);
      const chain = back.map((e) => `  ${e.to} taken at '${e.toLabel}' while holding ${e.from} (taken at '${e.fromLabel}') by ${e.thread}${e.marker !== marker ? ' [earlier execution]' : ''}`);
      kwarnNext('lock-order', [
        `${threadLabel(exec, exec.running)} is trying to acquire ${lock.cls} at '${label}'`,
        `but already holds ${h.cls}, taken at '${h.label}';`,
        `${lock.cls} already depends on ${h.cls} through the existing chain:`,
        ...chain,
        `so ${h.cls} -> ${lock.cls} closes a cycle: two threads taking them in these orders can deadlock`,
        ...(earlier ? ['(part of the chain was recorded in an earlier execution of this run: replaying this schedule alone does not show the inversion)'] : []),
      ].join('\n'), label, {
        sites: [nextOf(exec, label), { thread: exec.running, step: h.step, label: h.label },
          ...back.map((e) => ({ thread: -1, step: -1, label: `${e.thread}: ${e.toLabel}` }))],
        facts: {
          new_dependency: `${h.cls} -> ${lock.cls}`, existing_chain: [lock.cls, ...back.map((e) => e.to)].join(' -> '),
          chain_from: earlier ? 'earlier execution' : 'this execution',
          // The same, one fact per part, for the report's lockdep block (src/report/kernel-log.ts).
          acquiring: lock.cls, acquiring_at: label, held: h.cls, held_at: h.label,
          ...Object.fromEntries(back.flatMap((e, i) => [
            [`dep${i}`, `${e.from} -> ${e.to}`], [`dep${i}_at`, e.toLabel], [`dep${i}_holding_at`, e.fromLabel], [`dep${i}_by`, e.thread],
            [`dep${i}_earlier`, e.marker !== marker],
          ])),
        },
      });
    }
    if (out === undefined) {
      out = new Map();
      g.set(h.cls, out);
    }
    out.set(lock.cls, { from: h.cls, to: lock.cls, thread: me, fromLabel: h.label, toLabel: label, marker: exec.threads[0] });
  }
}

/** How each lock class was used, for the irq-safety check: where it was first taken in each way. */
interface Usage { inIrq?: { label: string; thread: string }; irqsOn?: { label: string; thread: string } }
const USAGE_KEY = Symbol('lockdep-usage');

/** Record a lock as held (after its acquire op ran), and check its irq usage. */
export function lockdepAcquired(exec: Execution, ctx: KCtx, lock: LockInfo, label: string, trylock: boolean): void {
  ctx.held.push({ id: lock.id, cls: lock.cls, kind: lock.kind, label, step: exec.stepIndex - 1, trylock });
  if (exec.sanitize && lock.kind === 'spinlock_t') markUsage(exec, ctx, lock, label);
}

function markUsage(exec: Execution, ctx: KCtx, lock: LockInfo, label: string): void {
  const irq = ctx.hardirq > 0;
  if (!irq && ctx.irqsOff) return;
  let all = exec.runStore.get(USAGE_KEY) as Map<string, Usage> | undefined;
  if (all === undefined) {
    all = new Map();
    exec.runStore.set(USAGE_KEY, all);
  }
  let u = all.get(lock.cls);
  if (u === undefined) {
    u = {};
    all.set(lock.cls, u);
  }
  const me = { label, thread: exec.threads[exec.running]?.name ?? `T${exec.running}` };
  if (irq) u.inIrq ??= me;
  else u.irqsOn ??= me;
  if (u.inIrq === undefined || u.irqsOn === undefined) return;
  const [from, to] = irq ? ['HARDIRQ-ON-W', 'IN-HARDIRQ-W'] : ['IN-HARDIRQ-W', 'HARDIRQ-ON-W'];
  kwarn('lock-order', [
    `inconsistent {${from}} -> {${to}} usage of ${lock.cls}:`,
    `  taken in an interrupt handler at '${u.inIrq.label}' (${u.inIrq.thread})`,
    `  and with interrupts enabled at '${u.irqsOn.label}' (${u.irqsOn.thread});`,
    `an interrupt arriving on that CPU while ${lock.cls} is held there spins on it forever: take it with spin_lock_irqsave outside the handler`,
  ].join('\n'), label, {
    title: 'WARNING: inconsistent lock state',
    facts: { lock_class: lock.cls, in_hardirq: u.inIrq.label, hardirq_on: u.irqsOn.label },
  });
}

/** Called before a release op is yielded: the lock must be held by this thread. */
export function lockdepRelease(exec: Execution, ctx: KCtx, lock: LockInfo, label: string): void {
  const held = ctx.held;
  for (let i = held.length - 1; i >= 0; i--) {
    if ((held[i] as HeldLock).id === lock.id) {
      held.splice(i, 1);
      return;
    }
  }
  kfailNext('lock-misuse', `${threadLabel(exec, exec.running)} releases ${exec.objects.label(lock.id)} (${lock.kind}) which it does not hold`, label, {
    title: 'WARNING: bad unlock balance detected!',
  });
}

/** Why the running context may not sleep, or null when it may. */
export function atomicReason(exec: Execution, ctx: KCtx): string | null {
  const parts: string[] = [];
  if (ctx.preempt > 0) {
    const spins = ctx.held.filter((h) => h.kind === 'spinlock_t').map((h) => `${exec.objects.label(h.id)} (taken at '${h.label}')`);
    parts.push(`in_atomic(): 1 (preempt_count ${ctx.preempt}${spins.length > 0 ? `, holding ${spins.join(', ')}` : ''})`);
  }
  if (ctx.irqsOff) parts.push('irqs_disabled(): 1');
  if (ctx.hardirq > 0) parts.push('in_irq(): 1 (interrupt handler)');
  if (ctx.softirq > 0) parts.push('in_softirq(): 1 (RCU callback)');
  if (ctx.rcuDepth > 0) parts.push(`rcu_read_lock nesting ${ctx.rcuDepth}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** __might_sleep(): a sleeping call in atomic context is a violation. */
export function mightSleep(exec: Execution, ctx: KCtx, what: string, label: string): void {
  if (!exec.sanitize) return;
  const why = atomicReason(exec, ctx);
  if (why === null) return;
  kwarnNext('sleep-in-atomic', `${threadLabel(exec, exec.running)} calls ${what}, which may sleep, from atomic context: ${why}`, label, {
    title: `BUG: sleeping function called from invalid context at ${label.split(':')[0] ?? label}`,
    facts: {
      in_atomic: ctx.preempt > 0 || ctx.softirq > 0 || ctx.hardirq > 0, irqs_disabled: ctx.irqsOff, rcu_read_lock_nesting: ctx.rcuDepth,
      locks_held: ctx.held.map((h) => `${exec.objects.label(h.id)} at '${h.label}'`).join('; ') || 'none',
    },
  });
}
