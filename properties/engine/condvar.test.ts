// The engine's pthread-style primitives (src/engine/condvar.ts, prims.ts): a condition variable
// with its mutex (no lost wake-up with the predicate loop, a lost signal without it, signal wakes
// one waiter and every choice is explored, broadcast wakes all), spawn/join, and a raw Wait with a
// declared read set — the examples of src/linux/API.md's "Engine primitives" section.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Atomic, Cell, CondVar, Mutex, READS_OWN, defineModel, join, op, spawn, thread } from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from '../linux/helpers.js';

interface S { m: Mutex; cv: CondVar; ready: number; woke: string[]; data: Cell<number> }

function setup(): S {
  return { m: new Mutex('m'), cv: new CondVar('cv'), ready: 0, woke: [], data: new Cell(0, 'data') };
}

describe('CondVar', () => {
  it('predicate loop + signal under the mutex: the consumer always wakes and sees the data (no race)', () => {
    const m = defineModel<S, Record<string, never>>({
      name: 'engine-test/cv-handoff', scenarios: { default: {} }, setup,
      threads: (s) => [thread('consumer', function* () {
        yield* s.m.lock();
        while (s.ready === 0) yield* s.cv.wait(s.m);
        yield* s.m.unlock();
        yield* s.data.get();
      }), thread('producer', function* () {
        yield* s.data.set(1);
        yield* s.m.lock();
        s.ready = 1;
        yield* s.cv.signal();
        yield* s.m.unlock();
      })],
    });
    expectClean(exhaust(m));
    expectClean(dpor(m));
  });

  it('waiting without checking the predicate first loses a signal sent before the wait (deadlock)', () => {
    const m = defineModel<S, Record<string, never>>({
      name: 'engine-test/cv-lost', scenarios: { default: {} }, setup,
      threads: (s) => [thread('consumer', function* () {
        yield* s.m.lock();
        yield* s.cv.wait(s.m);
        yield* s.m.unlock();
      }), thread('producer', function* () {
        yield* s.m.lock();
        s.ready = 1;
        yield* s.cv.signal();
        yield* s.m.unlock();
      })],
    });
    const v = expectKind(exhaust(m), 'deadlock');
    expect(v.waits?.[0]?.waitsFor).toMatch(/a signal of cv/);
    expectKind(dpor(m), 'deadlock');
  });

  it('signal wakes exactly one of two waiters, either one (both explored); broadcast wakes both', () => {
    const run = (broadcast: boolean): { out: Outcomes; r: ReturnType<typeof exhaust> } => {
      const out = new Outcomes();
      const m = defineModel<S, Record<string, never>>({
        name: `engine-test/cv-${broadcast ? 'broadcast' : 'signal'}`, scenarios: { default: {} }, setup,
        threads: (s) => [
          ...[0, 1].map((i) => thread(`w${i}`, function* () {
            yield* s.m.lock();
            s.ready++;
            yield* s.cv.wait(s.m);
            s.woke.push(`w${i}`);
            yield* s.m.unlock();
          })),
          thread('waker', function* () {
            // Wake only once both wait (a raw wait on the mutex-protected count is not an op-level read: wait on the condvar).
            yield op.wait(s.cv.id, 'until both wait', () => s.cv.waiting === 2, READS_OWN);
            yield* (broadcast ? s.cv.broadcast() : s.cv.signal());
          }),
        ],
        final: [{ name: 'record', check: (s) => out.record(s.woke.join(',')) }],
      });
      return { out, r: exhaust(m) };
    };
    const sig = run(false);
    // One waiter is never woken: a deadlock, found with either one left asleep.
    expect(sig.r.finding?.violation.kind).toBe('deadlock');
    const both = run(true);
    expectClean(both.r);
    expect(both.out.sorted()).toEqual(['w0,w1', 'w1,w0']);
  });

  it('each waiter can be the one a signal wakes (the choice is explored)', () => {
    const out = new Outcomes();
    const m = defineModel<S, Record<string, never>>({
      name: 'engine-test/cv-which', scenarios: { default: {} }, setup,
      threads: (s) => [
        ...[0, 1].map((i) => thread(`w${i}`, function* () {
          yield* s.m.lock();
          yield* s.cv.wait(s.m);
          s.woke.push(`w${i}`);
          yield* s.m.unlock();
        })),
        thread('waker', function* () {
          yield op.wait(s.cv.id, 'until both wait', () => s.cv.waiting === 2, READS_OWN);
          yield* s.cv.signal();
          yield op.wait(s.cv.id, 'until one woke', () => s.cv.waiting === 1, READS_OWN);
          yield* s.cv.signal();
        }),
      ],
      final: [{ name: 'record', check: (s) => out.record(s.woke[0] ?? 'none') }],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['w0', 'w1']);
  });
});

describe('spawn / join / raw wait', () => {
  it('the API.md pthread example runs clean, and join returns the child\'s value after its whole run', () => {
    const doc = readFileSync(new URL('../../src/linux/API.md', import.meta.url), 'utf8');
    expect(doc).toContain("name: 'pthread/handoff'");
    const m = defineModel({
      name: 'pthread/handoff',
      scenarios: { default: {} },
      setup: () => ({ m: new Mutex('m'), cv: new CondVar('ready_cv'), ready: false, got: -1 }),
      threads: (s) => [thread('main', function* () {
        const consumer = yield* spawn(function* () {
          yield* s.m.lock();
          while (!s.ready) yield* s.cv.wait(s.m);
          yield* s.m.unlock();
          return 42;
        }, 'consumer');
        yield* s.m.lock();
        s.ready = true;
        yield* s.cv.signal();
        yield* s.m.unlock();
        s.got = (yield* join(consumer)) as number;
      })],
      final: [{ name: 'joined the consumer', check: (s) => s.got === 42 }],
    });
    expectClean(exhaust(m));
    const race = defineModel<{ c: Cell<number> }, Record<string, never>>({
      name: 'engine-test/join-orders', scenarios: { default: {} }, setup: () => ({ c: new Cell(0, 'c') }),
      threads: (s) => [thread('main', function* () {
        const t = yield* spawn(function* () { yield* s.c.set(1); }, 'child');
        yield* join(t);
        yield* s.c.get();
      })],
    });
    expectClean(exhaust(race));
  });

  it('a raw wait with READS_OWN on an Atomic flag blocks until it is set; a wrong read set is reported', () => {
    const ok = defineModel<{ flag: Atomic; other: Atomic }, Record<string, never>>({
      name: 'engine-test/raw-wait', scenarios: { default: {} }, setup: () => ({ flag: new Atomic(0, 'flag'), other: new Atomic(0, 'other') }),
      threads: (s) => [
        thread('waiter', function* () { yield op.wait(s.flag.id, 'wait for flag', () => s.flag.value === 1, READS_OWN); }),
        thread('setter', function* () { yield* s.flag.store(1); }),
      ],
    });
    expectClean(exhaust(ok));
    expectClean(dpor(ok));
    const wrong = defineModel<{ flag: Atomic; other: Atomic }, Record<string, never>>({
      name: 'engine-test/raw-wait-wrong-reads', scenarios: { default: {} }, setup: () => ({ flag: new Atomic(0, 'flag'), other: new Atomic(0, 'other') }),
      threads: (s) => [
        thread('waiter', function* () { yield op.wait(s.flag.id, 'wait for other', () => s.other.value === 1, READS_OWN); }),
        thread('setter', function* () { yield* s.other.store(1); }),
      ],
    });
    expect(expectKind(exhaust(wrong), 'usage').title).toBe('mapcheck: wait condition reads an undeclared object');
  });
});
