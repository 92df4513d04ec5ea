// Wait queues and signals (src/linux/wait.ts, signal.ts): the right wake-up protocol never hangs;
// a missing wake_up, or a wake_up before the condition is set, leaves the sleeper asleep (found by
// DFS and DPOR); a wake-up that makes the condition true happens-before the woken waiter's return,
// while the lockless fast path orders nothing (as in the kernel); signals end interruptible and
// killable sleeps with -ERESTARTSYS; timeouts; and the declared read sets of the ops.
import { describe, expect, it } from 'vitest';
import {
  ERESTARTSYS, Execution, Field, OpKind, SIGKILL, SIGTERM, WaitQueueHead, defineModel, fatal_signal_pending, flush_signals,
  send_sig, signal_pending, spin_lock, spin_unlock, SpinlockT, thread, wait_event, wait_event_interruptible, wait_event_killable,
  wait_event_timeout, waitqueue_active, wake_up, wake_up_all, wake_up_interruptible, wq_has_sleeper, WRITE_ONCE, check, type Op, type Scheduler,
} from '../../src/index.js';
import { Outcomes, dpor, exhaust, expectClean, expectKind } from './helpers.js';

type G<R> = Generator<Op, R, unknown>;

interface S { wq: WaitQueueHead; done: Field<number>; data: Field<number>; lock: SpinlockT; r: number[]; evals: boolean[] }

function setup(): S {
  return { wq: new WaitQueueHead('wq'), done: new Field(0, 'done'), data: new Field(0, 'data'), lock: new SpinlockT('lock'), r: [], evals: [] };
}

/** The waiter's condition, recording each evaluation (the first is the lockless fast path). */
function cond(s: S): () => boolean {
  return () => {
    const v = s.done.v === 1;
    s.evals.push(v);
    return v;
  };
}

function model(name: string, waiter: (s: S) => G<void>, ...others: ((s: S) => G<void>)[]) {
  return defineModel<S, Record<string, never>>({
    name, scenarios: { default: {} }, setup,
    threads: (s) => [thread('waiter', () => waiter(s)), ...others.map((o, i) => thread(`other${i}`, () => o(s)))],
  });
}

describe('wait_event / wake_up', () => {
  it('condition then wake_up: never hangs, in every interleaving (DFS and DPOR)', () => {
    const m = model('linux-test/wq-ok', function* (s) { yield* wait_event(s.wq, cond(s)); }, function* (s) {
      yield* WRITE_ONCE(s.done, 1);
      yield* wake_up(s.wq);
    });
    expectClean(exhaust(m));
    expectClean(dpor(m));
  });

  it('a missing wake_up, or a wake_up before the condition is set, leaves the sleeper asleep (deadlock)', () => {
    const none = model('linux-test/wq-no-wakeup', function* (s) { yield* wait_event(s.wq, cond(s)); }, function* (s) {
      yield* WRITE_ONCE(s.done, 1);
    });
    const early = model('linux-test/wq-early-wakeup', function* (s) { yield* wait_event(s.wq, cond(s)); }, function* (s) {
      yield* wake_up(s.wq);
      yield* WRITE_ONCE(s.done, 1);
    });
    for (const m of [none, early]) {
      const v = expectKind(exhaust(m), 'deadlock');
      expect(v.waits?.[0]?.waitsFor).toMatch(/a wake_up of wq/);
      expectKind(dpor(m), 'deadlock');
    }
  });

  it('a wake-up that makes the condition true happens-before the woken waiter\'s return; the fast path orders nothing', () => {
    const m = model('linux-test/wq-hb', function* (s) {
      yield* wait_event(s.wq, cond(s));
      s.r.push(yield* s.data.get());
    }, function* (s) {
      yield* s.data.set(7);
      yield* WRITE_ONCE(s.done, 1);
      yield* wake_up(s.wq);
    });
    const rows: { slept: boolean; raced: boolean }[] = [];
    let evals: boolean[] = [];
    const probe = defineModel({ ...m, name: 'linux-test/wq-hb-probe', setup: () => {
      const s = setup();
      evals = s.evals;
      return s;
    } });
    const r = check(probe, {
      strategy: 'dfs', keepGoing: true, maxExecutions: 5000,
      onExecution: (x) => rows.push({ slept: evals.slice(1).includes(false), raced: x.violations.some((v) => v.kind === 'data-race') }),
    });
    expect(r.exhaustive).toBe(true);
    expect(rows.some((x) => x.slept)).toBe(true);
    expect(rows.filter((x) => x.slept && x.raced)).toEqual([]);
    // The waiter that saw the condition without sleeping (lockless check) got no ordering: KCSAN.
    expect(rows.some((x) => !x.slept && x.raced)).toBe(true);
  });

  it('under the waker\'s lock the data is published on every path', () => {
    const m = model('linux-test/wq-locked', function* (s) {
      yield* wait_event(s.wq, cond(s));
      yield* spin_lock(s.lock);
      s.r.push(yield* s.data.get());
      yield* spin_unlock(s.lock);
    }, function* (s) {
      yield* spin_lock(s.lock);
      yield* s.data.set(7);
      yield* WRITE_ONCE(s.done, 1);
      yield* spin_unlock(s.lock);
      yield* wake_up_all(s.wq);
    });
    expectClean(exhaust(m));
  });

  it('wake_up_interruptible does not wake an uninterruptible sleeper', () => {
    const m = model('linux-test/wq-wrong-wake', function* (s) { yield* wait_event(s.wq, cond(s)); }, function* (s) {
      yield* WRITE_ONCE(s.done, 1);
      yield* wake_up_interruptible(s.wq);
    });
    expectKind(exhaust(m), 'deadlock');
  });

  it('waitqueue_active: true exactly while the waiter is queued (prepared or asleep); wq_has_sleeper is smp_mb + the same', () => {
    const out = new Outcomes();
    const m = defineModel<S, Record<string, never>>({
      name: 'linux-test/wq-active', scenarios: { default: {} }, setup,
      threads: (s) => [thread('waiter', function* () { yield* wait_event(s.wq, cond(s)); }), thread('waker', function* () {
        const before = yield* waitqueue_active(s.wq);
        yield* WRITE_ONCE(s.done, 1);
        const after = yield* wq_has_sleeper(s.wq);
        if (after) yield* wake_up(s.wq);
        out.record(`${before},${after}`);
      })],
    });
    // Under sequential consistency a waker that tests waitqueue_active after setting the condition
    // never misses a sleeper (the missed wake-up needs store buffering: the LKMM memory model).
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['false,false', 'false,true', 'true,false', 'true,true']);
  });
});

describe('signals', () => {
  it('a signal ends wait_event_interruptible with -ERESTARTSYS, whenever it arrives; signal_pending sees it', () => {
    const out = new Outcomes();
    const m = defineModel<S, Record<string, never>>({
      name: 'linux-test/wq-signal', scenarios: { default: {} }, setup,
      threads: (s) => [thread('waiter', function* () {
        const r = yield* wait_event_interruptible(s.wq, cond(s));
        out.record(`${r === -ERESTARTSYS ? 'ERESTARTSYS' : r},${yield* signal_pending()},${yield* fatal_signal_pending()}`);
        yield* flush_signals();
        out.record(`flushed:${yield* signal_pending()}`);
      }), thread('kill', function* () { yield* send_sig(SIGTERM, 0); })],
    });
    expectClean(exhaust(m));
    expect(out.sorted()).toEqual(['ERESTARTSYS,true,false', 'flushed:false']);
  });

  it('wait_event_killable: SIGTERM does not end it (deadlock), SIGKILL does', () => {
    const killable = (sig: number) => defineModel<S, Record<string, never>>({
      name: `linux-test/wq-killable-${sig}`, scenarios: { default: {} }, setup,
      threads: (s) => [thread('waiter', function* () { s.r.push(yield* wait_event_killable(s.wq, cond(s))); }), thread('kill', function* () { yield* send_sig(sig, 0); })],
      final: [{ name: 'interrupted', check: (s) => s.r[0] === -ERESTARTSYS }],
    });
    expectKind(exhaust(killable(SIGTERM)), 'deadlock');
    expectClean(exhaust(killable(SIGKILL)));
  });

  it('both a wake-up and a signal: either outcome, never a hang', () => {
    const out = new Outcomes();
    const m = defineModel<S, Record<string, never>>({
      name: 'linux-test/wq-signal-or-wake', scenarios: { default: {} }, setup,
      threads: (s) => [
        thread('waiter', function* () { out.record(String(yield* wait_event_interruptible(s.wq, cond(s)))); }),
        thread('waker', function* () { yield* WRITE_ONCE(s.done, 1); yield* wake_up(s.wq); }),
        thread('kill', function* () { yield* send_sig(SIGTERM, 0); }),
      ],
    });
    expectClean(exhaust(m));
    expectClean(dpor(m));
    expect(out.sorted()).toEqual([String(-ERESTARTSYS), '0']);
  });
});

describe('wait_event_timeout', () => {
  it('without a waker it times out (0), never hangs; with one it may also succeed', () => {
    const alone = new Outcomes();
    const a = defineModel<S, Record<string, never>>({
      name: 'linux-test/wq-timeout-alone', scenarios: { default: {} }, setup,
      threads: (s) => [thread('waiter', function* () { alone.record(String(yield* wait_event_timeout(s.wq, cond(s), 100))); })],
    });
    expectClean(exhaust(a));
    expect(alone.sorted()).toEqual(['0']);
    const both = new Outcomes();
    const b = defineModel<S, Record<string, never>>({
      name: 'linux-test/wq-timeout-waker', scenarios: { default: {} }, setup,
      threads: (s) => [
        thread('waiter', function* () { both.record(String(yield* wait_event_timeout(s.wq, cond(s), 100))); }),
        thread('waker', function* () { yield* WRITE_ONCE(s.done, 1); yield* wake_up(s.wq); }),
      ],
    });
    expectClean(exhaust(b));
    expect(both.sorted()).toEqual(['0', '100']);
  });
});

describe('declared read sets', () => {
  it('the condition checks declare none (they read model code); the sleep declares its queue (and the signal object)', () => {
    const m = defineModel<S, Record<string, never>>({
      name: 'linux-test/wq-reads', scenarios: { default: {} }, setup,
      threads: (s) => [thread('waiter', function* () { yield* wait_event_interruptible(s.wq, cond(s)); }), thread('waker', function* () {
        yield* WRITE_ONCE(s.done, 1);
        yield* wake_up(s.wq);
      })],
    });
    // The waiter runs until it sleeps, then the waker, then the waiter again.
    const order = [0, 0, 0, 1, 1, 0, 0, 0];
    let k = 0;
    const fixed: Scheduler = {
      name: 'fixed', seed: 0,
      beginExecution: () => true,
      pickThread: (v) => {
        const t = order[k++] ?? 0;
        return v.isEnabled(t) ? t : 1 - t;
      },
      pickValue: () => 0,
    };
    const exec = new Execution();
    const r = exec.run(m, fixed, { params: {}, trace: true });
    expect(r.violation).toBeNull();
    const waits = r.traceOps.filter((o) => o.kind === OpKind.Wait).map((o) => [o.label, o.reads === undefined ? 'undeclared' : o.reads.length]);
    expect(waits).toEqual([
      ['wait_event_interruptible: condition', 'undeclared'],
      ['wait_event_interruptible: condition', 'undeclared'],
      ['wait_event_interruptible: schedule()', 1],
      ['wait_event_interruptible: condition', 'undeclared'],
    ]);
  });
});
