// The run-time check of a Wait's declared read set (src/engine/wait-check.ts): a wait that declares
// it reads only its own object but whose condition reads another is a usage violation as soon as
// an explored interleaving changes the condition through that other object; a correct declaration
// and an undeclared wait pass, under every strategy.
import { describe, expect, it } from 'vitest';
import { Atomic, type Model, READS_OWN, check, defineModel, op, thread } from '../../src/index.js';

interface S { a: Atomic; b: Atomic }

function waiter(reads: 'own' | 'both' | 'none'): Model<S, Record<string, never>> {
  return defineModel<S, Record<string, never>>({
    name: `wait-check/${reads}`,
    scenarios: { default: {} },
    setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b') }),
    threads: (s) => [
      thread('waiter', function* () {
        const r = reads === 'own' ? READS_OWN : reads === 'both' ? [s.b.id] : undefined;
        yield op.wait(s.a.id, 'waiter: wait on a until b', () => s.b.value === 1, r);
      }),
      thread('setter', function* () {
        yield* s.b.store(1, 'setter: b = 1');
      }),
    ],
  });
}

describe('wait read sets are checked at run time', () => {
  for (const strategy of ['dfs', 'dpor', 'random', 'pct'] as const) {
    it(`${strategy}: a wrong declaration is a usage violation; right or none is clean`, () => {
      const bad = check(waiter('own'), { strategy, maxExecutions: 200 });
      expect(bad.finding?.violation.kind).toBe('usage');
      expect(bad.finding?.violation.message).toContain("list every object the condition reads in the wait's `reads`");
      for (const ok of ['both', 'none'] as const) {
        const r = check(waiter(ok), { strategy, maxExecutions: 200 });
        expect(r.finding?.violation ?? null).toBeNull();
      }
    });
  }
});
