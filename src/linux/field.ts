/**
 * `Field<T>`: a plain member of a kernel struct. Plain loads and stores are race-checked with the
 * engine's vector clocks (KCSAN: two unordered accesses, one a write, is a data race); READ_ONCE /
 * WRITE_ONCE are marked (atomic) accesses that are never reported. A field created with the
 * struct's block id dies with the struct: any access after kfree is a KASAN use-after-free.
 *
 * Follows the KCSAN model (Documentation/dev-tools/kcsan.rst): plain vs marked accesses.
 * Leaves out: access widths and bit-fields (one field = one object), KCSAN's assert_* helpers.
 */
import { currentExecution } from '../engine/execution.js';
import { OpStep, type StepHost } from '../engine/op-step.js';
import { type Op, op } from '../engine/ops.js';

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
  /** The value; tests and invariants may read it directly (not an op). */
  v: T;
  /** The last op of each access kind (reused while its label repeats). */
  private plainRead: Op | undefined = undefined;
  private plainWrite: Op | undefined = undefined;
  private markedRead: Op | undefined = undefined;
  private markedWrite: Op | undefined = undefined;
  constructor(init: T, readonly name: string, block = -1) {
    this.id = currentExecution().objects.add('field', name, block);
    this.v = init;
  }
  get value(): T {
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
  /** READ_ONCE(s->f): a marked load. */
  once(label?: string): OpStep<T> {
    let o = this.markedRead;
    const l = label ?? `READ_ONCE(${this.name})`;
    if (o === undefined || o.label !== l) this.markedRead = o = op.read(this.id, l);
    return new OpStep(this, LOAD, o, undefined, undefined);
  }
  /** WRITE_ONCE(s->f, x): a marked store. */
  setOnce(x: T, label?: string): OpStep<void> {
    let o = this.markedWrite;
    const l = label ?? `WRITE_ONCE(${this.name})`;
    if (o === undefined || o.label !== l) this.markedWrite = o = op.write(this.id, l);
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

/** smp_load_acquire(&f). Same as READ_ONCE under sequential consistency. */
export function* smp_load_acquire<T>(f: Field<T>, label = 'smp_load_acquire'): G<T> {
  return yield* f.once(label);
}

/** smp_store_release(&f, x). Same as WRITE_ONCE under sequential consistency. */
export function* smp_store_release<T>(f: Field<T>, x: T, label = 'smp_store_release'): G<void> {
  yield* f.setOnce(x, label);
}

/** smp_mb() / smp_wmb() / smp_rmb(): recorded fences (no effect under SC). */
export function* smp_mb(label = 'smp_mb'): G<void> {
  yield op.fence(label, 'full');
}

export function* smp_wmb(label = 'smp_wmb'): G<void> {
  yield op.fence(label, 'store');
}

export function* smp_rmb(label = 'smp_rmb'): G<void> {
  yield op.fence(label, 'load');
}
