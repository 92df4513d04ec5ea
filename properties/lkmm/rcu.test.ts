/**
 * The LKMM's RCU axiom (linux-kernel.cat: rcu-link, rcu-order, rcu-fence, rb) under
 * `--memory-model lkmm`, which none of the kernel's 43 litmus tests exercises: a reader whose
 * read-side section sees a store made after synchronize_rcu() must also see every store made
 * before it (the RCU guarantee, Documentation/RCU/whatisRCU.rst and explanation.txt "RCU
 * RELATIONS"). Each weakening (no grace period, no read-side section, the reads outside it) makes
 * the outcome reachable again, so the test fails if the axiom is missing or too strong.
 */
import { describe, expect, it } from 'vitest';
import { runLitmusText } from '../../src/litmus/index.js';

function rcuTest(reader: string, writer: string): string {
  return `C rcu\n{}\nP0(int *x, int *y) {\n  int r0;\n  int r1;\n${reader}\n}\nP1(int *x, int *y) {\n${writer}\n}\nexists (0:r0=1 /\\ 0:r1=0)\n`;
}

const READER = '  rcu_read_lock();\n  r0 = READ_ONCE(*x);\n  r1 = READ_ONCE(*y);\n  rcu_read_unlock();';
const WRITER = '  WRITE_ONCE(*y, 1);\n  synchronize_rcu();\n  WRITE_ONCE(*x, 1);';

function verdict(text: string): string | null {
  const out = (['dpor', 'dfs'] as const).map((strategy) => {
    const r = runLitmusText(text, 'rcu.litmus', { memoryModel: 'lkmm', strategy });
    expect(r.exhaustive).toBe(true);
    return r.verdict;
  });
  expect(out[0]).toBe(out[1]);
  return out[0] ?? null;
}

describe('RCU under the LKMM', () => {
  it('a reader that sees the post-grace-period store sees the pre-grace-period one: Never', () => {
    expect(verdict(rcuTest(READER, WRITER))).toBe('Never');
  });

  it('without the grace period, without the read-side section, or with smp_mb() instead of it: Sometimes', () => {
    expect(verdict(rcuTest(READER, WRITER.replace('synchronize_rcu();', '')))).toBe('Sometimes');
    expect(verdict(rcuTest(READER.replace('rcu_read_lock();', '').replace('rcu_read_unlock();', ''), WRITER))).toBe('Sometimes');
    // smp_mb() in the writer alone does not order the reader's two reads.
    expect(verdict(rcuTest(READER, WRITER.replace('synchronize_rcu();', 'smp_mb();')))).toBe('Sometimes');
  });

  it('reading y then x: one section forbids (0:r0=1, 0:r1=0); split into two sections it is allowed (the first precedes the grace period, the second follows it)', () => {
    const one = '  rcu_read_lock();\n  r1 = READ_ONCE(*y);\n  r0 = READ_ONCE(*x);\n  rcu_read_unlock();';
    const split = '  rcu_read_lock();\n  r1 = READ_ONCE(*y);\n  rcu_read_unlock();\n  rcu_read_lock();\n  r0 = READ_ONCE(*x);\n  rcu_read_unlock();';
    expect(verdict(rcuTest(one, WRITER))).toBe('Never');
    expect(verdict(rcuTest(split, WRITER))).toBe('Sometimes');
  });
});
