/**
 * Kernel state of one execution and the per-thread kernel context every src/linux primitive
 * reads: preempt count, irqs-disabled, softirq (RCU callback) nesting, RCU read-side nesting and
 * the stack of held locks (lockdep's `current->held_locks`). Also the failure helper `kfail()`
 * that turns a sanitizer finding into a Violation with the running thread's site.
 *
 * Follows include/linux/preempt.h (preempt_count, in_atomic), irqflags.h (irqs_disabled) and
 * lockdep's per-task held_locks array. The per-execution state (RCU grace-period object, call_rcu
 * queue, allocator table, kernelConfig) is created lazily on first use and recognised as stale
 * when the engine starts a new execution (its marker object is no longer in the object table).
 * Leaves out: hardirq/NMI contexts as separate nesting levels (irqs-off is one flag), CPU ids
 * (every thread is its own CPU), migration.
 */
import { type Execution, allocThreadSlot, currentExecution } from '../engine/execution.js';
import type { Op } from '../engine/ops.js';
import { type Site, type Violation, type ViolationKind, UsageError, violation } from '../engine/violation.js';

/** A lock held by a thread, as lockdep records it. */
export interface HeldLock {
  /** Object id of the lock. */
  readonly id: number;
  /** Lock class (lockdep key): the lock's name unless given a class. */
  readonly cls: string;
  readonly kind: string;
  /** Where it was taken. */
  readonly label: string;
  readonly step: number;
  /** Taken with a trylock: adds no dependency for itself. */
  readonly trylock: boolean;
}

/** Kernel context of one thread. */
export interface KCtx {
  preempt: number;
  irqsOff: boolean;
  softirq: number;
  /** Running an interrupt handler (irqThread). */
  hardirq: number;
  rcuDepth: number;
  /** Number of outermost RCU read sections entered so far (identifies the current one). */
  rcuSection: number;
  readonly held: HeldLock[];
  /**
   * Inside `misuse()` (bug.ts): the WARNs the kernel raised so far for the caller's deliberate
   * misuse (the expected diagnosis, not a violation); null outside.
   */
  misuse: string[] | null;
}

/** A call_rcu callback waiting for its grace period. */
export interface RcuCallback {
  readonly fn: () => Generator<Op, unknown, unknown>;
  /** Threads (with their section number) that were in a read section at call time. */
  readonly waitFor: readonly (readonly [number, number])[];
  readonly label: string;
  /** The call's serial in this execution (the LKMM pairs the callback's start with its call_rcu by it). */
  readonly serial: number;
}

/** Per-execution kernel configuration, set by a model's setup via `kernelConfig()`. */
export interface KernelConfig {
  /** Allocation failure injection: every allocation without __GFP_NOFAIL becomes a choose(2). */
  failAllocs: boolean;
}

/** Per-execution kernel state. */
export interface KernelState {
  /** Engine object standing for RCU's grace-period machinery (readers lock it shared). */
  readonly rcuObj: number;
  readonly callbacks: RcuCallback[];
  /** call_rcu calls so far (the next callback's serial). */
  callSerial: number;
  readonly config: KernelConfig;
}

const KSTATE_KIND = 'rcu_state';
/** Defaults for every new execution's config (a run-wide switch, e.g. a CLI --fail-allocs flag). */
const defaults: KernelConfig = { failAllocs: false };

/**
 * Set run-wide kernel defaults (process-wide: the CLI sets them before a run; tests restore
 * them). `kernelConfig()` in a model's setup still overrides them per execution.
 */
export function setKernelDefaults(c: Partial<KernelConfig>): KernelConfig {
  if (c.failAllocs !== undefined) defaults.failAllocs = c.failAllocs;
  return { ...defaults };
}
const states = new WeakMap<Execution, KernelState>();

/** The kernel state of the running execution (created on first use). */
export function kernelOf(exec: Execution): KernelState {
  const s = states.get(exec);
  if (s !== undefined && exec.objects.kind[s.rcuObj] === KSTATE_KIND) return s;
  const rcuObj = exec.objects.add(KSTATE_KIND, 'rcu', -1);
  const fresh: KernelState = {
    rcuObj, callbacks: [], callSerial: 0, config: { ...defaults },
  };
  states.set(exec, fresh);
  return fresh;
}

/** Per-execution configuration; call from a model's setup, e.g. `kernelConfig({ failAllocs: p.failAllocs === true })`. */
export function kernelConfig(c: Partial<KernelConfig>): KernelConfig {
  const k = kernelOf(currentExecution());
  if (c.failAllocs !== undefined) k.config.failAllocs = c.failAllocs;
  return k.config;
}

const SLOT = allocThreadSlot();

function newCtx(): KCtx {
  return { preempt: 0, irqsOff: false, softirq: 0, hardirq: 0, rcuDepth: 0, rcuSection: 0, held: [], misuse: null };
}

/** The kernel context of thread `tid` of `exec`. */
export function ctxOf(exec: Execution, tid: number): KCtx {
  const th = exec.threads[tid];
  if (th === undefined) {
    throw new UsageError('kernel primitives that take locks, sleep or enter RCU sections must be called from a model thread (yield* them in a thread body), not from setup');
  }
  let c = th.slots[SLOT] as KCtx | undefined;
  if (c === undefined) {
    c = newCtx();
    th.slots[SLOT] = c;
  }
  return c;
}

/** The kernel context of the running thread. */
export function kctx(exec: Execution = currentExecution()): KCtx {
  return ctxOf(exec, exec.running);
}

type Rest = Partial<Omit<Violation, 'kind' | 'message'>>;

/** Record a violation found by a src/linux sanitizer in the running thread, and unwind it. */
export function kfail(kind: ViolationKind, message: string, label: string, rest: Rest = {}): never {
  return raise(kind, message, label, rest, false) as never;
}

/**
 * `kfail` for a check made before the running thread's next op (lockdep before an acquire or a
 * release, might_sleep before a sleeping call, a bad pointer before the access it would make): the
 * violation's step and the tripping site are the step that op would have taken, so a report marks
 * the attempted operation, not the op the thread ran before it (whose label may even be the same).
 */
export function kfailNext(kind: ViolationKind, message: string, label: string, rest: Rest = {}): never {
  return raise(kind, message, label, rest, true) as never;
}

/**
 * A sanitizer finding after which the kernel carries on (a WARN, lockdep, RCU or refcount splat):
 * with keep-going it is recorded and the caller continues; otherwise it ends the execution as
 * kfail does.
 */
export function kwarn(kind: ViolationKind, message: string, label: string, rest: Rest = {}): void {
  raise(kind, message, label, rest, false, true);
}

/** `kwarn` for a check made before the running thread's next op (see kfailNext). */
export function kwarnNext(kind: ViolationKind, message: string, label: string, rest: Rest = {}): void {
  raise(kind, message, label, rest, true, true);
}

function raise(kind: ViolationKind, message: string, label: string, rest: Rest, next: boolean, warn = false): void {
  const exec = currentExecution();
  const t = exec.running;
  const step = next ? exec.stepIndex : exec.stepIndex - 1;
  const threads = rest.threads ?? (t >= 0 ? [t] : []);
  const sites = rest.sites ?? (t >= 0 ? [{ thread: t, step, label }] : []);
  const v = violation(kind, message, { ...rest, threads, sites, step: rest.step ?? step });
  if (warn) exec.warn(v);
  else exec.fail(v);
}

/** Site of the op the running thread is about to run (the next step index). */
export function nextOf(exec: Execution, label: string): Site {
  return { thread: exec.running, step: exec.stepIndex, label };
}

/** `T3 (name)` for messages. */
export function threadLabel(exec: Execution, tid: number): string {
  const th = exec.threads[tid];
  return th ? `T${tid} (${th.name})` : `T${tid}`;
}

/** Throw a UsageError unless `x` is an instance created in this execution with kind `kind`. */
export function checkObject(x: unknown, id: number | undefined, kind: string, what: string, how: string): void {
  if (x === null || x === undefined || id === undefined) {
    throw new UsageError(`${what} was passed ${String(x)}: ${how}`);
  }
  const objs = currentExecution().objects;
  if (objs.kind[id] !== kind) {
    throw new UsageError(`${what} was passed an object that does not belong to this execution: ${how} (create it in setup(), which runs again for every execution)`);
  }
}

/** in_softirq(): true inside an RCU callback. */
export function in_softirq(): boolean {
  return kctx().softirq > 0;
}
