/**
 * DPOR self-checks on the litmus programs of Abdulla et al. (POPL 2014, §8): readers-N has 2^N
 * Mazurkiewicz traces, lastzero-N has 2, 5, 12, 28 for N = 1..4. Optimal-DPOR (wakeup trees) runs
 * exactly one execution per trace on both and none is sleep-set blocked (source-DPOR without wakeup
 * trees ran 0, 0, 1, 7 blocked ones on lastzero); the test names report the counts measured.
 * Fewer would be unsound. Every run must also be distinct. Three models check the dependence DPOR
 * adds beyond same-object access: per-step invariants, kfree, shared (reader) locks.
 */
import { describe, expect, it } from 'vitest';
import { Atomic, OpKind, check, currentExecution, defineModel, op, thread } from '../../src/index.js';
import type { AnyModel } from '../../src/index.js';
import { lastzero, readers } from '../../models/litmus/index.js';

function run(model: AnyModel, n: number): { executions: number; traces: number; blocked: number; distinct: number; exhaustive: boolean } {
  const seen = new Set<string>();
  const r = check(model, { strategy: 'dpor', scenario: `n${n}`, onExecution: (e) => { seen.add(e.schedule.join(',')); } });
  return { executions: r.executions, traces: r.stats['traces'] ?? -1, blocked: r.stats['sleepBlocked'] ?? -1, distinct: seen.size, exhaustive: r.exhaustive };
}

describe('DPOR on readers-N', () => {
  for (const n of [1, 2, 3, 4]) {
    const m = run(readers, n);
    it(`readers-${n}: ${m.executions} executions (2^${n} = ${2 ** n}), ${m.blocked} sleep-blocked`, () => {
      expect(m.exhaustive).toBe(true);
      expect(m.executions).toBe(2 ** n);
      expect(m.blocked).toBe(0);
      expect(m.distinct).toBe(m.executions);
    });
  }
});

describe('DPOR on lastzero-N', () => {
  const traces = [2, 5, 12, 28];
  for (const n of [1, 2, 3, 4]) {
    const m = run(lastzero, n);
    const want = traces[n - 1] as number;
    it(`lastzero-${n}: ${m.executions} executions (Mazurkiewicz ${want}), ${m.blocked} sleep-blocked`, () => {
      expect(m.exhaustive).toBe(true);
      expect(m.executions).toBe(want);
      expect(m.traces).toBe(want);
      expect(m.blocked).toBe(0);
      expect(m.distinct).toBe(m.executions);
    });
  }
});

describe('DPOR dependence beyond same-object accesses', () => {
  it('per-step invariants: writes to different objects do not commute (a transient (2, 1) state)', () => {
    const m = defineModel({
      name: 'test/transient', scenarios: { default: {} },
      setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b') }),
      threads: (s) => [
        thread('T0', function* () { yield* s.a.store(2); yield* s.a.store(0); }),
        thread('T1', function* () { yield* s.b.store(1); yield* s.b.store(0); }),
      ],
      invariants: [{ name: 'never a = 2 with b = 1', check: (s) => !(s.a.value === 2 && s.b.value === 1) }],
    });
    expect(check(m, { strategy: 'dfs' }).finding?.violation.kind).toBe('invariant');
    expect(check(m, { strategy: 'dpor' }).finding?.violation.kind).toBe('invariant');
  });

  it('kfree of a block is ordered against accesses to its fields (use-after-free found)', () => {
    const m = defineModel({
      name: 'test/kfree-field', scenarios: { default: {} },
      setup: () => {
        const blk = currentExecution().objects.addHeap('kmalloc', 'obj', { thread: -1, step: -1, label: 'setup' });
        return { blk, refs: new Atomic(1, 'refs', blk), other: new Atomic(0, 'other') };
      },
      threads: (s) => [
        thread('reader', function* () { yield* s.other.load(); yield* s.refs.load('reader: atomic_read(&obj->refs)'); }),
        thread('freer', function* () { yield* s.other.load(); yield op.free(s.blk, 'freer: kfree(obj)'); }),
      ],
    });
    const r = check(m, { strategy: 'dpor' });
    expect(r.finding?.violation.kind).toBe('use-after-free');
  });

  it('shared (reader) lock: DPOR reaches two readers inside together, as DFS does', () => {
    const inside = new Set<number>();
    const m = defineModel({
      name: 'test/readers-inside', scenarios: { default: {} },
      setup: () => ({ l: currentExecution().objects.add('rwsem', 'sem', -1), n: new Atomic(0, 'inside'), max: 0 }),
      threads: (s) => [0, 1].map((r) => thread(`reader${r}`, function* () {
        yield { kind: OpKind.Acquire, obj: s.l, label: 'down_read(sem)', n: 1 };
        s.max = Math.max(s.max, yield* s.n.add(1));
        yield* s.n.add(-1);
        yield { kind: OpKind.Release, obj: s.l, label: 'up_read(sem)', n: 1 };
      })),
      final: [{ name: 'record', check: (s) => { inside.add(s.max); return true; } }],
    });
    for (const strategy of ['dfs', 'dpor'] as const) {
      inside.clear();
      expect(check(m, { strategy }).exhaustive).toBe(true);
      expect([...inside].sort()).toEqual([1, 2]);
    }
  });
});

describe('exhaustive when the budget ends exactly at the last execution', () => {
  it('dpor, dfs and portfolio report exhaustive with maxExecutions = their count', () => {
    for (const strategy of ['dpor', 'dfs', 'portfolio'] as const) {
      const full = check(lastzero, { strategy, scenario: 'n2' });
      const exact = check(lastzero, { strategy, scenario: 'n2', maxExecutions: full.executions });
      expect(exact.exhaustive).toBe(true);
      const short = check(lastzero, { strategy, scenario: 'n2', maxExecutions: full.executions - 1 });
      expect(short.exhaustive).toBe(false);
    }
  });
});
