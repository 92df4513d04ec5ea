/**
 * dpor-fold (lock-aware folding: strategies/section.ts, fold-guard.ts) against exhaustive DFS:
 * random programs with locks, trylocks, reader sections, waits, peeks, spawn and frees must give the
 * same violation kinds and final states; a lock word read or trylocked beside folded sections, and
 * data touched both inside a section and outside its lock, must turn folding off where it would
 * hide behaviour (and say so in the run's notes); orders of sections that touch disjoint data are
 * one trace; the seed models give dpor's verdicts.
 * Leaves out: the long differential check (dpor-differential.long.test.ts with LONG_FOLD=1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AtomicT, Field, READ_ONCE, SpinlockT, WRITE_ONCE, atomic_dec, atomic_read, defineModel, explore, spin_is_locked, spin_lock, spin_trylock, spin_unlock, thread,
} from '../../src/index.js';
import type { Json } from '../../src/index.js';
import { DfsScheduler } from '../../src/strategies/dfs.js';
import { DporScheduler } from '../../src/strategies/dpor.js';
import { findModel } from '../../models/index.js';
import { type Program, finalStates, programArb, programModel, programModelStep } from './random-program.js';

interface Outcome { exhaustive: boolean; executions: number; kinds: string[]; finals: string[]; notes: readonly string[] }

function outcome(prog: Program, strategy: 'dfs' | 'dpor' | 'dpor-fold', model = programModel): Outcome {
  const key = JSON.stringify(prog);
  finalStates.delete(key);
  const kinds = new Set<string>();
  const sched = strategy === 'dfs' ? new DfsScheduler() : new DporScheduler({ fold: strategy === 'dpor-fold' });
  const r = explore(model, sched, {
    scenario: prog as unknown as Json, maxExecutions: 1_000_000, continueAfterViolation: true,
    onExecution: (e) => { for (const v of e.violations) kinds.add(v.kind); },
  });
  const finals = [...(finalStates.get(key) ?? [])].sort();
  finalStates.delete(key);
  return { exhaustive: r.exhaustive, executions: r.executions, kinds: [...kinds].sort(), finals, notes: r.notes };
}

describe('dpor-fold vs exhaustive DFS on random programs', () => {
  it('same violation kinds and final states, exhaustive, never more executions than DFS (300 programs)', () => {
    let folded = 0;
    let fewer = 0;
    fc.assert(fc.property(programArb(3000), (prog) => {
      const a = outcome(prog, 'dfs');
      const b = outcome(prog, 'dpor-fold');
      const c = outcome(prog, 'dpor');
      expect(b.exhaustive).toBe(true);
      expect(b.kinds).toEqual(a.kinds);
      expect(b.finals).toEqual(a.finals);
      if (b.executions < c.executions) fewer++;
      if (b.notes.length === 0 && JSON.stringify(prog).includes('"cs"')) folded++;
    }), { numRuns: 300, seed: 0xf01d });
    // The generator must give sections that fold, and folding must save executions on some.
    expect(folded).toBeGreaterThan(30);
    expect(fewer).toBeGreaterThan(10);
  });

  it('with a per-step invariant (folding stays off: intermediate states are observed) (100 programs)', () => {
    fc.assert(fc.property(programArb(1500), (prog) => {
      const a = outcome(prog, 'dfs', programModelStep);
      const b = outcome(prog, 'dpor-fold', programModelStep);
      expect(b.exhaustive).toBe(true);
      expect(b.kinds).toEqual(a.kinds);
      expect(b.finals).toEqual(a.finals);
    }), { numRuns: 100, seed: 0x57e9 });
  });
});

/** K threads, each with a section of lock l that writes its own field: K! orders, one trace. */
function disjoint(k: number) {
  return defineModel<{ l: SpinlockT; f: Field<number>[] }, Record<string, never>>({
    name: `test/fold-disjoint-${k}`,
    scenarios: { default: {} },
    setup: () => ({ l: new SpinlockT('l'), f: Array.from({ length: k }, (_, i) => new Field(0, `f${i}`)) }),
    threads: (s) => s.f.map((f, i) => thread(`t${i}`, function* () {
      yield* spin_lock(s.l);
      yield* WRITE_ONCE(f, i + 1);
      yield* spin_unlock(s.l);
    })),
  });
}

describe('dpor-fold on larger programs where folding without its premise checks loses states', () => {
  // Programs of the long check's shape (dpor-differential.long.test.ts: up to 5 threads of 8 ops),
  // seeds on which dpor-fold with its two checks turned off (the race check in dpor.ts and the
  // lock-word check in fold-guard.ts) missed final states DFS reaches.
  const long = programArb(6_000, { maxThreads: 5, maxOps: 8 });
  // And seed 3034: AB-BA with the second acquire inside the first section; a version that folded
  // nested acquires never let the other thread in between and lost the deadlock.
  for (const seed of [20087, 20175, 20218, 20348, 20351, 20360, 20377, 3034]) {
    it(`long-check seed ${seed}: same violation kinds and final states as DFS`, () => {
      const prog = fc.sample(long, { numRuns: 1, seed })[0] as Program;
      const a = outcome(prog, 'dfs');
      const b = outcome(prog, 'dpor-fold');
      expect(a.exhaustive && b.exhaustive).toBe(true);
      expect(b.kinds).toEqual(a.kinds);
      expect(b.finals).toEqual(a.finals);
    });
  }
});

describe('dpor-fold: the reduction and its premise', () => {
  it('sections of one lock on disjoint data are one trace (plain DPOR: one per order)', () => {
    const m = disjoint(4);
    const plain = explore(m, new DporScheduler(), { maxExecutions: 100_000 });
    const fold = explore(m, new DporScheduler({ fold: true }), { maxExecutions: 100_000 });
    expect(plain.exhaustive && fold.exhaustive).toBe(true);
    expect(plain.executions).toBe(24);
    expect(fold.executions).toBe(1);
    expect(fold.notes).toEqual([]);
  });

  it('per-step invariants or a weak memory model: nothing folds, plain dpor\'s executions, and one note says why', () => {
    const base = disjoint(3);
    const stepwise = defineModel<{ l: SpinlockT; f: Field<number>[] }, Record<string, never>>({
      ...base, name: 'test/fold-disjoint-stepwise', invariants: [{ name: 'fields stay small', check: (st) => st.f.every((f) => f.v <= 3) }],
    });
    const plain = explore(stepwise, new DporScheduler(), { maxExecutions: 100_000 });
    const fold = explore(stepwise, new DporScheduler({ fold: true }), { maxExecutions: 100_000 });
    expect(fold.exhaustive).toBe(true);
    expect(fold.executions).toBe(plain.executions);
    expect(fold.notes).toEqual(['dpor-fold: folding off: the model checks invariants after every step, which observe the states inside a section (explored as plain dpor)']);
    const weak = explore(base, new DporScheduler({ fold: true }), { maxExecutions: 100_000, memoryModel: 'lkmm' });
    expect(weak.exhaustive).toBe(true);
    expect(weak.executions).toBeGreaterThan(1);
    expect(weak.notes).toContain('dpor-fold: folding off: under a weak memory model a section\'s accesses are not one event (explored as plain dpor)');
    // Without either, the same model folds to one execution and says nothing.
    expect(explore(base, new DporScheduler({ fold: true }), { maxExecutions: 100_000 }).notes).toEqual([]);
  });

  it('a lock word read (spin_is_locked) or trylocked beside a section: folding stops there, every outcome is reached', () => {
    const seen = new Set<string>();
    const m = defineModel<{ l: SpinlockT; x: Field<number>; out: number[] }, { trylock: boolean }>({
      name: 'test/fold-lock-word',
      scenarios: { read: { trylock: false }, trylock: { trylock: true } },
      setup: () => ({ l: new SpinlockT('l'), x: new Field(0, 'x'), out: [] }),
      threads: (s, p) => [
        thread('looker', function* () {
          if (p.trylock) {
            const got = yield* spin_trylock(s.l);
            s.out.push(got ? 1 : 0);
            if (got) yield* spin_unlock(s.l);
          } else s.out.push((yield* spin_is_locked(s.l)) ? 1 : 0);
          s.out.push(yield* READ_ONCE(s.x));
        }),
        thread('locker', function* () {
          yield* spin_lock(s.l);
          yield* WRITE_ONCE(s.x, 1);
          yield* spin_unlock(s.l);
        }),
      ],
      final: [{ name: 'record', check: (s) => { seen.add(s.out.join(',')); return true; } }],
    });
    for (const scenario of ['read', 'trylock']) {
      seen.clear();
      const a = explore(m, new DfsScheduler(), { scenario, maxExecutions: 10_000 });
      const dfs = [...seen].sort();
      seen.clear();
      const b = explore(m, new DporScheduler({ fold: true }), { scenario, maxExecutions: 10_000 });
      expect(a.exhaustive && b.exhaustive).toBe(true);
      expect([...seen].sort()).toEqual(dfs);
      // "held" is only seen between the locker's acquire and release: folding had to stop.
      expect(dfs.some((o) => o.startsWith('1'))).toBe(true);
      expect(b.notes.join(' ')).toMatch(/no longer fold: .*looks at the lock without taking it/);
    }
  });

  it('a refcount read under the lock and dropped outside it (seed 000 shape): the section stops folding, the bug is found', () => {
    // lookup-then-get under the lock against a put outside it: the put can land inside the
    // section, between the check and the get. Folding the section would hide that.
    const m = defineModel<{ l: SpinlockT; used: AtomicT; got: Field<number>; live: boolean }, Record<string, never>>({
      name: 'test/fold-refcount',
      scenarios: { default: {} },
      setup: () => ({ l: new SpinlockT('l'), used: new AtomicT(1, 'used'), got: new Field(0, 'got'), live: false }),
      threads: (s) => [
        thread('getter', function* () {
          yield* spin_lock(s.l);
          s.live = (yield* atomic_read(s.used)) > 0;
          if (s.live) yield* WRITE_ONCE(s.got, yield* atomic_read(s.used));
          yield* spin_unlock(s.l);
        }),
        thread('putter', function* () {
          yield* atomic_dec(s.used);
        }),
      ],
      // Found live, then got a count of 0: the put landed inside the section.
      final: [{ name: 'got a live count', check: (s) => !s.live || s.got.v !== 0 }],
    });
    const dfs = explore(m, new DfsScheduler(), { maxExecutions: 10_000, continueAfterViolation: true });
    const fold = explore(m, new DporScheduler({ fold: true }), { maxExecutions: 10_000, continueAfterViolation: true });
    expect(dfs.findings.length).toBeGreaterThan(0);
    expect(fold.exhaustive).toBe(true);
    expect(fold.findings.map((f) => f.violation.kind)).toEqual(dfs.findings.map((f) => f.violation.kind));
    expect(fold.notes.join(' ')).toMatch(/sections opened at .* no longer fold: .* conflicts with them outside the lock/);
  });
});

describe('dpor-fold on the seed models', () => {
  it('ioremap-reuse/fixed three-drivers exhausts (plain DPOR does not in 100,000 executions), no violation', () => {
    const m = findModel('ioremap-reuse/fixed');
    expect(m).toBeDefined();
    if (m === undefined) return;
    const r = explore(m, new DporScheduler({ fold: true }), { scenario: 'three-drivers', maxExecutions: 200_000, audit: false });
    expect(r.exhaustive).toBe(true);
    expect(r.finding).toBeNull();
    expect(r.executions).toBeLessThan(100_000);
  }, 120_000);

  it('posted variants: dpor-fold finds a violation wherever dpor does (first violation, same budget)', () => {
    for (const [name, scenario] of [['ioremap-reuse/posted', undefined], ['iova-extend/posted', undefined], ['vcm/posted', undefined], ['kiobuf-kvmap/posted', undefined], ['kmap-pfn/posted', undefined]] as const) {
      const m = findModel(name);
      expect(m, name).toBeDefined();
      if (m === undefined) continue;
      const a = explore(m, new DporScheduler(), { maxExecutions: 20_000, audit: false, ...(scenario ? { scenario } : {}) });
      const b = explore(m, new DporScheduler({ fold: true }), { maxExecutions: 20_000, audit: false, ...(scenario ? { scenario } : {}) });
      expect(a.finding, name).not.toBeNull();
      expect(b.finding?.violation.kind, name).toBe(a.finding?.violation.kind);
    }
  }, 120_000);
});
