/**
 * Bad litmus input never crashes the front end: random truncations and mutations of the kernel's
 * litmus tests (cut at any point, a character deleted, inserted or replaced, a line dropped or
 * repeated, two tokens swapped) either run to a verdict or fail with one LitmusError line naming the
 * file; never another exception. And `mapcheck litmus` as users meet it: per-file blocks, the
 * directory table, --expect's exit codes (0 agree, 1 differ), --json, one stderr line and exit 2 for
 * a file it cannot read or run, for bad flags, and for the LKMM until the engine has it.
 * Leaves out: the meaning of the verdicts (sc.test.ts, agreement.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LitmusError, VERDICTS, runLitmusText } from '../../src/litmus/index.js';
import { TESTS_DIR, kernelTests } from './corpus.js';
import { RACY } from './programs.js';

const INSERTS = ['(', ')', '{', '}', ';', '*', '&', '=', ',', '~', '/\\', '\\/', '(*', '*)', '//', '/*', 'P0', 'P9', 'x', 'r0', '0:', 'exists', 'if', 'else', 'while', 'READ_ONCE', 'spin_lock(', '"', '\n', '1', '-', '0x', '[', ']', 'int *', 'srcu_read_lock(s)'];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.constantFrom(...INSERTS) }),
  fc.record({ op: fc.constant('line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), dup: fc.boolean() }),
  fc.record({ op: fc.constant('swap' as const), a: fc.double({ min: 0, max: 1, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const pos = (f: number): number => Math.floor(f * text.length);
  switch (m.op) {
    case 'cut': return text.slice(0, pos(m.at));
    case 'delete': return text.slice(0, pos(m.at)) + text.slice(pos(m.at) + m.len);
    case 'insert': return text.slice(0, pos(m.at)) + m.text + text.slice(pos(m.at));
    case 'line': {
      const lines = text.split('\n');
      const i = Math.floor(m.at * lines.length);
      lines.splice(i, m.dup ? 0 : 1, ...(m.dup ? [lines[i] ?? ''] : []));
      return lines.join('\n');
    }
    case 'swap': {
      const toks = text.split(/(\s+)/);
      const i = Math.floor(m.a * toks.length);
      const j = Math.floor(m.b * toks.length);
      [toks[i], toks[j]] = [toks[j] ?? '', toks[i] ?? ''];
      return toks.join('');
    }
  }
}

describe('random truncations and mutations of the kernel tests', () => {
  it('run to a verdict or fail with one LitmusError line naming the file (300 mutants)', () => {
    const tests = kernelTests();
    let errors = 0;
    let verdicts = 0;
    fc.assert(fc.property(fc.integer({ min: 0, max: tests.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
      const t = tests[i] as { file: string; text: string };
      const text = ms.reduce(mutate, t.text);
      try {
        const r = runLitmusText(text, `mutant-${t.file}`, { memoryModel: 'sc', maxExecutions: 20_000 });
        expect(r.verdict === null || VERDICTS.includes(r.verdict)).toBe(true);
        verdicts++;
      } catch (e) {
        if (!(e instanceof LitmusError)) throw new Error(`not a LitmusError for ${JSON.stringify(ms)} of ${t.file}: ${String(e)}`);
        expect(e.message).toContain(`mutant-${t.file}`);
        expect(e.message.split('\n')).toHaveLength(1);
        expect(e.line).toBeGreaterThanOrEqual(1);
        errors++;
      }
    }), { numRuns: 300, seed: 0x11e5 });
    // The mutants must exercise both outcomes, or the property says little.
    expect(errors).toBeGreaterThan(50);
    expect(verdicts).toBeGreaterThan(20);
  }, 120_000);
});

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mapcheck.js');

/** `mapcheck litmus ARGS` in this process (the real main(), output captured). */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (err += `${t}\n`), isTTY: false, cwd: root };
  const code = await main(['litmus', ...args], io);
  return { code, out, err };
}

/** The real binary, for what only a separate process shows (no stack trace reaches the user). */
function spawn(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, 'litmus', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function oneLine(r: { code: number; err: string }, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('mapcheck litmus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mapcheck-litmus-'));
  const mp = join(TESTS_DIR, 'MP+pooncerelease+poacquireonce.litmus');

  it("prints herd7's block; --expect exits 0 when the verdict agrees and 1 when it differs", async () => {
    const ok = await run(mp, '--memory-model', 'sc', '--expect');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Test MP+pooncerelease+poacquireonce Allowed');
    expect(ok.out).toContain('States 3\n1:r0=0; 1:r1=0;\n1:r0=0; 1:r1=1;\n1:r0=1; 1:r1=1;\nNo\nWitnesses\nPositive: 0 Negative: 3');
    expect(ok.out).toContain('Observation MP+pooncerelease+poacquireonce Never 0 3');
    expect(ok.out).toContain('Expected Never: agrees');
    const differs = await run(join(TESTS_DIR, 'SB+poonceonces.litmus'), '--memory-model', 'sc', '--expect');
    expect(differs.code).toBe(1);
    expect(differs.out).toContain('Expected Sometimes: DIFFERS (got Never)');
    expect((await run(join(TESTS_DIR, 'SB+poonceonces.litmus'), '--memory-model', 'sc')).code).toBe(0);
  });

  it('lists the witnesses and flags a data race', async () => {
    const f = join(dir, 'race.litmus');
    writeFileSync(f, RACY.replace('exists (1:r0=1 /\\ 1:r1=0)', 'exists (1:r0=1 /\\ 1:r1=1)'));
    const r = await run(f, '--memory-model', 'sc', '--strategy', 'dfs');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Witnesses\nPositive: 1 Negative: 2\n  1:r0=1; 1:r1=1;\nFlag data-race');
    expect(r.out).toMatch(/note: data-race: BUG: KCSAN: data-race/);
  });

  it('runs a directory with a summary table; --json is one object', async () => {
    const r = await run(TESTS_DIR, '--memory-model', 'sc');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^test +expected +sc +states +execs +ms +flags$/m);
    expect(r.out).toMatch(/^dep\+plain +Never +Never +1 +\d+ +\d+ +$/m);
    expect(r.out).toMatch(/43 tests in [\d.]+ s: 30 agree, 13 differ, 0 errors/);
    expect((await run(TESTS_DIR, '--memory-model', 'sc', '--expect')).code).toBe(1);
    const j = JSON.parse((await run(mp, '--memory-model', 'sc', '--json')).out) as { results: { name: string; verdict: string; states: { state: string }[] }[]; errors: number };
    expect(j.errors).toBe(0);
    expect(j.results[0]?.verdict).toBe('Never');
    expect(j.results[0]?.states.map((s) => s.state)).toEqual(['1:r0=0; 1:r1=0;', '1:r0=0; 1:r1=1;', '1:r0=1; 1:r1=1;']);
  });

  it('one stderr line and exit 2 for a file it cannot parse or run, naming file, line and construct (the real binary too)', async () => {
    const bad = join(dir, 'bad.litmus');
    writeFileSync(bad, 'C bad\n{}\nP0(int *x) {\n  while (1) WRITE_ONCE(*x, 1);\n}\nexists (x=1)\n');
    oneLine(spawn(bad, '--memory-model', 'sc'), /unsupported construct 'while' at .*bad\.litmus:4/);
    const deref = join(dir, 'deref.litmus');
    writeFileSync(deref, 'C deref\n{}\nP0(int *x) {\n  int r;\n  r = READ_ONCE(*x);\n  WRITE_ONCE(*r, 1);\n}\nexists (x=1)\n');
    oneLine(await run(deref, '--memory-model', 'sc'), /deref\.litmus:6: P0: r is 0, not the address of a shared variable/);
    const both = spawn(bad, mp, '--memory-model', 'sc');
    expect(both.code).toBe(2);
    expect(both.out).toContain('Observation MP+pooncerelease+poacquireonce Never');
  });

  it('bad arguments: one line, exit 2; the default memory model is the LKMM', async () => {
    oneLine(await run(), /litmus: which tests\?/);
    oneLine(await run(join(dir, 'nope.litmus'), '--memory-model', 'sc'), /no such file or directory: .*nope\.litmus/);
    oneLine(await run(mp, '--memory-model', 'tso'), /--memory-model must be one of sc\|lkmm/);
    oneLine(await run(mp, '--strategy', 'random'), /--strategy must be one of dpor\|dfs/);
    const lkmm = spawn(mp);
    expect(lkmm.code).toBe(0);
    expect(lkmm.out).toContain('Observation MP+pooncerelease+poacquireonce Never');
  });
});
