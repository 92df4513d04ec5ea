/**
 * Op descriptors: the plain-data vocabulary a model thread yields at every visible operation.
 *
 * Follows the execution model of DESIGN.md §2: a thread is a generator; each `yield` hands the
 * engine one op (a scheduling point); the engine decides when the thread may run it and resumes the
 * generator with the op's result. Effects on model state are performed by the thread itself right
 * after it is resumed, so "announce, then act atomically until the next yield" is the contract.
 *
 * Access classes (read / write / acquire / none) drive both the KCSAN-style race detector and the
 * dependency relation used by DPOR and the preemption minimizer. Barriers are representable
 * (FENCE, with an `order`) but the default memory model is sequential consistency, so they only
 * order plain accesses through happens-before, they never reorder anything.
 * Leaves out: weak-memory store buffers (a later memory model would interpret FENCE and `order`).
 */

/** Op kinds. Numbers, not strings: the step loop switches on them millions of times a second. */
export const OpKind = {
  /** Atomic load of an object (atomic_read, READ_ONCE of a synchronising variable). */
  Read: 0,
  /** Atomic store (atomic_set, WRITE_ONCE, rcu_assign_pointer). */
  Write: 1,
  /** Atomic read-modify-write (atomic_add_return, cmpxchg, refcount_inc). */
  Rmw: 2,
  /** Plain (non-atomic) read of a shared cell: race-checked with vector clocks. */
  PlainRead: 3,
  /** Plain (non-atomic) write of a shared cell: race-checked with vector clocks. */
  PlainWrite: 4,
  /** Acquire a lock object; enabled only while the lock is free (or shared-compatible). */
  Acquire: 5,
  /** Release a lock object held by this thread. */
  Release: 6,
  /** Try to acquire without blocking; result is true when acquired. */
  TryAcquire: 7,
  /** Block until `until()` holds; treated as a read of `obj` (writers of obj must wake it). */
  Wait: 8,
  /** Data nondeterminism: result is a value in [0, n) picked by the scheduler. */
  Choose: 9,
  /** Start a new thread running `body`; result is its thread id. */
  Spawn: 10,
  /** Block until thread `target` finished; result is its return value. */
  Join: 11,
  /** Allocate a heap block (kmalloc/vmalloc); result unused, the block id is `obj`. */
  Alloc: 12,
  /** Free a heap block; double / invalid frees are detected here. */
  Free: 13,
  /** Memory barrier (smp_mb, smp_wmb, ...): a no-op under SC, kept for later memory models. */
  Fence: 14,
  /** A pure scheduling point with no shared effect (cond_resched, cpu_relax). */
  Yield: 15,
  /** A hardware access through an emulated device or page table (MMIO, DMA). Write-class. */
  Device: 16,
} as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

export const OP_KIND_NAMES: readonly string[] = [
  'read', 'write', 'rmw', 'plain-read', 'plain-write', 'acquire', 'release', 'try-acquire',
  'wait', 'choose', 'spawn', 'join', 'alloc', 'free', 'fence', 'yield', 'device',
];

/** How an op touches its object, for race detection and for the dependency relation. */
export const Access = { None: 0, Read: 1, Write: 2, Lock: 3 } as const;
export type Access = (typeof Access)[keyof typeof Access];

const ACCESS_OF: readonly Access[] = [
  Access.Read, Access.Write, Access.Write, Access.Read, Access.Write, Access.Lock, Access.Write,
  Access.Write, Access.Read, Access.None, Access.None, Access.None, Access.Write, Access.Write,
  Access.None, Access.None, Access.Write,
];

/** The access class of an op kind. */
export function accessOf(kind: OpKind): Access {
  return ACCESS_OF[kind] ?? Access.None;
}

/** A thread body: a generator yielding ops and receiving their results. */
export type ThreadGen<R = unknown> = Generator<Op, R, unknown>;
export type ThreadBody = () => ThreadGen;

/** One op descriptor. Plain data apart from the callbacks some kinds carry. */
export interface Op {
  readonly kind: OpKind;
  /** Object id (engine object table) the op touches; -1 when none. */
  readonly obj: number;
  /** Source label: the C function / line this op models, e.g. `__vunmap: atomic_sub(used)`. */
  readonly label: string;
  /** Choose: number of alternatives. Acquire: 1 = shared (reader) mode. Join: target thread. */
  readonly n?: number;
  /** Wait: the condition that enables the op (must be a pure function of model state). */
  readonly until?: () => boolean;
  /** Spawn: the new thread's body and name. */
  readonly body?: ThreadBody;
  readonly name?: string;
  /** Device / Fence: a free-form detail for reports (address, ordering). */
  readonly detail?: string;
}

const NO_OBJ = -1;

/** Constructors. Thread code usually goes through primitives; these are for primitives. */
export const op = {
  read: (obj: number, label: string): Op => ({ kind: OpKind.Read, obj, label }),
  write: (obj: number, label: string): Op => ({ kind: OpKind.Write, obj, label }),
  rmw: (obj: number, label: string): Op => ({ kind: OpKind.Rmw, obj, label }),
  plainRead: (obj: number, label: string): Op => ({ kind: OpKind.PlainRead, obj, label }),
  plainWrite: (obj: number, label: string): Op => ({ kind: OpKind.PlainWrite, obj, label }),
  acquire: (obj: number, label: string, shared = false): Op =>
    ({ kind: OpKind.Acquire, obj, label, n: shared ? 1 : 0 }),
  release: (obj: number, label: string): Op => ({ kind: OpKind.Release, obj, label }),
  tryAcquire: (obj: number, label: string): Op => ({ kind: OpKind.TryAcquire, obj, label }),
  wait: (obj: number, label: string, until: () => boolean): Op =>
    ({ kind: OpKind.Wait, obj, label, until }),
  choose: (n: number, label: string): Op => ({ kind: OpKind.Choose, obj: NO_OBJ, label, n }),
  spawn: (body: ThreadBody, name: string, label: string): Op =>
    ({ kind: OpKind.Spawn, obj: NO_OBJ, label, body, name }),
  join: (target: number, label: string): Op => ({ kind: OpKind.Join, obj: NO_OBJ, label, n: target }),
  alloc: (obj: number, label: string): Op => ({ kind: OpKind.Alloc, obj, label }),
  free: (obj: number, label: string): Op => ({ kind: OpKind.Free, obj, label }),
  fence: (label: string, detail = 'full'): Op => ({ kind: OpKind.Fence, obj: NO_OBJ, label, detail }),
  yield: (label: string): Op => ({ kind: OpKind.Yield, obj: NO_OBJ, label }),
  device: (obj: number, label: string, detail: string): Op => ({ kind: OpKind.Device, obj, label, detail }),
};

/** Two ops are dependent when they touch the same object and are not both reads. */
export function dependent(a: Op, b: Op): boolean {
  if (a.obj < 0 || a.obj !== b.obj) return false;
  const x = accessOf(a.kind);
  const y = accessOf(b.kind);
  if (x === Access.None || y === Access.None) return false;
  return !(x === Access.Read && y === Access.Read);
}

/** Short human description of an op, e.g. `rmw used#3 (vm_area_used_inc)`. */
export function describeOp(o: Op, objName?: (id: number) => string): string {
  const kind = OP_KIND_NAMES[o.kind] ?? `op${o.kind}`;
  const target = o.obj >= 0 ? ` ${objName ? objName(o.obj) : `#${o.obj}`}` : '';
  const extra = o.kind === OpKind.Choose ? `(${o.n ?? 0})` : o.kind === OpKind.Join ? ` T${o.n ?? -1}` : '';
  return `${o.label} [${kind}${target}${extra}]`;
}
