/**
 * What each primitive of linux-kernel.def does, in mapcheck's public API: READ_ONCE(*x) is
 * `READ_ONCE(field)`, smp_store_release(x, v) `smp_store_release(field, v)`, xchg_acquire on an
 * atomic_t `atomic_xchg_acquire(a, v)`, smp_mb() `smp_mb()`, spin_lock(s) `spin_lock(lock)`, and
 * so on (the helper of the same name wherever src/linux has one). Before each access it declares
 * the access's dependencies (`addr_dep` for the taint of its address, `data_dep` for the taint of
 * the value it writes); after a read it names the read's event (`lastEvent()`) as the taint of the
 * value read, plus, for a location only this process writes, the taint of the value its latest
 * write stored there (linux-kernel.bell's carry-dep, `data ; rfi`, which is certain there).
 * On an atomic_t, READ_ONCE / WRITE_ONCE / xchg / cmpxchg are atomic_read / atomic_set /
 * atomic_xchg / atomic_cmpxchg, as the .def defines the latter as the former.
 * Leaves out: SRCU (refused by the parser); rcu_dereference outside rcu_read_lock() uses
 * rcu_dereference_check(p, true), as herd7 does not require a read-side section.
 */
import * as K from '../index.js';
import { AtomicT, Field, SpinlockT, addr_dep, data_dep, lastEvent } from '../index.js';
import type { Prim } from './primitives.js';
import { primitiveNames, primitive } from './primitives.js';
import { type LocObj, NO_TAINT, type TV, type Taint, type Value, union } from './values.js';

type G<R> = Generator<K.Op, R, unknown>;
type Helper = (...args: unknown[]) => G<unknown>;

const API = K as unknown as Record<string, unknown>;

function helper(name: string): Helper {
  const f = API[name];
  if (typeof f !== 'function') throw new Error(`mapcheck has no helper ${name}()`);
  return f as Helper;
}

/** The mapcheck helpers a primitive may call on each kind of location (for the coverage test). */
export function helperNames(p: Prim): string[] {
  const n = p.name;
  if (p.cls === 'atomic' || p.effect === 'none' || p.effect === 'lock') return [n === 'synchronize_rcu_expedited' ? 'synchronize_rcu' : n];
  if (/xchg/.test(n)) {
    const base = n.replace(/^atomic_/, '');
    return [base, `atomic_${base}`];
  }
  return [...(FIELD_OPS[n] ?? []), ...(ATOMIC_OPS[n] ?? [])];
}

/** Every primitive whose helpers mapcheck lacks (empty when the API covers the .def). */
export function missingHelpers(): string[] {
  return primitiveNames().filter((n) => helperNames(primitive(n) as Prim).some((h) => typeof API[h] !== 'function'));
}

const FIELD_OPS: Readonly<Record<string, readonly string[]>> = {
  READ_ONCE: ['READ_ONCE'], atomic_read: ['READ_ONCE'], smp_load_acquire: ['smp_load_acquire'], atomic_read_acquire: ['smp_load_acquire'],
  rcu_dereference: ['rcu_dereference', 'rcu_dereference_check'],
  WRITE_ONCE: ['WRITE_ONCE'], atomic_set: ['WRITE_ONCE'], smp_store_release: ['smp_store_release'], atomic_set_release: ['smp_store_release'],
  rcu_assign_pointer: ['rcu_assign_pointer'], smp_store_mb: ['smp_store_mb'],
};
const ATOMIC_OPS: Readonly<Record<string, readonly string[]>> = {
  READ_ONCE: ['atomic_read'], atomic_read: ['atomic_read'], rcu_dereference: ['atomic_read'],
  smp_load_acquire: ['atomic_read_acquire'], atomic_read_acquire: ['atomic_read_acquire'],
  WRITE_ONCE: ['atomic_set'], atomic_set: ['atomic_set'], smp_store_release: ['atomic_set_release'], atomic_set_release: ['atomic_set_release'],
  rcu_assign_pointer: ['atomic_set_release'], smp_store_mb: ['atomic_set', 'smp_mb'],
};

/** What an access needs from the thread running it. */
export interface AccessCtx {
  /** Taint of the value this process last wrote to `o`, when only this process writes `o`. */
  carried(o: LocObj): Taint | null;
  /** This process wrote a value with taint `t` to `o`. */
  stored(o: LocObj, t: Taint): void;
  name(o: LocObj): string;
  /** A run-time error at the call's line. */
  fail(msg: string): never;
  /**
   * Told of RCU read-side sections and lock ownership, for herd7's flags (unmatched-unlock, ...);
   * false for an unlock of a lock this process does not hold.
   */
  track(event: 'rcu-lock' | 'rcu-unlock' | 'lock' | 'unlock', o: LocObj | null): boolean;
  /** Optional: told each read event and each dependency declared (tests, explanations). */
  readonly trace: ((kind: 'read' | 'addr' | 'data' | 'ctrl', events: Taint, label: string) => void) | null;
}

const ZERO: TV = { v: 0, t: NO_TAINT };

/** Declare the next access's dependencies: on the reads its address and its stored value came from. */
function declare(c: AccessCtx, addrT: Taint, dataT: Taint, label: string): void {
  if (addrT.length > 0) {
    addr_dep(...addrT);
    c.trace?.('addr', addrT, label);
  }
  if (dataT.length > 0) {
    data_dep(...dataT);
    c.trace?.('data', dataT, label);
  }
}

/** The value just read by the thread's last op, tainted by that read (and carry-dep). */
function readValue(c: AccessCtx, o: LocObj, v: unknown, label: string): TV {
  const ev = lastEvent();
  const own = c.carried(o);
  const t: Taint = ev >= 0 ? [ev] : NO_TAINT;
  c.trace?.('read', t, label);
  return { v: typeof v === 'boolean' ? (v ? 1 : 0) : (v as Value | undefined) ?? 0, t: own ? union(t, own) : t };
}

function asNumber(c: AccessCtx, v: Value, what: string): number {
  if (typeof v !== 'number') c.fail(`${what} cannot store the address of ${c.name(v)} in an atomic_t`);
  return v;
}

/**
 * Perform primitive `p` on location `o` (null for fences and RCU) with value arguments `vals`
 * (in the primitive's order, locations left out); `addrT` is the taint of `o`'s address.
 */
export function* performPrim(p: Prim, c: AccessCtx, o: LocObj | null, addrT: Taint, vals: readonly TV[], label: string): G<TV> {
  const n = p.name;
  if (p.effect === 'none') {
    if (n === 'rcu_read_lock' || n === 'rcu_read_unlock') c.track(n === 'rcu_read_lock' ? 'rcu-lock' : 'rcu-unlock', null);
    yield* helper(n === 'synchronize_rcu_expedited' ? 'synchronize_rcu' : n)(label);
    return ZERO;
  }
  if (o === null) return c.fail(`${n}() needs a location`);
  const dataT = vals.reduce<Taint>((t, x) => union(t, x.t), NO_TAINT);
  if (p.effect === 'lock') {
    if (!(o instanceof SpinlockT)) return c.fail(`${n}() on ${c.name(o)}, which is not a spinlock_t`);
    declare(c, addrT, NO_TAINT, label);
    // herd7 flags an unlock of a lock not held (unmatched-unlock) and counts the execution; the
    // kernel's lockdep would end the thread, so the unlock is not performed.
    if (n === 'spin_unlock' && !c.track('unlock', o)) return ZERO;
    const r = yield* helper(n)(o, label);
    if (n === 'spin_lock' || (n === 'spin_trylock' && r === true)) c.track('lock', o);
    return p.returns ? readValue(c, o, r, label) : ZERO;
  }
  if (o instanceof SpinlockT) return c.fail(`${n}() on spinlock_t ${c.name(o)}`);
  if (p.cls === 'atomic' && !(o instanceof AtomicT)) return c.fail(`${n}() on ${c.name(o)}, which is not an atomic_t (declare it atomic_t)`);
  const atomic = o instanceof AtomicT;
  const args = vals.map((x) => (atomic ? asNumber(c, x.v, `${n}()`) : x.v));
  if (p.effect === 'read') {
    declare(c, addrT, NO_TAINT, label);
    const name = atomic ? (ATOMIC_OPS[n] as readonly string[])[0] as string : n === 'rcu_dereference' && !K.rcu_read_lock_held() ? 'rcu_dereference_check' : (FIELD_OPS[n] as readonly string[])[0] as string;
    const r = name === 'rcu_dereference_check' ? yield* helper(name)(o, true, label) : yield* helper(name)(o, label);
    return readValue(c, o, r, label);
  }
  declare(c, addrT, dataT, label);
  if (p.effect === 'write') {
    const [first, second] = (atomic ? ATOMIC_OPS[n] : FIELD_OPS[n]) as readonly string[];
    yield* helper(first as string)(o, args[0], label);
    if (second !== undefined) yield* helper(second)(label);
    c.stored(o, dataT);
    return ZERO;
  }
  // Read-modify-writes: the .def's argument order is the kernel's, with the atomic_t in place of X.
  const kernelArgs: unknown[] = [];
  let vi = 0;
  for (const k of p.args) kernelArgs.push(k === 'val' ? args[vi++] : o);
  const fn = p.cls === 'atomic' ? n : /xchg/.test(n) ? (atomic ? `atomic_${n.replace(/^atomic_/, '')}` : n.replace(/^atomic_/, '')) : n;
  const r = yield* helper(fn)(...kernelArgs, label);
  const out = readValue(c, o, r, label);
  const failed = (/cmpxchg/.test(n) && r !== args[0]) || (n === 'atomic_add_unless' && r === false);
  if (!failed) c.stored(o, dataT);
  return p.returns ? out : ZERO;
}

/** `field.get()` / `field.set(v)`: a plain load or store of `*p`. */
export function* plainAccess(c: AccessCtx, o: LocObj, addrT: Taint, store: TV | null, label: string): G<TV> {
  if (!(o instanceof Field)) return c.fail(`plain access to ${o instanceof AtomicT ? 'atomic_t' : 'spinlock_t'} ${c.name(o)} (use atomic_read/atomic_set or READ_ONCE/WRITE_ONCE)`);
  if (store === null) {
    declare(c, addrT, NO_TAINT, label);
    return readValue(c, o, yield* o.get(label), label);
  }
  declare(c, addrT, store.t, label);
  yield* o.set(store.v, label);
  c.stored(o, store.t);
  return ZERO;
}
