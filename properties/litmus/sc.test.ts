/**
 * The litmus front end under sequential consistency: SC is stronger than the LKMM, so every kernel
 * test whose expected result is Never is Never under SC, and the classic tests that tell SC from
 * weaker models (SB, MP, LB, IRIW, WRC, ISA2, R, S, 2+2W-like) are Never under SC although the LKMM
 * allows them; SC does allow what it should; the litmus listings of Documentation/litmus-tests.txt
 * reach a subset of the states herd7 prints for them; plain accesses that race raise the
 * data-race flag and ordered or marked ones do not; dependencies are declared as herd7 counts them
 * (addr, data, ctrl, and carry-dep through a plain cell only this process writes); a run-time error
 * of a test is one line naming its line.
 * Leaves out: the exact SC outcomes (agreement.test.ts checks them against an independent oracle).
 */
import { describe, expect, it } from 'vitest';
import { LitmusError, type LitmusTest, compileLitmus, parseLitmus, runLitmus, runLitmusText } from '../../src/litmus/index.js';
import { docExamples, indexRows, kernelTests } from './corpus.js';
import { MARKED, ORDERED, PROGRAMS, RACY } from './programs.js';

function kernel(name: string): { file: string; text: string } {
  const t = kernelTests().find((k) => k.file === `${name}.litmus`);
  if (!t) throw new Error(`no kernel test ${name}`);
  return t;
}

describe('kernel tests under SC', () => {
  it('every test the LKMM forbids (INDEX.tsv Never) is Never under SC, exhaustively', () => {
    const never = indexRows().filter((r) => r.result === 'Never');
    expect(never.length).toBe(30);
    for (const row of never) {
      const { file, text } = kernel(row.file.replace(/\.litmus$/, ''));
      const r = runLitmusText(text, file, { memoryModel: 'sc' });
      expect(r.exhaustive, file).toBe(true);
      expect(r.verdict, file).toBe('Never');
      expect(r.states.length, file).toBeGreaterThan(0);
    }
  });

  it('the classic SC-distinguishing tests are Never under SC though the LKMM allows them', () => {
    const classics = ['SB+poonceonces', 'MP+poonceonces', 'LB+poonceonces', 'IRIW+poonceonces+OnceOnce', 'WRC+poonceonces+Once', 'ISA2+poonceonces', 'R+poonceonces', 'S+poonceonces', 'SB+rfionceonce-poonceonces', 'Z6.0+pooncerelease+poacquirerelease+fencembonceonce'];
    const index = new Map(indexRows().map((r) => [r.file, r.result]));
    for (const name of classics) {
      expect(index.get(`${name}.litmus`), name).toBe('Sometimes');
      for (const strategy of ['dpor', 'dfs'] as const) {
        const r = runLitmusText(kernel(name).text, name, { strategy });
        expect([r.verdict, r.exhaustive], `${name} ${strategy}`).toEqual(['Never', true]);
      }
    }
  });

  it('SC allows the sequentially consistent outcomes (the verdict is not stuck at Never)', () => {
    const sb = kernel('SB+poonceonces').text.replace('exists (0:r0=0 /\\ 1:r0=0)', 'exists (0:r0=1 /\\ 1:r0=1)');
    expect(runLitmusText(sb, 'sb').verdict).toBe('Sometimes');
    const mp = kernel('MP+poonceonces').text.replace('exists (1:r0=1 /\\ 1:r1=0)', 'exists (1:r0=0 \\/ 1:r1=1)');
    expect(runLitmusText(mp, 'mp').verdict).toBe('Always');
    const coww = runLitmusText(kernel('CoWW+poonceonce').text.replace('exists (x=1)', 'exists (x=2)'), 'coww');
    expect([coww.verdict, coww.states.map((s) => s.state)]).toEqual(['Always', ['x=2;']]);
  });
});

describe('Documentation/litmus-tests.txt under SC', () => {
  it('reaches a subset of the states herd7 prints, and never what herd7 never reaches', () => {
    let compared = 0;
    for (const ex of docExamples()) {
      if (!ex.observation) continue;
      const r = runLitmusText(ex.text, `doc:${ex.line}`);
      for (const s of r.states) expect(ex.observation.states, `doc:${ex.line}`).toContain(s.state);
      if (ex.observation.verdict === 'Never') expect(r.verdict).toBe('Never');
      compared++;
    }
    expect(compared).toBe(8);
  });

  it('the filter example keeps only executions where both xchg_acquire() took the lock (Always x1=1)', () => {
    const ex = docExamples()[6];
    const r = runLitmusText(ex?.text ?? '', 'doc');
    expect([r.verdict, r.states.map((s) => s.state)]).toEqual(['Always', ['x1=1;']]);
    expect(r.filtered).toBeGreaterThan(0);
  });

  it("RCU+sync+free's smp_store_release(*c, 1) dereferences the value of c: one line naming line 23", () => {
    const ex = docExamples()[9];
    expect(() => runLitmusText(ex?.text ?? '', 'doc.litmus')).toThrow(LitmusError);
    try {
      runLitmusText(ex?.text ?? '', 'doc.litmus');
    } catch (e) {
      expect((e as Error).message).toBe('doc.litmus:23: P1: *c is 0, not the address of a shared variable');
    }
  });
});

describe('data races', () => {
  it('a plain store racing with a plain load raises Flag data-race, on the states it reaches', () => {
    const r = runLitmusText(RACY, 'racy');
    expect(r.flags).toEqual(['data-race']);
    expect(r.states.some((s) => s.race)).toBe(true);
    expect(r.notes.some((n) => /data-race: .*plain (read|write) of x/.test(n))).toBe(true);
  });

  it('release/acquire ordering the plain accesses, or marked accesses only: no flag', () => {
    expect(runLitmusText(ORDERED, 'ordered').flags).toEqual([]);
    expect(runLitmusText(MARKED, 'marked').flags).toEqual([]);
  });
});

/** Run `test` under SC and collect every dependency declared, as `P<i> kind label <- read labels`. */
function dependencies(test: LitmusTest): Set<string> {
  const reads = new Map<number, string>();
  const out = new Set<string>();
  const c = compileLitmus(test, undefined, {
    trace: (proc, kind, events, label) => {
      if (kind === 'read') {
        for (const e of events) reads.set(e, label);
        return;
      }
      out.add(`P${proc} ${kind} ${label} <- ${events.map((e) => reads.get(e) ?? `?${e}`).sort().join(' + ')}`);
    },
  });
  runLitmus(c);
  return out;
}

describe('dependencies, as herd7 counts them', () => {
  it('dep+plain: the if depends on READ_ONCE(*x) through the plain cells z1 and z2 (carry-dep); P1 stores what it read', () => {
    const d = dependencies(parseLitmus(kernel('dep+plain').text, 'dep+plain'));
    expect([...d].sort()).toEqual([
      'P0 ctrl P0:21 if (*z2 == 1) <- P0:18 READ_ONCE(*x) + P0:20 *z1 + P0:21 *z2',
      'P0 data P0:19 *z1 = a; <- P0:18 READ_ONCE(*x)',
      'P0 data P0:20 *z2 = *z1; <- P0:18 READ_ONCE(*x) + P0:20 *z1',
      'P1 data P1:28 smp_store_release(x, r) <- P1:27 smp_load_acquire(y)',
    ]);
  });

  it('an address dependency from rcu_dereference to the load through the pointer, a control dependency in LB', () => {
    const mp = dependencies(parseLitmus(kernel('MP+onceassign+derefonce').text, 'mp'));
    expect([...mp]).toEqual(['P1 addr P1:31 READ_ONCE(*r0) <- P1:30 rcu_dereference(*p)']);
    const lb = dependencies(parseLitmus(kernel('LB+fencembonceonce+ctrlonceonce').text, 'lb'));
    expect([...lb]).toEqual(['P0 ctrl P0:24 if (r0) <- P0:23 READ_ONCE(*x)']);
  });

  it('no carry-dep through a cell another process also writes (its read may read from that process)', () => {
    const t = parseLitmus('C c\n{}\nP0(int *x, int *y, int *z) {\n int a; int b;\n a = READ_ONCE(*x);\n *z = a;\n b = *z;\n WRITE_ONCE(*y, b);\n}\nP1(int *z) { *z = 5; }\nexists (y=5)\n', 'c');
    const d = dependencies(t);
    expect(d).toContain('P0 data P0:8 WRITE_ONCE(*y, b) <- P0:7 *z');
    expect([...d].some((l) => l.startsWith('P0 data P0:8') && l.includes('READ_ONCE(*x)'))).toBe(false);
  });
});

describe('run-time errors of a test are one line with its line number', () => {
  const cases: [string, string, RegExp][] = [
    ['division by zero', 'C d\n{}\nP0(int *x) {\n int r;\n r = 1 / READ_ONCE(*x);\n}\nexists (0:r=0)\n', /^d:5: P0: division by zero$/],
    ['arithmetic on an address', 'C a\n{}\nP0(int *x) {\n int r;\n r = x + 1;\n}\nexists (0:r=0)\n', /^a:5: P0: '\+' on the address of x/],
    ['plain access to atomic_t', 'C p\n{ atomic_t a; }\nP0(atomic_t *a) {\n *a = 1;\n}\nexists (a=0)\n', /^p:4: P0: plain access to atomic_t a/],
    ['atomic_inc on an int through a pointer', 'C i\n{ int *p = x; }\nP0(int **p) {\n int *r;\n r = READ_ONCE(*p);\n atomic_inc(r);\n}\nexists (x=0)\n', /^i:6: P0: atomic_inc\(\) on x, which is not an atomic_t/],
    ['spin_lock on an int', 'C s\n{ int *p = x; }\nP0(int **p) {\n int *r;\n r = READ_ONCE(*p);\n spin_lock(r);\n}\nexists (x=0)\n', /^s:6: P0: spin_lock\(\) on x, which is not a spinlock_t/],
  ];
  for (const [what, text, re] of cases) {
    it(what, () => {
      let msg = '';
      try {
        runLitmusText(text, text.slice(2, 3));
      } catch (e) {
        expect(e).toBeInstanceOf(LitmusError);
        msg = (e as Error).message;
      }
      expect(msg).toMatch(re);
      expect(msg.split('\n')).toHaveLength(1);
    });
  }
});

describe("herd7's other flags", () => {
  it('an RCU read-side section left open or closed twice, and an unlock of a lock not held', () => {
    const r = runLitmusText('C flags\n{ spinlock_t s; }\nP0(int *x) { rcu_read_lock(); WRITE_ONCE(*x, 1); }\nP1(int *x, spinlock_t *s) { rcu_read_unlock(); spin_unlock(s); }\nexists (x=1)\n', 'flags');
    expect(r.flags).toEqual(['unmatched-rcu-lock', 'unmatched-rcu-unlock', 'unmatched-unlock']);
    expect(r.verdict).toBe('Always');
    const balanced = runLitmusText('C ok\n{ spinlock_t s; }\nP0(int *x, spinlock_t *s) { rcu_read_lock(); rcu_read_lock(); spin_lock(s); WRITE_ONCE(*x, 1); spin_unlock(s); rcu_read_unlock(); rcu_read_unlock(); }\nexists (x=1)\n', 'ok');
    expect(balanced.flags).toEqual([]);
  });
});

describe('tests beyond what the engine runs', () => {
  it('more processes than the engine runs: one line naming the file; DPOR has no lower limit', () => {
    const procs = (n: number): string => `C big\n{}\n${Array.from({ length: n }, (_, i) => `P${i}(int *x) { WRITE_ONCE(*x, ${i}); }`).join('\n')}\nexists (x=1)\n`;
    expect(() => runLitmusText(procs(4100), 'big.litmus', { strategy: 'dfs', maxExecutions: 1 })).toThrow(/^big\.litmus: cannot run this test: .*at most 4096 threads \(creating 'P4096'\)$/);
    // 40 processes (past DPOR's old 32-thread limit): DPOR runs them.
    const r = runLitmusText(procs(40), 'big.litmus', { maxExecutions: 10 });
    expect(r.states.length).toBeGreaterThan(0);
  });
});

describe('deadlocks', () => {
  it('an execution that deadlocks has no final state (as in herd7) and is counted apart', () => {
    const r = runLitmusText(PROGRAMS['lock-deadlock'] as string, 'dl');
    expect(r.deadlocked).toBeGreaterThan(0);
    expect(r.states).toEqual([]);
    expect(r.verdict).toBe('Never');
  });
});
