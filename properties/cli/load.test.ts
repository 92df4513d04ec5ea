/**
 * A user's own models through the real CLI (`node bin/mapcheck.js`, dist/ built by the global
 * setup): `--load` on check, replay, minimize, report, list and fuzz (its workers load the file
 * too), TypeScript models (with this repository's `typescript`, found the way a project's is),
 * printed commands that work when copied, crash locations, and every bad --load in one line.
 * Leaves out: the packed package in a fresh project (properties/package/pack.test.ts).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeToken } from '../../src/engine/token.js';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mapcheck.js');
const api = JSON.stringify(join(root, 'dist/src/index.js'));
let dir = '';

interface Ran { code: number; out: string; err: string }

/** Asynchronously (a synchronous spawn would stall vitest's worker for the whole command). */
function exec(file: string, args: string[]): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { cwd: dir, encoding: 'utf8', timeout: 180_000, maxBuffer: 1 << 26 }, (e, out, err) => {
      done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
    });
  });
}

function run(...args: string[]): Promise<Ran> {
  return exec(process.execPath, [bin, ...args]);
}

/** Run a command line the CLI printed, as a user pasting it would (npx mapcheck -> this bin). */
function runPrinted(line: string): Promise<Ran> {
  const m = /npx mapcheck (.+)$/.exec(line.trim());
  if (!m) throw new Error(`not a printed command: ${line}`);
  return exec('sh', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} ${m[1] as string}`]);
}

function oneLine(r: Ran, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
  expect(r.err).not.toMatch(/\n\s+at /);
}

const MODELS = `
import { AtomicT, atomic_dec_and_test, atomic_inc, defineModel, thread, yieldNow } from ${api};
function* put(s, i) {
  if (i === 2) yield* atomic_inc(s.count, 'get');
  if (yield* atomic_dec_and_test(s.count, 'put')) s.freed++;
}
export const models = [
  defineModel({
    name: 'mine/put-race', scenarios: { default: {} },
    setup: () => ({ count: new AtomicT(1, 'obj.count'), freed: 0 }),
    threads: (s) => [1, 2].map((i) => thread('put' + i, () => put(s, i))),
    final: [{ name: 'freed at most once', check: (s) => s.freed <= 1 }],
    source: String(put),
  }),
];
`;

const HELPERS_TS = `export interface S { n: number }
export function boom(s: S): void {
  if (s.n === 1) {
    throw new RangeError('ts boom');
  }
}
`;

const MODELS_TS = `import { defineModel, thread, yieldNow, type ThreadGen } from ${api};
import { boom, type S } from './helpers.js';

function* body(s: S): ThreadGen {
  yield* yieldNow();
  s.n = 1;
  boom(s);
}

export const models = [defineModel<S, Record<string, never>>({
  name: 'mine/ts-throws', scenarios: { default: {} }, setup: (): S => ({ n: 0 }),
  threads: (s) => [thread('t', () => body(s))],
})];
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mapcheck-load-'));
  writeFileSync(join(dir, 'models.mjs'), MODELS);
  writeFileSync(join(dir, 'helpers.ts'), HELPERS_TS);
  writeFileSync(join(dir, 'models.ts'), MODELS_TS);
});

describe('--load: the user\'s models on every command', () => {
  it('check prints a replay command with --load; pasting it, and minimize/report/list with --load, work', async () => {
    const c = await run('check', 'mine/put-race', '--load', 'models.mjs', '--strategy', 'random', '--report-dir', 'out');
    expect(c.code).toBe(1);
    const line = c.out.split('\n').find((l) => l.includes('replay: npx mapcheck replay')) ?? '';
    expect(line).toMatch(/--load models\.mjs$/);
    const rep = await runPrinted(line);
    expect(rep.code).toBe(1);
    expect(rep.out).toContain("invariant 'freed at most once' does not hold");
    // The report written by check names the same command.
    const md = readdirSync(join(dir, 'out')).find((f) => f.endsWith('.md')) ?? '';
    expect(readFileSync(join(dir, 'out', md), 'utf8')).toMatch(/npx mapcheck replay mc1\.\S+ --load models\.mjs/);
    const token = /replay (mc1\.\S+)/.exec(line)?.[1] ?? '';
    // Without --load the token's model is unknown, and the message says what is missing.
    oneLine(await run('replay', token), /unknown model 'mine\/put-race'.*--load/);
    const min = await run('minimize', token, '--load', 'models.mjs', '--json');
    expect(min.code).toBe(0);
    const mj = JSON.parse(min.out) as { token: string; replay: string };
    expect(mj.replay).toBe(`npx mapcheck replay ${mj.token} --load models.mjs`);
    expect((await runPrinted(mj.replay)).code).toBe(1);
    const rj = await run('report', token, '--load', './models.mjs', '--format', 'json');
    expect(rj.code).toBe(0);
    expect((JSON.parse(rj.out) as { replay: string }).replay).toMatch(/ --load models\.mjs$/);
    const list = await run('list', '--load', 'models.mjs', '--json');
    const rows = (JSON.parse(list.out) as { models: { name: string; source: string | null }[] }).models;
    expect(rows[0]).toMatchObject({ name: 'mine/put-race', source: join(dir, 'models.mjs') });
    expect(rows.find((r) => r.name === 'litmus/abba')?.source).toBeNull();
  });

  it('TypeScript models: the crash location is the TypeScript line (source-mapped), and a syntax error names file:line:col', async () => {
    const c = await run('check', 'mine/ts-throws', '--load', 'models.ts', '--json', '--no-report');
    expect(c.code).toBe(1);
    const j = JSON.parse(c.out) as { violation: { kind: string; message: string; stack: string } };
    expect(j.violation.kind).toBe('exception');
    expect(j.violation.message).toContain('RangeError: ts boom');
    // helpers.ts line 4 holds the throw; its JavaScript has the interface removed (line 3).
    expect(j.violation.stack).toContain(`${join(dir, 'helpers.ts')}:4:11`);
    expect(j.violation.stack).toContain(`${join(dir, 'models.ts')}:7:3`);
    expect(j.violation.stack).not.toMatch(/src\/engine/);
    const text = await run('check', 'mine/ts-throws', '--load', 'models.ts', '--no-report');
    expect(text.out).toContain('helpers.ts:4:11');
    writeFileSync(join(dir, 'bad.ts'), 'export const models = [];\nconst x: number = ;\n');
    oneLine(await run('check', 'mine/ts-throws', '--load', 'bad.ts'), /--load bad\.ts: importing it threw SyntaxError: .*bad\.ts:2:19: error TS1109/);
  });

  it('fuzz --load: the workers load the file (TypeScript too), and the summary\'s replay commands carry --load', async () => {
    const out = join(dir, 'camp');
    const f = await run('fuzz', '--load', 'models.ts', '--executions', '300', '--workers', '1', '--out', out, '--report-time', '20s');
    expect(f.code).toBe(1);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/npx mapcheck replay mc1\.\S+ --load models\.ts/);
    // Only the loaded file's models were fuzzed (no --models given).
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { models: string[] };
    expect(s.models).toEqual(['mine/ts-throws']);
    expect(JSON.parse(readFileSync(join(out, 'state.json'), 'utf8'))).toMatchObject({ load: join(dir, 'models.ts') });
    const line = /`(npx mapcheck replay mc1\.\S+ --load models\.ts)`/.exec(summary)?.[1] ?? '';
    expect((await runPrinted(line)).code).toBe(1);
  });

  it('the --load module is imported only in worker threads (the sandbox, the campaign\'s workers), never in the CLI\'s main thread', async () => {
    // The same models, in a module that refuses to be imported by a main thread.
    writeFileSync(join(dir, 'worker-only.mjs'), `import { isMainThread } from 'node:worker_threads';\nif (isMainThread) throw new Error('imported in the main thread');\n${MODELS}`);
    const c = await run('check', 'mine/put-race', '--load', 'worker-only.mjs', '--strategy', 'random', '--no-report');
    expect(c.code, c.err).toBe(1);
    const token = /replay (mc1\.\S+) --load worker-only\.mjs/.exec(c.out)?.[1] ?? '';
    expect(token).not.toBe('');
    expect((await run('replay', token, '--load', 'worker-only.mjs')).code).toBe(1);
    expect((await run('minimize', token, '--load', 'worker-only.mjs', '--time', '2s')).code).toBe(0);
    expect((await run('report', token, '--load', 'worker-only.mjs', '--no-minimize')).code).toBe(0);
    const list = await run('list', '--load', 'worker-only.mjs');
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain('mine/put-race');
    const f = await run('fuzz', '--load', 'worker-only.mjs', '--executions', '200', '--workers', '1', '--out', join(dir, 'camp-worker-only'), '--report-time', '10s');
    expect(f.code, f.err).toBe(1);
    // merge reads the campaign's --load file from its state (described in a worker, too).
    const mg = await run('merge', join(dir, 'camp-worker-only'), '--out', join(dir, 'merged-worker-only'));
    expect(mg.code, mg.err).toBe(1);
    expect(readFileSync(join(dir, 'merged-worker-only', 'summary.md'), 'utf8')).toMatch(/npx mapcheck replay mc1\.\S+ --load worker-only\.mjs/);
    // The guard itself works: imported by a main thread, the module throws.
    const direct = await exec(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(dir, 'worker-only.mjs'))})`]);
    expect(direct.err).toContain('imported in the main thread');
  });

  it('bad --load files: one line each, exit 2', async () => {
    const w = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return name;
    };
    const mk = (names: string[]): string => `import { defineModel, thread, yieldNow } from ${api};\nconst m = (name) => defineModel({ name, scenarios: { d: {} }, setup: () => ({}), threads: () => [thread('t', function* () { yield* yieldNow(); })] });\nexport const models = [${names.map((n) => `m('${n}')`).join(', ')}];\n`;
    oneLine(await run('check', 'x', '--load', 'missing.mjs'), /--load missing\.mjs: no such file/);
    oneLine(await run('list', '--load', w('throws.mjs', 'export const models = [];\nthrow new TypeError("broken at import");\n')), /--load throws\.mjs: importing it threw TypeError: broken at import \(at .*throws\.mjs:2:7\)/);
    oneLine(await run('list', '--load', w('syntax.mjs', 'export const models = [];\nconst = 1;\n')), /--load syntax\.mjs: importing it threw SyntaxError: .* \(at .*syntax\.mjs:2\)/);
    oneLine(await run('list', '--load', w('none.mjs', 'export const x = 1;\n')), /--load none\.mjs: the module exports no 'models'/);
    oneLine(await run('list', '--load', w('notmodel.mjs', 'export const models = [{ name: "x" }];\n')), /models\[0\] is not a defineModel/);
    oneLine(await run('list', '--load', w('dup.mjs', mk(['mine/a', 'mine/a']))), /two models are named 'mine\/a'/);
    oneLine(await run('list', '--load', w('builtin.mjs', mk(['mine/ok', 'litmus/abba']))), /model 'litmus\/abba' has the name of a built-in model/);
    // A well-formed token (a malformed one is refused before the sandbox starts): the --load
    // module is imported, and refused, in the sandbox worker.
    const token = encodeToken({ model: 'mine/a', hash: 1, scenario: 'd', strategy: 'random', seed: 1, steps: [] });
    oneLine(await run('replay', token, '--load', 'missing.mjs'), /--load missing\.mjs: no such file/);
    oneLine(await run('minimize', token, '--load', 'dup.mjs'), /--load dup\.mjs: two models are named/);
    oneLine(await run('report', token, '--load', 'none.mjs'), /--load none\.mjs: the module exports no 'models'/);
    oneLine(await run('fuzz', '--load', 'builtin.mjs', '--executions', '10'), /name of a built-in model/);
  });

  it('a model built by another copy of mapcheck is refused in one line naming both paths', async () => {
    const copy = join(dir, 'copy');
    cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'foreign.mjs'), `import { defineModel, thread, yieldNow } from ${JSON.stringify(join(copy, 'dist/src/index.js'))};\nexport const models = [defineModel({ name: 'mine/foreign', scenarios: { d: {} }, setup: () => ({}), threads: () => [thread('t', function* () { yield* yieldNow(); })] })];\n`);
    const r = await run('check', 'mine/foreign', '--load', 'foreign.mjs');
    oneLine(r, /model 'mine\/foreign' was built by the mapcheck at .*copy\/dist\/src, but it is being run by the mapcheck at .*\/dist\/src/);
    expect(r.err).toContain(join(copy, 'dist/src'));
    expect(r.err).toContain(join(root, 'dist/src'));
    expect(existsSync(join(copy, 'dist/src/index.js'))).toBe(true);
  });
});
