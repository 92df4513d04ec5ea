/**
 * The engine's own minimal primitives: an atomic integer, a plain (race-checked) shared cell, a
 * mutex, and the thread-control helpers (choose, spawn, join, assert, yield). They are enough to
 * write litmus models and the engine's own tests; the kernel API (src/linux) builds on the same
 * ops. Every helper is a generator used with `yield*`: it yields one op, and performs its effect
 * atomically when resumed.
 * Leaves out: kernel semantics (refcount saturation, lockdep, sleeping rules): see src/linux.
 */
import { currentExecution, peekValue } from './execution.js';
import { type Op, OpKind, type ThreadBody, type ThreadGen, op } from './ops.js';
import { type StepHost, OpStep } from './op-step.js';
import { violation } from './violation.js';
import type { ThreadSpec } from './model.js';

type G<R> = Generator<Op, R, unknown>;

/**
 * One-entry op cache per object: a thread usually repeats the same labelled op on an object, and
 * ops are immutable data, so reusing the descriptor saves an allocation per step on the hot path.
 */
class OpCache {
  private last: Op | undefined;
  get(kind: Op['kind'], obj: number, label: string): Op {
    const l = this.last;
    if (l !== undefined && l.kind === kind && l.label === label) return l;
    const o: Op = { kind, obj, label };
    this.last = o;
    return o;
  }
}

const LOAD = 0;
const STORE = 1;
const ADD = 2;
const CAS = 3;

/** A sequentially consistent atomic integer (kernel atomic_t without the kernel checks). */
export class Atomic implements StepHost {
  readonly id: number;
  /** The value; invariants and reports read it through `value` (a read in thread code is checked: peek.ts). */
  v: number;
  get value(): number {
    peekValue(this.id);
    return this.v;
  }
  set value(x: number) {
    this.v = x;
  }
  private readonly ops = new OpCache();
  constructor(init: number, name: string, block = -1) {
    this.id = currentExecution().objects.add('atomic', name, block);
    this.v = init;
  }
  load(label = 'atomic_read'): OpStep<number> {
    return new OpStep(this, LOAD, this.ops.get(OpKind.Read, this.id, label), 0, 0);
  }
  store(v: number, label = 'atomic_set'): OpStep<void> {
    return new OpStep(this, STORE, this.ops.get(OpKind.Write, this.id, label), v, 0);
  }
  /** Add and return the new value (atomic_add_return). */
  add(d: number, label = 'atomic_add_return'): OpStep<number> {
    return new OpStep(this, ADD, this.ops.get(OpKind.Rmw, this.id, label), d, 0);
  }
  /** Compare-and-swap; returns the old value (atomic_cmpxchg). */
  cas(expected: number, next: number, label = 'atomic_cmpxchg'): OpStep<number> {
    return new OpStep(this, CAS, this.ops.get(OpKind.Rmw, this.id, label), expected, next);
  }
  /** The effect of a step, run when the engine resumes the thread (see op-step.ts). */
  finish(code: number, a: unknown, b: unknown): unknown {
    switch (code) {
      case LOAD:
        return this.v;
      case STORE:
        this.v = a as number;
        return undefined;
      case ADD:
        this.v += a as number;
        return this.v;
      default: {
        const old = this.v;
        if (old === a) this.v = b as number;
        return old;
      }
    }
  }
}

/** A plain shared variable: every access is race-checked against the others. */
export class Cell<T> implements StepHost {
  readonly id: number;
  v: T;
  get value(): T {
    peekValue(this.id);
    return this.v;
  }
  set value(x: T) {
    this.v = x;
  }
  private readonly ops = new OpCache();
  constructor(init: T, name: string, block = -1) {
    this.id = currentExecution().objects.add('cell', name, block, true);
    this.v = init;
  }
  get(label = 'read'): OpStep<T> {
    return new OpStep(this, LOAD, this.ops.get(OpKind.PlainRead, this.id, label), 0, 0);
  }
  set(v: T, label = 'write'): OpStep<void> {
    return new OpStep(this, STORE, this.ops.get(OpKind.PlainWrite, this.id, label), v, 0);
  }
  finish(code: number, a: unknown): unknown {
    if (code === LOAD) return this.v;
    this.v = a as T;
    return undefined;
  }
}

/** A sleeping mutex; the scheduler picks which waiter gets it. */
export class Mutex implements StepHost {
  readonly id: number;
  private readonly lockOps = new OpCache();
  private readonly unlockOps = new OpCache();
  constructor(name: string, block = -1) {
    this.id = currentExecution().objects.add('mutex', name, block);
  }
  lock(label = 'mutex_lock'): OpStep<void> {
    return new OpStep(this, LOAD, this.lockOps.get(OpKind.Acquire, this.id, label), 0, 0);
  }
  unlock(label = 'mutex_unlock'): OpStep<void> {
    return new OpStep(this, LOAD, this.unlockOps.get(OpKind.Release, this.id, label), 0, 0);
  }
  /** Returns true when the lock was taken (the engine decides, as the op's result). */
  tryLock(label = 'mutex_trylock'): OpStep<boolean> {
    return new OpStep(this, CAS, op.tryAcquire(this.id, label), 0, 0);
  }
  /** Lock and unlock have no effect of their own (the engine owns lock state); trylock's is its result. */
  finish(code: number, _a: unknown, _b: unknown, result: unknown): unknown {
    return code === CAS ? result : undefined;
  }
  get holder(): number {
    return currentExecution().lockOwner(this.id);
  }
}

/** Data nondeterminism: a value in [0, n), explored like a scheduling choice. */
export function* choose(n: number, label = 'choose'): G<number> {
  return (yield op.choose(n, label)) as number;
}

/** Start a thread; returns its id. */
export function* spawn(body: ThreadBody, name: string, label = 'spawn'): G<number> {
  return (yield op.spawn(body, name, label)) as number;
}

/** Wait for a thread to finish; returns what its body returned. */
export function* join(tid: number, label = 'join'): G<unknown> {
  return yield op.join(tid, label);
}

/** A pure scheduling point. */
export function* yieldNow(label = 'yield'): G<void> {
  yield op.yield(label);
}

/** Assertion inside thread code: a violation (not an exception) when `cond` is false. */
export function assert(cond: boolean, message: string, label = 'assert'): void {
  if (cond) return;
  const e = currentExecution();
  const t = e.running;
  e.fail(violation('assertion', message, {
    threads: t >= 0 ? [t] : [], sites: t >= 0 ? [{ thread: t, step: e.stepIndex - 1, label }] : [], step: e.stepIndex - 1,
  }));
}

/** Id of the thread running this code (-1 in setup). */
export function self(): number {
  return currentExecution().running;
}

/**
 * A thread spec from a generator function and a name. `symmetry`: a group name shared by threads
 * whose bodies are interchangeable (symmetry.ts; the audit checks it).
 */
export function thread(name: string, body: () => ThreadGen, opts: { readonly symmetry?: string } = {}): ThreadSpec {
  return opts.symmetry !== undefined ? { name, body, symmetry: opts.symmetry } : { name, body };
}
