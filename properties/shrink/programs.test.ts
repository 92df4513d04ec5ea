/**
 * The minimizer on randomly generated small programs (fast-check): threads doing atomic adds,
 * stores and checked reads on two shared counters, with the program itself as the scenario JSON
 * (the schedule phases are under test here: scenario shrinking is off). Whenever the random strategy finds a violation:
 * the minimized token replays to the same violation, is never bigger in the (faults, preemptions,
 * steps) order, and is a local minimum — deleting any single step does not give a smaller schedule
 * with the same violation (the fixed point the schedule phase promises).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atomic, type Json, assert, check, defineModel, replay, thread } from '../../src/index.js';
import { attempt, minimize, sameViolation, smaller, toEvents } from '../../src/shrink/index.js';

/** a <= b, lexicographically. */
function lexLE(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return true;
}

type Instr = readonly [op: 'add' | 'set' | 'check', cell: number, value: number];
type Program = { readonly threads: readonly (readonly Instr[])[] };

const program = defineModel<{ cells: Atomic[] }, Program>({
  name: 'test/random-program',
  scenarios: { default: { threads: [[['add', 0, 1]], [['check', 0, 0]]] } },
  setup: () => ({ cells: [new Atomic(0, 'a'), new Atomic(0, 'b')] }),
  threads: (s, p) => p.threads.map((ins, t) => thread(`t${t}`, function* () {
    for (const [i, [op, c, v]] of ins.entries()) {
      const cell = s.cells[c % 2] as Atomic;
      if (op === 'add') yield* cell.add(v, `t${t}.${i}: add ${'ab'[c % 2]}`);
      else if (op === 'set') yield* cell.store(v, `t${t}.${i}: set ${'ab'[c % 2]}`);
      else {
        const x = yield* cell.load(`t${t}.${i}: check ${'ab'[c % 2]}`);
        assert(x !== v + 1, `t${t} read ${x}`, `check ${'ab'[c % 2]} != ${v + 1}`);
      }
    }
  })),
});

const instr: fc.Arbitrary<Instr> = fc.tuple(fc.constantFrom('add' as const, 'set' as const, 'check' as const), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 }));
const prog: fc.Arbitrary<Program> = fc.record({ threads: fc.array(fc.array(instr, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 3 }) });

describe('minimize on random programs', () => {
  it('keeps the violation, never grows, and ends at a local minimum', () => {
    let minimized = 0;
    fc.assert(fc.property(prog, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
      const r = check(program, { strategy: 'random', seed, maxExecutions: 200, scenario: p as unknown as Json });
      if (!r.finding) return;
      minimized++;
      const m = minimize(program, r.finding.token, { timeMs: 20_000, scenario: false });
      const again = replay(program, m.token).violation;
      expect(sameViolation(r.finding.violation, again, program)).toBe(true);
      const key = (x: { faults: number; preemptions: number; steps: number }): number[] => [x.faults, x.preemptions, x.steps];
      expect(lexLE(key(m), key(m.before))).toBe(true);
      const params = JSON.parse(m.scenario.startsWith('{') ? m.scenario : JSON.stringify(p)) as Json;
      const base = replay(program, m.token);
      const events = toEvents(base.exec.schedule, base.exec.traceOps);
      const cur = attempt(program, params, events);
      for (let i = 0; i < events.length; i++) {
        const a = attempt(program, params, [...events.slice(0, i), ...events.slice(i + 1)]);
        expect(sameViolation(r.finding.violation, a.violation, program) && smaller(a, cur)).toBe(false);
      }
    }), { numRuns: 60 });
    expect(minimized).toBeGreaterThan(5);
  });
});
