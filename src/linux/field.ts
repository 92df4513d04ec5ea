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
import { type Op, op } from '../engine/ops.js';

type G<R> = Generator<Op, R, unknown>;

export class Field<T> {
  readonly id: number;
  /** The value; tests and invariants may read it directly (not an op). */
  v: T;
  private readonly readLabel: string;
  private readonly writeLabel: string;
  constructor(init: T, readonly name: string, block = -1) {
    this.id = currentExecution().objects.add('field', name, block);
    this.v = init;
    this.readLabel = `read ${name}`;
    this.writeLabel = `write ${name}`;
  }
  get value(): T {
    return this.v;
  }
  /** Plain load `x = s->f` (race-checked). */
  *get(label = this.readLabel): G<T> {
    yield op.plainRead(this.id, label);
    return this.v;
  }
  /** Plain store `s->f = x` (race-checked). */
  *set(x: T, label = this.writeLabel): G<void> {
    yield op.plainWrite(this.id, label);
    this.v = x;
  }
  /** READ_ONCE(s->f): a marked load. */
  *once(label = `READ_ONCE(${this.name})`): G<T> {
    yield op.read(this.id, label);
    return this.v;
  }
  /** WRITE_ONCE(s->f, x): a marked store. */
  *setOnce(x: T, label = `WRITE_ONCE(${this.name})`): G<void> {
    yield op.write(this.id, label);
    this.v = x;
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
