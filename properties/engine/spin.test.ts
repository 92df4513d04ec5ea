// Fair spin loops (src/engine/spin.ts): a thread that polls for another thread's write is
// descheduled until what it reads changes, so a correct polling protocol passes under every
// strategy instead of ending as a false livelock; a poll nobody will ever satisfy, and threads
// that keep writing without progress, are still reported as livelocks with their cycle.
import { describe, expect, it } from 'vitest';
import {
  Field, type Model, type Op, READ_ONCE, WRITE_ONCE, check, cond_resched, cpu_relax, defineModel, smp_load_acquire, smp_store_release, thread,
} from '../../src/index.js';

interface S { flag: Field<number>; data: Field<number>; x: Field<number>; timedOut: boolean }

type G = Generator<Op, void, unknown>;

function model(name: string, poller: (s: S) => G, writer: (s: S) => G): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `spin/${name}`,
    scenarios: { default: {} },
    setup: () => ({ flag: new Field(0, 'flag'), data: new Field(0, 'data'), x: new Field(0, 'x'), timedOut: false }),
    threads: (s) => [thread('poller', () => poller(s)), thread('writer', () => writer(s))],
    final: [{ name: 'the poller saw the data', check: (s) => s.timedOut || s.data.v === 42 }],
  });
}

function* pollBody(s: S): G {
  while ((yield* smp_load_acquire(s.flag)) === 0) yield* cpu_relax();
  if ((yield* s.data.get()) !== 42) throw new Error('saw the flag but not the data');
}

function* bareBody(s: S): G {
  while ((yield* smp_load_acquire(s.flag)) === 0) { /* read-only polling, no cpu_relax */ }
  yield* s.data.get();
}

function* reschedBody(s: S): G {
  while ((yield* READ_ONCE(s.x)) === 0) yield* cond_resched();
  yield* smp_load_acquire(s.flag);
}

function* writerBody(s: S): G {
  yield* s.data.set(42);
  yield* WRITE_ONCE(s.x, 1);
  yield* smp_store_release(s.flag, 1);
}

function* silentWriter(): G {
  // Never writes the flag: the poller can never proceed.
}

function* boundedPoll(s: S): G {
  for (let i = 0; i < 50; i++) {
    if ((yield* smp_load_acquire(s.flag)) !== 0) {
      yield* s.data.get();
      return;
    }
    yield* cpu_relax();
  }
  s.timedOut = true;
}

const STRATEGIES = ['random', 'pct', 'pos', 'dfs', 'dpor', 'portfolio'] as const;

describe('fair spin loops', () => {
  for (const strategy of STRATEGIES) {
    it(`${strategy}: polling protocols (cpu_relax, a bare read loop, cond_resched) pass`, () => {
      for (const [name, body] of [['cpu-relax', pollBody], ['bare', bareBody], ['cond-resched', reschedBody]] as const) {
        const r = check(model(name, body, writerBody), { strategy, maxExecutions: 300 });
        expect(r.finding?.violation.kind ?? null, `${name}: ${r.finding?.violation.message ?? ''}`).toBeNull();
      }
    });
  }

  it('straight-line repeated reads are not a loop: three reads of x may all see the old value', () => {
    const seen = new Set<string>();
    const m = defineModel<S, Record<string, never>>({
      name: 'spin/corr',
      scenarios: { default: {} },
      setup: () => ({ flag: new Field(0, 'flag'), data: new Field(0, 'data'), x: new Field(0, 'x'), timedOut: false }),
      threads: (s) => [
        thread('reader', function* () {
          const a = yield* READ_ONCE(s.x);
          const b = yield* READ_ONCE(s.x);
          const c = yield* READ_ONCE(s.x);
          s.data.v = a * 100 + b * 10 + c;
        }),
        thread('writer', function* () { yield* WRITE_ONCE(s.x, 1); }),
      ],
      final: [{ name: 'record', check: (s) => { seen.add(String(s.data.v).padStart(3, '0')); return true; } }],
    });
    const r = check(m, { strategy: 'dfs', maxExecutions: 100 });
    expect(r.exhaustive).toBe(true);
    expect([...seen].sort()).toEqual(['000', '001', '011', '111']);
  });

  it('a bounded poll whose writer never writes times out (the timeout path is not lost)', () => {
    const r = check(model('bounded', boundedPoll, silentWriter), { strategy: 'dfs', maxExecutions: 300 });
    expect(r.finding?.violation ?? null).toBeNull();
    expect(r.exhaustive).toBe(true);
  });

  it('an unbounded poll nobody satisfies is a livelock, reported with its cycle', () => {
    const r = check(model('hang', pollBody, silentWriter), { strategy: 'dfs', maxExecutions: 10, maxSteps: 2000 });
    expect(r.finding?.violation.kind).toBe('step-bound');
    expect(r.finding?.violation.cycle?.join(' ')).toContain('smp_load_acquire');
  });

  it('threads that keep writing and never progress are still a livelock', () => {
    const m = defineModel<S, Record<string, never>>({
      name: 'spin/ping-pong',
      scenarios: { default: {} },
      setup: () => ({ flag: new Field(0, 'flag'), data: new Field(0, 'data'), x: new Field(0, 'x'), timedOut: false }),
      threads: (s) => [0, 1].map((me) => thread(`T${me}`, function* () {
        // Each backs off by writing when it sees the other: a livelock with writes, no spin.
        for (;;) {
          yield* WRITE_ONCE(s.x, me);
          if ((yield* READ_ONCE(s.flag)) === 2) return;
        }
      })),
    });
    const r = check(m, { strategy: 'dfs', maxExecutions: 5, maxSteps: 1000 });
    expect(r.finding?.violation.kind).toBe('step-bound');
    expect(r.finding?.violation.message).toContain('repeats a cycle');
  });
});
