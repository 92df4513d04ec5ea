/**
 * The sandbox every command runs model code in, through the real CLI: a hand-made token with a
 * valid checksum and a hostile scenario is refused before model code runs (exit 2, one line) by
 * replay, report and minimize; a model that allocates without bound is stopped at its heap cap; a
 * model that fills ArrayBuffers (outside the heap) is stopped by the memory backstop; a --load module
 * whose top-level await never settles is one clear error within its time limit (not exit 13, not a
 * hang); a thrown value whose toString throws is a violation (exit 1), never an internal error; a
 * setup that refuses its parameters is a usage error (exit 2), never a finding.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readers } from '../../models/litmus/index.js';
import { encodeToken } from '../../src/index.js';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mapcheck.js');
const dir = mkdtempSync(join(tmpdir(), 'mc-sandbox-'));
const api = join(root, 'dist/src/index.js');

function run(...args: string[]): { code: number; out: string; err: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, ms: Date.now() - t0 };
}

function oneLine(r: { code: number; err: string }, re: RegExp): void {
  expect(r.code, r.err).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
}

const models = join(dir, 'models.mjs');
writeFileSync(models, `
import { Atomic, UsageError, defineModel, thread } from ${JSON.stringify(api)};
const base = { scenarios: { d: {} }, setup: () => ({ a: new Atomic(0, 'a'), junk: [] }) };
export const models = [
  defineModel({ ...base, name: 'user/hog', threads: (s) => [thread('t', function* () { yield* s.a.add(1); for (;;) s.junk.push(new Array(4096).fill(1)); })] }),
  defineModel({ ...base, name: 'user/buffers', threads: (s) => [thread('t', function* () { yield* s.a.add(1); for (;;) { const b = new Uint8Array(32 << 20); b.fill(1); s.junk.push(b); } })] }),
  defineModel({ ...base, name: 'user/evil-throw', threads: (s) => [thread('t', function* () { yield* s.a.add(1); throw { toString() { throw new Error('no'); } }; })] }),
  defineModel({ ...base, name: 'user/refuses', scenarios: { d: { n: 1 } }, setup: (p) => { if (p.n > 3) throw new UsageError('n must be at most 3'); return base.setup(); },
    threads: (s) => [thread('t', function* () { yield* s.a.add(1); })] }),
];
`);
const tla = join(dir, 'tla.mjs');
writeFileSync(tla, 'setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport const models = [];\n');

describe('the sandbox', () => {
  it('refuses a hostile token (valid CRC, huge size) in replay, report and minimize before model code runs', () => {
    const token = encodeToken({ model: readers.name, hash: readers.hash, scenario: '{"n":100000000}', strategy: 'random', seed: 1, steps: [0] });
    for (const cmd of ['replay', 'report', 'minimize']) oneLine(run(cmd, token), /params\.n: got 100000000; allowed: a whole number in 1\.\.8/);
  });

  it('stops a model at its heap cap, and one filling ArrayBuffers at the memory backstop', () => {
    oneLine(run('check', 'user/hog', '--load', models, '--max-heap', '64', '--no-report'), /model 'user\/hog' exceeded its 64 MB heap limit/);
    oneLine(run('check', 'user/buffers', '--load', models, '--max-heap', '64', '--no-report'), /model 'user\/buffers' exceeded \d+ MB of memory/);
  });

  it('a --load module whose top-level await never settles is one error within its time limit', () => {
    const r = run('check', 'user/x', '--load', tla, '--load-timeout', '2s');
    oneLine(r, /top-level code has not finished after 2 s/);
    expect(r.ms).toBeLessThan(60_000);
  });

  it('a thrown value whose toString throws is a violation, not an internal error', () => {
    const r = run('check', 'user/evil-throw', '--load', models, '--no-report');
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/threw: a thrown object whose toString threw/);
  });

  it('a setup that refuses its parameters is a usage error, not a finding', () => {
    oneLine(run('check', 'user/refuses', '--load', models, '--scenario', '{"n": 5}', '--no-report'), /refused the scenario: .*n must be at most 3/);
    expect(run('check', 'user/refuses', '--load', models, '--scenario', '{"n": 2}', '--no-report').code).toBe(0);
  });
});
