/**
 * Probes of untrusted input: token and scenario mutants through the library (in a heap-capped
 * worker) and through the CLI (`replay`, `report`, `minimize`), the hostile tokens (valid
 * CRC, huge sizes), and hostile CLI inputs: user modules that allocate without bound, loop without
 * yielding (in a thread or in their top level), throw a value whose toString throws, await
 * forever, exit the process; bad flags, escape sequences in arguments. Handled cleanly: the
 * documented exit code with one line and no stack trace, exit 2 whenever the parameters break the
 * schema, a bounded time, and no escape sequence echoed to the terminal.
 * Leaves out: campaigns (campaign.ts, disk.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { allModels } from '../../models/index.js';
import { cleanExit, cli, DIST, judge, pool, type Row, row, rng, show, tempDir } from './harness.js';
import type { LibraryOutcome } from './library-worker.js';
import { type Mutant, baseTokens, hostileTokens, scenarioMutant, tokenMutant } from './mutants.js';

function mutants(nTokens: number, nScenarios: number, seed: number): Mutant[] {
  const rnd = rng(seed);
  const bases = baseTokens();
  const out: Mutant[] = [...hostileTokens()];
  for (let i = 0; i < nTokens; i++) out.push(tokenMutant(bases[Math.floor(rnd() * bases.length)] as string, rnd));
  for (let i = 0; i < nScenarios; i++) out.push(scenarioMutant(allModels[Math.floor(rnd() * allModels.length)] as (typeof allModels)[number], rnd));
  return out;
}

export async function libraryProbe(n: number): Promise<Row> {
  const r = row('token + scenario mutants, library');
  const list = mutants(Math.floor(n / 2), Math.ceil(n / 2), 7);
  const out = await new Promise<LibraryOutcome | string>((resolve) => {
    const w = new Worker(new URL('./library-worker.js', import.meta.url), { workerData: list, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    w.on('message', (m: LibraryOutcome) => resolve(m));
    w.on('error', (e) => resolve(`library worker died: ${e.message}`));
    w.on('exit', (code) => resolve(`library worker exited with code ${code}`));
  });
  if (typeof out === 'string') {
    judge(r, false, out);
    return r;
  }
  r.tried = out.tried;
  r.clean = out.clean;
  r.failures = out.failures.length;
  r.examples.push(...out.failures.slice(0, 5));
  return r;
}

export async function cliMutantProbe(n: number): Promise<Row> {
  const r = row('token + scenario mutants, CLI');
  // An argument of more than 128 KiB cannot even be passed to a process (E2BIG): those stay library-only.
  const list = mutants(Math.floor(n / 2), Math.ceil(n / 2), 8).filter((m) => m.token.length < 120_000);
  await pool(list.map((m, i) => async () => {
    const cmd = i % 10 === 0 ? ['report', m.token, '--time', '2s'] : i % 10 === 1 ? ['minimize', m.token, '--time', '2s'] : ['replay', m.token];
    const res = await cli([...cmd, '--watchdog', '10s'], 120_000);
    const ok = cleanExit(res) && (!m.invalidParams || res.code === 2) && !/\u001b/.test(res.stdout + res.stderr);
    judge(r, ok, `${m.what}: ${show(cmd, res)}`);
  }));
  return r;
}

const MODULE = (api: string): string => `
import { Atomic, defineModel, thread } from ${JSON.stringify(api)};
const base = { scenarios: { d: {} }, setup: () => ({ a: new Atomic(0, 'a'), junk: [] }) };
export const models = [
  defineModel({ ...base, name: 'user/hog', threads: (s) => [thread('t', function* () { yield* s.a.add(1); for (;;) s.junk.push(new Array(4096).fill(1)); })] }),
  defineModel({ ...base, name: 'user/buffers', threads: (s) => [thread('t', function* () { yield* s.a.add(1); for (;;) { const b = new Uint8Array(32 << 20); b.fill(1); s.junk.push(b); } })] }),
  defineModel({ ...base, name: 'user/loop', threads: (s) => [thread('t', function* () { yield* s.a.add(1); for (;;) {} })] }),
  defineModel({ ...base, name: 'user/evil-throw', threads: (s) => [thread('t', function* () { yield* s.a.add(1); throw { toString() { throw new Error('no'); } }; })] }),
  defineModel({ ...base, name: 'user/exits', threads: (s) => [thread('t', function* () { yield* s.a.add(1); process.exit(7); })] }),
  defineModel({ ...base, name: 'user/async-throw', setup: () => { setTimeout(() => { throw new Error('late'); }, 0); return base.setup(); }, threads: (s) => [thread('t', function* () { yield* s.a.add(1); for (let i = 0; i < 1e9; i++) if (i % 1e8 === 0) yield* s.a.add(1); })] }),
  defineModel({ ...base, name: 'user/escapes', threads: (s) => [thread('t\\u001b[2J\\u009b31m', function* () { yield* s.a.add(1, 'ld\\u001b]0;pwned\\u0007'); throw new Error('\\u001b[5mboom'); })] }),
];
`;

export async function hostileCliProbe(): Promise<Row> {
  const r = row('hostile CLI inputs (--load, flags)');
  const dir = tempDir('cli');
  const mod = join(dir, 'models.mjs');
  writeFileSync(mod, MODULE(join(DIST, 'src', 'index.js')));
  const tla = join(dir, 'tla.mjs');
  writeFileSync(tla, 'setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport const models = [];\n');
  const tla13 = join(dir, 'tla13.mjs');
  writeFileSync(tla13, 'await new Promise(() => {});\nexport const models = [];\n');
  const spin = join(dir, 'spin.mjs');
  writeFileSync(spin, 'for (;;) {}\n');
  const cases: [string[], readonly number[], RegExp | null][] = [
    [['check', 'user/hog', '--load', mod, '--max-heap', '64', '--no-report'], [2], /exceeded its 64 MB heap limit/],
    [['check', 'user/buffers', '--load', mod, '--max-heap', '64', '--no-report'], [2], /exceeded \d+ MB of memory/],
    [['check', 'user/loop', '--load', mod, '--watchdog', '3s', '--no-report'], [2], /exceeded 3 s of CPU time/],
    [['check', 'user/evil-throw', '--load', mod, '--no-report'], [1], null],
    [['check', 'user/exits', '--load', mod, '--no-report'], [2], /worker exited with code 7/],
    [['check', 'user/async-throw', '--load', mod, '--no-report', '--budget', '1'], [0, 1, 2], null],
    [['check', 'user/escapes', '--load', mod, '--no-report'], [1], null],
    [['check', 'user/escapes\u001b[2J', '--load', mod, '--no-report'], [2], /unknown model/],
    [['check', 'user/x', '--load', tla, '--load-timeout', '3s'], [2], /has not finished after 3 s/],
    [['check', 'user/x', '--load', tla13, '--load-timeout', '3s'], [2], /has not finished after 3 s/],
    [['check', 'user/x', '--load', spin, '--watchdog', '3s'], [2], /loading .* used 3 s of CPU/],
    [['check', 'litmus/readers', '--scenario', '{"n": 1e9}'], [2], /params\.n: got 1000000000/],
    [['check', 'litmus/readers', '--scenario', '{"n": 2, "zz": 1}'], [2], /unknown field/],
    [['check', 'litmus/readers', '--scenario', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'], [2], null],
    [['check', 'ioremap-reuse/fixed', '--scenario', '{"threads": "\\u001b[31m"}', '--strategy', 'dpor'], [2], /params\.threads/],
    [['check', 'ioremap-reuse/fixed', '--scenario', '{"threads": "\u001b[31m"}', '--strategy', 'dpor'], [2], /not valid JSON|neither/],
    [['replay', 'mc1.\u001b]0;owned\u0007AAAA'], [2], null],
    [['replay', `mc1.${'A'.repeat(120_000)}`], [2], null],
    [['check', 'no/such\u001b[2J'], [2], /unknown model/],
    [['check', 'litmus/abba', '--budget', '-1'], [2], null],
    [['check', 'litmus/abba', '--watchdog', 'forever'], [2], null],
    [['report', '/etc/shadow'], [2], null],
    [['report', '/dev/zero', '--format', 'md'], [2], null],
  ];
  await pool(cases.map(([args, codes, re]) => async () => {
    const res = await cli(args, 150_000);
    const ok = cleanExit(res, codes) && (re === null || re.test(res.stderr + res.stdout)) && !/[\u001b\u009b]/.test(res.stdout + res.stderr);
    judge(r, ok, show(args, res));
  }));
  return r;
}
