// Reads of `.value` in thread code (src/engine/peek.ts): a read the scheduler cannot see, of an
// object another thread writes in an order DPOR could leave unexplored, is a usage violation and
// the run is never called exhaustive; reads of the thread's own granted object, of what only
// setup wrote, of values ordered by a lock both sides take, and reads in invariants stay clean.
import { describe, expect, it } from 'vitest';
import { Atomic, type Model, Mutex, check, defineModel, spawn, join, thread } from '../../src/index.js';

interface S { a: Atomic; b: Atomic; m: Mutex; seen: number[] }

type Shape = 'peek-racy' | 'peek-own-op' | 'peek-setup-only' | 'peek-under-lock' | 'invariant-only' | 'peek-in-child' | 'peek-twice';

function model(shape: Shape): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `peek/${shape}`,
    scenarios: { default: {} },
    setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b'), m: new Mutex('m'), seen: [] }),
    threads: (s) => [
      thread('reader', function* () {
        if (shape === 'peek-racy') {
          yield* s.b.store(1, 'reader: b = 1');
          s.seen.push(s.a.value); // thread code reads a behind the scheduler's back
        } else if (shape === 'peek-own-op') {
          yield* s.a.load('reader: load a');
          s.seen.push(s.a.value);
        } else if (shape === 'peek-setup-only') {
          yield* s.a.store(5, 'reader: a = 5');
          s.seen.push(s.b.value);
        } else if (shape === 'peek-under-lock') {
          yield* s.m.lock('reader: lock');
          yield* s.b.store(1, 'reader: b = 1');
          s.seen.push(s.a.value);
          yield* s.m.unlock('reader: unlock');
        } else if (shape === 'peek-twice') {
          // The first read is ordered by the lock both take; the second, after the unlock, is not.
          yield* s.m.lock('reader: lock');
          s.seen.push(s.a.value);
          yield* s.m.unlock('reader: unlock');
          yield* s.b.store(1, 'reader: b = 1');
          s.seen.push(s.a.value);
        } else if (shape === 'peek-in-child') {
          const c = yield* spawn(function* () {
            s.seen.push(s.a.value);
            yield* s.b.store(1, 'child: b = 1');
          }, 'child');
          yield* join(c);
        } else {
          yield* s.b.store(1, 'reader: b = 1');
        }
      }),
      thread('writer', function* () {
        if (shape === 'peek-setup-only') {
          yield* s.a.store(7, 'writer: a = 7');
          return;
        }
        const locked = shape === 'peek-under-lock' || shape === 'peek-twice';
        if (locked) yield* s.m.lock('writer: lock');
        yield* s.a.store(1, 'writer: a = 1');
        if (locked) yield* s.m.unlock('writer: unlock');
      }),
    ],
    invariants: [{ name: 'a is 0 or 1', check: (s) => s.a.value === 0 || s.a.value === 1 || s.a.value === 5 || s.a.value === 7 }],
  });
}

describe('reads of .value in thread code are checked at run time', () => {
  for (const strategy of ['dfs', 'dpor'] as const) {
    it(`${strategy}: a peek another thread's write can be reordered with is a usage violation, never exhaustive`, () => {
      for (const shape of ['peek-racy', 'peek-in-child', 'peek-twice'] as const) {
        for (const continueAfterViolation of [false, true]) {
          const r = check(model(shape), { strategy, maxExecutions: 200, continueAfterViolation });
          expect(r.finding?.violation.kind, shape).toBe('usage');
          expect(r.finding?.violation.message).toContain('read a.value in thread code, not through an op');
          expect(r.finding?.violation.message).toContain("writer");
          expect(r.exhaustive).toBe(false);
        }
      }
    });
    it(`${strategy}: reads the scheduler orders anyway are clean and exhaustive`, () => {
      for (const shape of ['peek-own-op', 'peek-setup-only', 'peek-under-lock', 'invariant-only'] as const) {
        const r = check(model(shape), { strategy, maxExecutions: 200 });
        expect(r.finding?.violation ?? null, shape).toBeNull();
        expect(r.exhaustive, shape).toBe(true);
      }
    });
  }
});
