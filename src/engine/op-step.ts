/**
 * OpStep: a hand-written iterator for a primitive that is exactly one op (atomic load / store /
 * RMW, plain cell get / set, lock / unlock). Thread code uses it exactly like a generator helper,
 * `const v = yield* counter.add(1)`: the first `next()` hands out the op descriptor, the second
 * (when the engine resumes the thread) performs the effect through the primitive's `finish` and
 * returns the result.
 *
 * Why not a generator method: on the hot path a `yield*` into a generator costs a generator object,
 * a second frame resume and two iterator-result objects per op. This iterator is one small object
 * that is also its own iterator result: `yield*` in a sync generator passes the inner result
 * through unchanged (ECMA-262, GeneratorYield of innerResult), so the engine reads `value` and
 * `done` straight off it. The engine never calls `throw()`/`return()` on threads, so neither is
 * provided (a thread abandoned mid-op is simply dropped).
 * Leaves out: multi-op helpers (src/linux keeps generator functions for those, they read best).
 */
import type { Op } from './ops.js';

/** A primitive that completes its one-op steps: `code` says which effect, `a`/`b` its operands. */
export interface StepHost {
  finish(code: number, a: unknown, b: unknown, result: unknown): unknown;
}

/** The iterator (and iterator result) of one single-op primitive call. */
export class OpStep<R> {
  value: unknown;
  done = false;
  private started = false;

  constructor(
    private readonly host: StepHost,
    private readonly code: number,
    op: Op,
    private readonly a: unknown,
    private readonly b: unknown,
  ) {
    this.value = op;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** First call: the op (a yield). Second call, with the engine's result: the effect (the return). */
  next(result?: unknown): IteratorResult<Op, R> {
    if (this.started) {
      this.value = this.host.finish(this.code, this.a, this.b, result);
      this.done = true;
    } else {
      this.started = true;
    }
    return this as unknown as IteratorResult<Op, R>;
  }
}
