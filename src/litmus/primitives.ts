/**
 * The primitives a C litmus test may call: the macros of tools/memory-model/linux-kernel.def
 * (READ_ONCE ... atomic_add_unless), with the shape of their arguments and whether they return a
 * value. How an argument names memory follows the .def: `READ_ONCE(X)` expands to
 * `__load{ONCE}(X)`, so X is the location itself, written `*p` ('loc'); `smp_load_acquire(X)`
 * expands to `__load{ACQUIRE}(*X)`, so X is a pointer ('ptr'). `cls` says which kind of shared
 * object the location must be: any int/pointer cell (an atomic_t too), an atomic_t (the arithmetic
 * RMWs, which only atomic_t has), or a spinlock_t.
 * The implementation of each primitive in terms of the mapcheck API is in interp-prims.ts.
 * Leaves out (refused with one line): SRCU (srcu_read_lock, srcu_read_unlock, srcu_down_read,
 * srcu_up_read, synchronize_srcu, synchronize_srcu_expedited, smp_mb__after_srcu_read_unlock).
 */

export type ArgKind = 'loc' | 'ptr' | 'val';
export type LocClass = 'cell' | 'atomic' | 'lock' | 'none';

/** What a primitive does to its location: read it, write it, both atomically, lock ops, or nothing. */
export type Effect = 'read' | 'write' | 'rmw' | 'lock' | 'none';

export interface Prim {
  readonly name: string;
  readonly args: readonly ArgKind[];
  readonly returns: boolean;
  readonly cls: LocClass;
  readonly effect: Effect;
}

const table = new Map<string, Prim>();

function def(name: string, args: readonly ArgKind[], returns: boolean, cls: LocClass, effect: Effect): void {
  table.set(name, { name, args, returns, cls, effect });
}

const ORDERINGS = ['', '_relaxed', '_acquire', '_release'] as const;

// ONCE, release/acquire and friends.
def('READ_ONCE', ['loc'], true, 'cell', 'read');
def('WRITE_ONCE', ['loc', 'val'], false, 'cell', 'write');
def('smp_store_release', ['ptr', 'val'], false, 'cell', 'write');
def('smp_load_acquire', ['ptr'], true, 'cell', 'read');
def('rcu_assign_pointer', ['loc', 'val'], false, 'cell', 'write');
def('rcu_dereference', ['loc'], true, 'cell', 'read');
def('smp_store_mb', ['loc', 'val'], false, 'cell', 'write');
// Fences.
for (const f of ['smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__before_atomic', 'smp_mb__after_atomic', 'smp_mb__after_spinlock', 'smp_mb__after_unlock_lock', 'barrier']) {
  def(f, [], false, 'none', 'none');
}
// Exchange.
for (const o of ORDERINGS) {
  def(`xchg${o}`, ['ptr', 'val'], true, 'cell', 'rmw');
  def(`cmpxchg${o}`, ['ptr', 'val', 'val'], true, 'cell', 'rmw');
}
// Spinlocks.
def('spin_lock', ['ptr'], false, 'lock', 'lock');
def('spin_unlock', ['ptr'], false, 'lock', 'lock');
def('spin_trylock', ['ptr'], true, 'lock', 'lock');
def('spin_is_locked', ['ptr'], true, 'lock', 'lock');
// RCU.
for (const f of ['rcu_read_lock', 'rcu_read_unlock', 'synchronize_rcu', 'synchronize_rcu_expedited']) def(f, [], false, 'none', 'none');
// Atomic. atomic_read/set and atomic_xchg/cmpxchg are READ_ONCE/WRITE_ONCE/xchg/cmpxchg in the .def:
// any cell; the arithmetic RMWs need an atomic_t.
def('atomic_read', ['ptr'], true, 'cell', 'read');
def('atomic_set', ['ptr', 'val'], false, 'cell', 'write');
def('atomic_read_acquire', ['ptr'], true, 'cell', 'read');
def('atomic_set_release', ['ptr', 'val'], false, 'cell', 'write');
for (const op of ['add', 'sub', 'and', 'or', 'xor', 'andnot']) def(`atomic_${op}`, ['val', 'ptr'], false, 'atomic', 'rmw');
def('atomic_inc', ['ptr'], false, 'atomic', 'rmw');
def('atomic_dec', ['ptr'], false, 'atomic', 'rmw');
for (const o of ORDERINGS) {
  for (const op of ['add', 'sub']) def(`atomic_${op}_return${o}`, ['val', 'ptr'], true, 'atomic', 'rmw');
  for (const op of ['inc', 'dec']) {
    def(`atomic_${op}_return${o}`, ['ptr'], true, 'atomic', 'rmw');
    def(`atomic_fetch_${op}${o}`, ['ptr'], true, 'atomic', 'rmw');
  }
  for (const op of ['add', 'sub', 'and', 'or', 'xor', 'andnot']) def(`atomic_fetch_${op}${o}`, ['val', 'ptr'], true, 'atomic', 'rmw');
  def(`atomic_xchg${o}`, ['ptr', 'val'], true, 'cell', 'rmw');
  def(`atomic_cmpxchg${o}`, ['ptr', 'val', 'val'], true, 'cell', 'rmw');
  def(`atomic_add_negative${o}`, ['val', 'ptr'], true, 'atomic', 'rmw');
}
def('atomic_sub_and_test', ['val', 'ptr'], true, 'atomic', 'rmw');
def('atomic_dec_and_test', ['ptr'], true, 'atomic', 'rmw');
def('atomic_inc_and_test', ['ptr'], true, 'atomic', 'rmw');
def('atomic_add_unless', ['ptr', 'val', 'val'], true, 'atomic', 'rmw');

/** The primitive called `name`, or undefined. */
export function primitive(name: string): Prim | undefined {
  return table.get(name);
}

/** Every supported primitive name (for tests and listings). */
export function primitiveNames(): string[] {
  return [...table.keys()];
}

const SRCU = new Set([
  'srcu_read_lock', 'srcu_read_unlock', 'srcu_down_read', 'srcu_up_read', 'synchronize_srcu',
  'synchronize_srcu_expedited', 'smp_mb__after_srcu_read_unlock',
]);

/** Why a call the front end does not support is refused (for the one-line error). */
export function whyUnsupported(name: string): string {
  if (SRCU.has(name)) return 'SRCU is not supported by the mapcheck litmus front end';
  return 'not a primitive of linux-kernel.def';
}
