/**
 * `Field<T>`: a plain member of a kernel struct. Plain loads and stores are race-checked with the
 * engine's vector clocks (two unordered accesses to it, at least one a write and at least one
 * plain, is a data race: a plain access racing with READ_ONCE / WRITE_ONCE counts too); marked
 * accesses never race with each other. A field created with the
 * struct's block id dies with the struct: any access after kfree is a KASAN use-after-free.
 *
 * Follows the KCSAN model (Documentation/dev-tools/kcsan.rst) and the LKMM's access tags
 * (tools/memory-model/linux-kernel.def): plain vs marked accesses, READ_ONCE / WRITE_ONCE (ONCE:
 * marked, unordered), smp_load_acquire / smp_store_release, xchg / cmpxchg and their _relaxed /
 * _acquire / _release forms on any value (pointers too), smp_store_mb, and data_race().
 * Leaves out: access widths and bit-fields (one field = one object), KCSAN's assert_* helpers,
 * try_cmpxchg (use cmpxchg and compare).
 */
import { currentExecution, peekValue } from '../engine/execution.js';
import { OpStep, type StepHost } from '../engine/op-step.js';
import { Mo, type Op, OpKind, op } from '../engine/ops.js';

type G<R> = Generator<Op, R, unknown>;

const LOAD = 0;
const STORE = 1;

/**
 * A plain or marked access of a field is one op: it is an OpStep (one small iterator, no generator
 * object, no iterator results), and the op descriptor is reused while the same kind and label
 * repeat (ops are immutable). Default labels are formatted only when a call has none.
 */
export class Field<T> implements StepHost {
  readonly id: number;
  /**
   * The raw value (unchecked: initialising a struct no other thread can reach yet). Invariants and
   * reports read `value`; thread code that reads `value` is checked (engine/peek.ts).
   */
  v: T;
  /** The last op of each access kind (reused while its label repeats). */
  private plainRead: Op | undefined = undefined;
  private plainWrite: Op | undefined = undefined;
  private markedRead: Op | undefined = undefined;
  private markedWrite: Op | undefined = undefined;
  constructor(init: T, readonly name: string, block = -1) {
    const exec = currentExecution();
    this.id = exec.objects.add('field', name, block, true);
    this.v = init;
    // Under the LKMM the execution graph decides what each read returns (engine/lkmm/memory.ts).
    exec.mm?.register(this.id, this);
  }
  mmLoad(): unknown {
    return this.v;
  }
  mmStore(v: unknown): void {
    this.v = v as T;
  }
  get value(): T {
    peekValue(this.id);
    return this.v;
  }
  /** Plain load `x = s->f` (race-checked). */
  get(label?: string): OpStep<T> {
    let o = this.plainRead;
    const l = label ?? `read ${this.name}`;
    if (o === undefined || o.label !== l) this.plainRead = o = op.plainRead(this.id, l);
    return new OpStep(this, LOAD, o, undefined, undefined);
  }
  /** Plain store `s->f = x` (race-checked). */
  set(x: T, label?: string): OpStep<void> {
    let o = this.plainWrite;
    const l = label ?? `write ${this.name}`;
    if (o === undefined || o.label !== l) this.plainWrite = o = op.plainWrite(this.id, l);
    return new OpStep(this, STORE, o, x, undefined);
  }
  /** READ_ONCE(s->f): a marked load (orders nothing by itself). */
  once(label?: string): OpStep<T> {
    let o = this.markedRead;
    const l = label ?? `READ_ONCE(${this.name})`;
    if (o === undefined || o.label !== l) this.markedRead = o = op.read(this.id, l, Mo.Once);
    return new OpStep(this, LOAD, o, undefined, undefined);
  }
  /** WRITE_ONCE(s->f, x): a marked store (orders nothing by itself). */
  setOnce(x: T, label?: string): OpStep<void> {
    let o = this.markedWrite;
    const l = label ?? `WRITE_ONCE(${this.name})`;
    if (o === undefined || o.label !== l) this.markedWrite = o = op.write(this.id, l, Mo.Once);
    return new OpStep(this, STORE, o, x, undefined);
  }
  /** The effect of a step, run when the engine resumes the thread (see op-step.ts). */
  finish(code: number, a: unknown): unknown {
    if (code === LOAD) return this.v;
    this.v = a as T;
    return undefined;
  }
}

/** READ_ONCE(f). */
export function* READ_ONCE<T>(f: Field<T>, label?: string): G<T> {
  return yield* f.once(label);
}

/** WRITE_ONCE(f, x). */
export function* WRITE_ONCE<T>(f: Field<T>, x: T, label?: string): G<void> {
  yield* f.setOnce(x, label);
}

/** smp_load_acquire(&f): a marked load that orders every later access after it. */
export function* smp_load_acquire<T>(f: Field<T>, label = 'smp_load_acquire'): G<T> {
  yield op.read(f.id, label, Mo.Acquire);
  return f.v;
}

/** smp_store_release(&f, x): a marked store ordered after every earlier access. */
export function* smp_store_release<T>(f: Field<T>, x: T, label = 'smp_store_release'): G<void> {
  yield op.write(f.id, label, Mo.Release);
  f.v = x;
}

/** smp_store_mb(f, x): WRITE_ONCE then smp_mb() (two ops). */
export function* smp_store_mb<T>(f: Field<T>, x: T, label = 'smp_store_mb'): G<void> {
  yield* f.setOnce(x, label);
  yield op.fence(label, Mo.FenceMb);
}

function* exchange<T>(f: Field<T>, x: T, mo: Mo, label: string): G<T> {
  yield op.rmw(f.id, label, mo);
  const old = f.v;
  f.v = x;
  return old;
}

/** xchg(&f, x): store x, return the old value; fully ordered. Works on pointer values too. */
export function* xchg<T>(f: Field<T>, x: T, label = 'xchg'): G<T> {
  return yield* exchange(f, x, Mo.Mb, label);
}

export function* xchg_relaxed<T>(f: Field<T>, x: T, label = 'xchg_relaxed'): G<T> {
  return yield* exchange(f, x, Mo.Once, label);
}

export function* xchg_acquire<T>(f: Field<T>, x: T, label = 'xchg_acquire'): G<T> {
  return yield* exchange(f, x, Mo.Acquire, label);
}

export function* xchg_release<T>(f: Field<T>, x: T, label = 'xchg_release'): G<T> {
  return yield* exchange(f, x, Mo.Release, label);
}

function* __cmpxchg<T>(f: Field<T>, old: T, x: T, mo: Mo, label: string): G<T> {
  yield op.rmwCond(f.id, label, mo);
  const cur = f.v;
  if (cur === old) f.v = x;
  return cur;
}

/**
 * cmpxchg(&f, old, x): store x when the value is `old` (=== : pointer identity for objects);
 * returns the value found. Fully ordered (the race detector also orders a failed one; the LKMM
 * memory model does not).
 */
export function* cmpxchg<T>(f: Field<T>, old: T, x: T, label = 'cmpxchg'): G<T> {
  return yield* __cmpxchg(f, old, x, Mo.Mb, label);
}

export function* cmpxchg_relaxed<T>(f: Field<T>, old: T, x: T, label = 'cmpxchg_relaxed'): G<T> {
  return yield* __cmpxchg(f, old, x, Mo.Once, label);
}

export function* cmpxchg_acquire<T>(f: Field<T>, old: T, x: T, label = 'cmpxchg_acquire'): G<T> {
  return yield* __cmpxchg(f, old, x, Mo.Acquire, label);
}

export function* cmpxchg_release<T>(f: Field<T>, old: T, x: T, label = 'cmpxchg_release'): G<T> {
  return yield* __cmpxchg(f, old, x, Mo.Release, label);
}

/**
 * data_race(expr): the plain accesses of `g` (a Field's get/set, or any helper made of them) are
 * intentionally racy: never reported, as KCSAN ignores them. `yield* data_race(s->stat.get())`.
 */
export function* data_race<R>(g: Iterator<Op, R, unknown>): G<R> {
  let r = g.next();
  while (r.done !== true) {
    const o = r.value;
    const racy = o.kind === OpKind.PlainRead || o.kind === OpKind.PlainWrite ? { ...o, mo: Mo.DataRace } : o;
    r = g.next(yield racy);
  }
  return r.value;
}
