/**
 * Op descriptors: the plain-data vocabulary a model thread yields at every visible operation.
 *
 * Follows the execution model of DESIGN.md §2: a thread is a generator; each `yield` hands the
 * engine one op (a scheduling point); the engine decides when the thread may run it and resumes the
 * generator with the op's result. Effects on model state are performed by the thread itself right
 * after it is resumed, so "announce, then act atomically until the next yield" is the contract.
 *
 * Access classes (read / write / acquire / none) drive both the KCSAN-style race detector and the
 * dependency relation used by DPOR and the preemption minimizer. A memory-order tag (`mo`, the
 * LKMM's annotations of tools/memory-model/linux-kernel.def: ONCE, ACQUIRE, RELEASE, MB, NORETURN,
 * and the fence kinds) says what a marked access or fence orders; sync.ts turns it into
 * happens-before for the race detector. An op without a tag is sequentially consistent (the engine's
 * own Atomic, Cell, Mutex: C11 seq_cst). A Wait names the objects its condition reads (`reads`);
 * without them the condition may read anything, and every other thread's op is dependent with it.
 * Leaves out: the weak-memory semantics of the tags (a memory model interprets them).
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
  /** Memory barrier (smp_mb, smp_wmb, ...): orders through happens-before; `mo` says which. */
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

/**
 * Memory-order tags (`Op.mo`). Accesses: the LKMM's annotations (linux-kernel.def) plus SC for the
 * engine's own primitives and DATA_RACE for `data_race()`. Fences: one tag per kernel barrier.
 */
export const Mo = {
  /** Untagged: sequentially consistent (loads acquire, stores and RMWs acquire and release). */
  Sc: 0,
  /** READ_ONCE / WRITE_ONCE / atomic_read / atomic_set / *_relaxed: marked, orders nothing. */
  Once: 1,
  /** smp_load_acquire, *_acquire RMWs, rcu_dereference for the race detector. */
  Acquire: 2,
  /** smp_store_release, rcu_assign_pointer, *_release RMWs. */
  Release: 3,
  /** Fully ordered RMW (value-returning atomics, xchg, successful cmpxchg): smp_mb() on both sides. */
  Mb: 4,
  /** Non-value-returning RMW (atomic_inc, set_bit): marked, orders nothing. */
  Noreturn: 5,
  /** A plain access inside data_race(): intentionally racy, never reported. */
  DataRace: 6,
  /** rcu_dereference: ONCE plus an address dependency for the LKMM; an acquire for the race detector. */
  Consume: 7,
  /** Fences. */
  FenceMb: 8,
  FenceWmb: 9,
  FenceRmb: 10,
  BeforeAtomic: 11,
  AfterAtomic: 12,
  AfterSpinlock: 13,
  AfterUnlockLock: 14,
  /** barrier(): a compiler barrier, no CPU ordering. */
  Barrier: 15,
  /** RCU: the outermost rcu_read_lock / rcu_read_unlock, a grace period's start and end, call_rcu. */
  RcuLock: 16,
  RcuUnlock: 17,
  GpStart: 18,
  GpEnd: 19,
  CallRcu: 20,
  /** A queued RCU callback starts (its op's `n` is the call_rcu's serial): ordered after a grace period. */
  RcuCallback: 21,
} as const;
export type Mo = (typeof Mo)[keyof typeof Mo];

export const MO_NAMES: Readonly<Record<number, string>> = {
  0: 'sc', 1: 'once', 2: 'acquire', 3: 'release', 4: 'mb', 5: 'noreturn', 6: 'data_race', 7: 'rcu_dereference',
  8: 'smp_mb', 9: 'smp_wmb', 10: 'smp_rmb', 11: 'smp_mb__before_atomic', 12: 'smp_mb__after_atomic',
  13: 'smp_mb__after_spinlock', 14: 'smp_mb__after_unlock_lock', 15: 'barrier',
  16: 'rcu_read_lock', 17: 'rcu_read_unlock', 18: 'synchronize_rcu (start)', 19: 'synchronize_rcu (end)',
  20: 'call_rcu', 21: 'rcu callback',
};


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
  /**
   * Choose: number of alternatives. Acquire: 1 = shared (reader) mode. Join: target thread. Rmw:
   * RMW_CONDITIONAL for an RMW that may not store (cmpxchg).
   */
  readonly n?: number | undefined;
  /** Wait: the condition that enables the op (must be a pure function of model state). */
  readonly until?: (() => boolean) | undefined;
  /**
   * Wait: the objects the condition reads. Absent: it may read anything (model state, other
   * threads' progress), so the wait is dependent with every other thread's op (sound, and DPOR
   * explores more). When given, the engine checks it: a condition that changes after an op on an
   * object not listed is reported as a usage error (docs/soundness.md).
   */
  readonly reads?: readonly number[] | undefined;
  /** Memory-order tag (Mo) of an access or fence; absent: Mo.Sc. */
  readonly mo?: Mo | undefined;
  /** Spawn: the new thread's body and name. */
  readonly body?: ThreadBody | undefined;
  readonly name?: string | undefined;
  /** Device / Fence: a free-form detail for reports (address, ordering). */
  readonly detail?: string | undefined;
}

const NO_OBJ = -1;
/** `Op.n` of a conditional RMW (op.rmwCond). */
export const RMW_CONDITIONAL = 1;

/**
 * Every op the constructors build has one object shape: all fields present, in this order, the
 * unused ones undefined. The step loop reads ops of every kind at the same few sites; one shape
 * keeps those reads monomorphic (a spread or a literal with its own field set gives V8 a new
 * hidden class: the symmetry gate's spread ops cost ~25 % of a DPOR run of the seed-000
 * miniature). Ops a model writes as literals still work, only slower.
 */
const mk = (kind: OpKind, obj: number, label: string, mo: Mo | undefined, n: number | undefined, until: (() => boolean) | undefined,
  reads: readonly number[] | undefined, body: ThreadBody | undefined, name: string | undefined, detail: string | undefined): Op =>
  ({ kind, obj, label, mo, n, until, reads, body, name, detail });
const U = undefined;

/** Constructors. Thread code usually goes through primitives; these are for primitives. */
export const op = {
  read: (obj: number, label: string, mo: Mo = Mo.Sc): Op => mk(OpKind.Read, obj, label, mo, U, U, U, U, U, U),
  /** `n`: a tag some memory-order kinds carry (the call_rcu serial of Mo.CallRcu / Mo.RcuCallback). */
  write: (obj: number, label: string, mo: Mo = Mo.Sc, n?: number): Op => mk(OpKind.Write, obj, label, mo, n, U, U, U, U, U),
  rmw: (obj: number, label: string, mo: Mo = Mo.Sc, detail?: string): Op => mk(OpKind.Rmw, obj, label, mo, U, U, U, U, U, detail),
  /**
   * A conditional RMW (cmpxchg, add_unless, inc_not_zero): when it leaves the value unchanged it
   * did not store, and a weak memory model gives it no ordering (linux-kernel.bell's FailedRMW).
   */
  rmwCond: (obj: number, label: string, mo: Mo = Mo.Sc): Op => mk(OpKind.Rmw, obj, label, mo, RMW_CONDITIONAL, U, U, U, U, U),
  plainRead: (obj: number, label: string, mo: Mo = Mo.Sc): Op => mk(OpKind.PlainRead, obj, label, mo, U, U, U, U, U, U),
  plainWrite: (obj: number, label: string, mo: Mo = Mo.Sc): Op => mk(OpKind.PlainWrite, obj, label, mo, U, U, U, U, U, U),
  acquire: (obj: number, label: string, shared = false): Op => mk(OpKind.Acquire, obj, label, U, shared ? 1 : 0, U, U, U, U, U),
  /** `shared`: the release of a reader (shared-mode) hold. */
  release: (obj: number, label: string, shared = false): Op => mk(OpKind.Release, obj, label, U, shared ? 1 : U, U, U, U, U, U),
  tryAcquire: (obj: number, label: string): Op => mk(OpKind.TryAcquire, obj, label, U, U, U, U, U, U, U),
  /**
   * `reads`: the objects `until` reads (see Op.reads); absent: anything. `detail`: what the thread
   * waits for, in words (stuck reports); `mo`: an ordering tag (RCU's lock and grace-period ends).
   */
  wait: (obj: number, label: string, until: () => boolean, reads?: readonly number[], detail?: string, mo?: Mo): Op =>
    mk(OpKind.Wait, obj, label, mo, U, until, reads, U, U, detail),
  choose: (n: number, label: string): Op => mk(OpKind.Choose, NO_OBJ, label, U, n, U, U, U, U, U),
  spawn: (body: ThreadBody, name: string, label: string): Op => mk(OpKind.Spawn, NO_OBJ, label, U, U, U, U, body, name, U),
  join: (target: number, label: string): Op => mk(OpKind.Join, NO_OBJ, label, U, target, U, U, U, U, U),
  alloc: (obj: number, label: string): Op => mk(OpKind.Alloc, obj, label, U, U, U, U, U, U, U),
  free: (obj: number, label: string): Op => mk(OpKind.Free, obj, label, U, U, U, U, U, U, U),
  fence: (label: string, mo: Mo = Mo.FenceMb): Op => mk(OpKind.Fence, NO_OBJ, label, mo, U, U, U, U, U, MO_NAMES[mo] ?? 'fence'),
  yield: (label: string): Op => mk(OpKind.Yield, NO_OBJ, label, U, U, U, U, U, U, U),
  device: (obj: number, label: string, detail: string): Op => mk(OpKind.Device, obj, label, U, U, U, U, U, U, detail),
};

/** `Op.reads` of a Wait whose condition reads only the Wait's own object. */
export const READS_OWN: readonly number[] = Object.freeze([]);

/** A Wait whose condition may read anything (no `reads`): dependent with every op. */
export function readsAnything(o: Op): boolean {
  return o.kind === OpKind.Wait && o.reads === undefined;
}

/** Does Wait `w` (with `reads`) read object `obj`? */
function waitReads(w: Op, obj: number): boolean {
  const r = w.reads;
  if (r === undefined) return true;
  if (obj === w.obj) return true;
  for (let i = 0; i < r.length; i++) if (r[i] === obj) return true;
  return false;
}

/** Is Wait `w` dependent with op `o` of another thread? */
function waitDependent(w: Op, o: Op): boolean {
  if (w.reads === undefined) return true;
  if (o.kind === OpKind.Wait) return o.reads === undefined;
  const acc = accessOf(o.kind);
  return o.obj >= 0 && acc !== Access.Read && acc !== Access.None && waitReads(w, o.obj);
}

/**
 * Two ops are dependent when they touch the same object and are not both reads; a Wait is also
 * dependent with every write of an object its condition reads (every op, when it does not say).
 */
export function dependent(a: Op, b: Op): boolean {
  if (a.kind === OpKind.Wait) return waitDependent(a, b);
  if (b.kind === OpKind.Wait) return waitDependent(b, a);
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
