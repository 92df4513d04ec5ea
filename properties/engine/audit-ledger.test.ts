// The audit's sampling over an exploration split into several explore() calls (src/engine/audit-ledger.ts):
// a campaign's chunks of one model do not each start with 64 densely audited executions, a new
// systematic run (DPOR, DFS) does, a DPOR scheduler continued over calls does not start over, and a model that turns
// nondeterministic late in a long chunked run is still caught by the sparse samples.
import { describe, expect, it } from 'vitest';
import { Atomic, defineModel, explore, makeStrategy, thread } from '../../src/index.js';

interface S { a: Atomic; k: number }

function threeAdders(name: string) {
  return defineModel<S, Record<string, never>>({
    name,
    scenarios: { default: {} },
    setup: () => ({ a: new Atomic(0, 'a'), k: 1 }),
    threads: (s) => ['T0', 'T1', 'T2'].map((n) => thread(n, function* () {
      yield* s.a.add(1);
      yield* s.a.add(1);
    })),
  });
}

describe('audit sampling across explore calls', () => {
  it('a random strategy audits the first 64 executions of a model once, not once per call', () => {
    const m = threeAdders('ledger/random');
    const first = explore(m, makeStrategy('random', { seed: 1 }), { maxExecutions: 200 });
    expect(first.audits).toBeGreaterThanOrEqual(64);
    let later = 0;
    for (let i = 2; i <= 6; i++) later += explore(m, makeStrategy('random', { seed: i }), { maxExecutions: 200 }).audits;
    // Executions 201..1200: the powers of two 256, 512, 1024 and a 1/256 sample.
    expect(later).toBeGreaterThanOrEqual(3);
    expect(later).toBeLessThan(30);
  });

  it('every new DPOR or DFS run is audited densely again; one DPOR scheduler continued over calls is not', () => {
    const m = threeAdders('ledger/dpor');
    const a = explore(m, makeStrategy('dpor'), { maxExecutions: 40 });
    const b = explore(m, makeStrategy('dpor'), { maxExecutions: 40 });
    expect(a.audits).toBeGreaterThanOrEqual(40);
    expect(b.audits).toBeGreaterThanOrEqual(40);
    // DFS relies on no independence, but its runs are proofs too.
    const d1 = explore(m, makeStrategy('dfs'), { maxExecutions: 40 });
    const d2 = explore(m, makeStrategy('dfs'), { maxExecutions: 40 });
    expect(d1.audits).toBeGreaterThanOrEqual(40);
    expect(d2.audits).toBeGreaterThanOrEqual(40);
    const s = makeStrategy('dpor');
    const c1 = explore(m, s, { maxExecutions: 70 });
    const c2 = explore(m, s, { maxExecutions: 1000 });
    expect(c1.exhaustive).toBe(false);
    expect(c2.exhaustive).toBe(true);
    expect(c1.executions + c2.executions).toBe(90);
    // Executions 71..90 of the continued run: only the top-up before "exhaustive" (32 re-runs) if
    // any execution there was sampled, otherwise none; never the dense window again.
    expect(c2.audits).toBeLessThanOrEqual(32);
  });

  it('a model that turns nondeterministic after 150 executions is caught in a chunked random run', () => {
    let setups = 0;
    const late = defineModel<S, Record<string, never>>({
      name: 'ledger/late-nondeterminism',
      scenarios: { default: {} },
      setup: () => ({ a: new Atomic(0, 'a'), k: ++setups > 150 ? 1 + (setups % 2) : 1 }),
      threads: (s) => [thread('T0', function* () { yield* s.a.add(s.k); })],
    });
    let found = false;
    let executions = 0;
    for (let i = 1; i <= 20 && !found; i++) {
      const r = explore(late, makeStrategy('random', { seed: i }), { maxExecutions: 100 });
      executions += r.executions;
      found = r.finding?.violation.kind === 'nondeterminism';
    }
    expect(found).toBe(true);
    // Caught at the first audit past execution 150 (256 at the latest), not at the end.
    expect(executions).toBeLessThanOrEqual(256);
  });
});
