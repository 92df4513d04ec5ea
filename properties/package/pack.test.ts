/**
 * The package as a user gets it: `npm pack` (dist/ is built by the global setup, as `prepack`
 * builds it for a release), installed with `npm install` into an empty project, offline (the
 * tarball plus tarballs of its runtime dependencies packed from this repository's node_modules, so
 * no registry is asked), then used the way the README says: `npx mapcheck` list / check / replay
 * (the printed command, pasted) / minimize / report / fuzz on a TypeScript model of the user's
 * own, a built-in model, and `mapcheck/vitest` in the user's vitest run. The tarball holds only
 * dist (no source maps), bin, README, docs and the corpus; the install prints no warning.
 * The project's dev tools (typescript, vitest) are linked from this repository's node_modules, as
 * if the user had installed them.
 * Leaves out: installing from the registry (the network is not the package's business here).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
let work = '';
let proj = '';
let tarball = '';

interface Ran { code: number; out: string; err: string }

function exec(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, [...args], { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 26 }, (e, out, err) => {
      done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
    });
  });
}

/** `npx mapcheck ...` in the user's project (npx finds the installed bin; nothing is downloaded). */
function npx(...args: string[]): Promise<Ran> {
  return exec('npx', ['--no', 'mapcheck', ...args], proj);
}

/** The production dependency closure of this package, as found in node_modules. */
function runtimeDeps(): string[] {
  const seen = new Set<string>();
  const visit = (pkgDir: string): void => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const d of Object.keys(pkg.dependencies ?? {})) {
      if (seen.has(d)) continue;
      seen.add(d);
      visit(join(root, 'node_modules', d));
    }
  };
  visit(root);
  return [...seen].sort();
}

const MODELS_TS = `import { AtomicT, atomic_dec_and_test, atomic_inc, defineModel, thread, type ThreadGen } from 'mapcheck';

interface S { count: AtomicT; freed: number }

function* put(s: S, i: number): ThreadGen {
  if (i === 2) yield* atomic_inc(s.count, 'get');
  if (yield* atomic_dec_and_test(s.count, 'put')) s.freed++;
}

export const putRace = defineModel<S, Record<string, never>>({
  name: 'mine/put-race',
  scenarios: { default: {} },
  setup: () => ({ count: new AtomicT(1, 'obj.count'), freed: 0 }),
  threads: (s) => [1, 2].map((i) => thread(\`put\${i}\`, () => put(s, i))),
  final: [{ name: 'freed at most once', check: (s) => s.freed <= 1 }],
  source: String(put),
});

export const counter = defineModel<{ n: AtomicT }, Record<string, never>>({
  name: 'mine/counter',
  scenarios: { default: {} },
  setup: () => ({ n: new AtomicT(0, 'n') }),
  threads: (s) => [1, 2].map((i) => thread(\`inc\${i}\`, function* () { yield* atomic_inc(s.n, 'inc'); })),
  final: [{ name: 'both counted', check: (s) => s.n.value === 2 }],
});

export const models = [putRace, counter];
`;

const TEST_TS = `import { modelTest } from 'mapcheck/vitest';
import { counter, putRace } from './models.js';

modelTest(counter, { strategy: 'dpor' });
modelTest(putRace, { strategy: 'dpor', expect: ['invariant'], name: 'the known double free is found' });
modelTest(putRace, { strategy: 'random', name: 'put race must pass' });
`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mapcheck-pack-'));
  const packed = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  expect(packed.code, packed.err).toBe(0);
  tarball = join(work, (JSON.parse(packed.out) as { filename: string }[])[0]?.filename ?? '');
  const deps = join(work, 'deps');
  mkdirSync(deps);
  for (const d of runtimeDeps()) {
    const r = await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', deps, join(root, 'node_modules', d)], root);
    expect(r.code, r.err).toBe(0);
  }
  proj = join(work, 'project');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), `${JSON.stringify({ name: 'my-kernel-models', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package in a fresh project', () => {
  it('holds only dist, bin, README, docs and the corpus; installs offline without a warning', async () => {
    const list = await exec('tar', ['tzf', tarball], work);
    const files = list.out.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const allowed = /^(package\.json|README\.md|bin\/mapcheck\.js|dist\/(src|models|bench)\/.+\.(js|d\.ts)|docs\/[^/]+\.md|fuzz\/corpus\/.+\.json)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    for (const f of ['dist/src/index.js', 'dist/src/vitest.js', 'dist/src/vitest.d.ts', 'dist/src/cli/main.js', 'dist/src/cli/ts-hooks.js', 'dist/models/index.js', 'bin/mapcheck.js']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.endsWith('.map') || f.startsWith('properties/') || f.startsWith('src/'))).toBe(false);
    const deps = readdirSync(join(work, 'deps')).map((f) => join(work, 'deps', f));
    const inst = await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball, ...deps], proj);
    expect(inst.code, inst.err).toBe(0);
    expect(`${inst.out}\n${inst.err}`).not.toMatch(/npm warn/i);
    expect(existsSync(join(proj, 'node_modules/mapcheck/dist/src/index.js'))).toBe(true);
    // The user's own dev tools.
    for (const tool of ['typescript', 'vitest']) symlinkSync(join(root, 'node_modules', tool), join(proj, 'node_modules', tool), 'dir');
    writeFileSync(join(proj, 'models.ts'), MODELS_TS);
    writeFileSync(join(proj, 'models.test.ts'), TEST_TS);
  });

  it('npx mapcheck: list, check, the pasted replay command, minimize, report and fuzz on a TypeScript model', async () => {
    const list = await npx('list', '--load', 'models.ts', '--json');
    expect(list.code, list.err).toBe(0);
    const names = (JSON.parse(list.out) as { models: { name: string }[] }).models.map((m) => m.name);
    expect(names.slice(0, 2)).toEqual(['mine/put-race', 'mine/counter']);
    expect(names).toContain('ioremap-reuse/posted');
    const c = await npx('check', 'mine/put-race', '--load', 'models.ts', '--strategy', 'dpor', '--report-dir', 'check-reports');
    expect(c.code, c.err).toBe(1);
    expect(c.out).toContain("WARNING: invariant 'freed at most once' violated");
    const line = /replay: (npx mapcheck replay (mc1\.\S+) --load models\.ts)$/m.exec(c.out);
    expect(line).not.toBeNull();
    const report = /report: (\S+\.md)/.exec(c.out)?.[1] ?? '';
    expect(readFileSync(report, 'utf8')).toContain('--load models.ts');
    const token = line?.[2] ?? '';
    const pasted = await exec('sh', ['-c', (line?.[1] ?? '').replace(/^npx /, 'npx --no ')], proj);
    expect(pasted.code, pasted.err).toBe(1);
    const min = await npx('minimize', token, '--load', 'models.ts', '--json', '--time', '2s');
    expect(min.code, min.err).toBe(0);
    expect((JSON.parse(min.out) as { replay: string }).replay).toMatch(/--load models\.ts$/);
    const html = await npx('report', token, '--load', 'models.ts', '--out', 'put-race.html', '--time', '2s');
    expect(html.code, html.err).toBe(0);
    expect(readFileSync(join(proj, 'put-race.html'), 'utf8')).toMatch(/<svg id="timeline"/);
    const fuzz = await npx('fuzz', '--load', 'models.ts', '--executions', '400', '--workers', '1', '--out', 'campaign', '--report-time', '20s');
    expect(fuzz.code, fuzz.err).toBe(1);
    expect(readFileSync(join(proj, 'campaign/summary.md'), 'utf8')).toMatch(/npx mapcheck replay mc1\.\S+ --load models\.ts/);
    // A built-in model runs from the installed package too.
    const abba = await npx('check', 'litmus/abba', '--strategy', 'dpor', '--no-report');
    expect(abba.code, abba.err).toBe(1);
    expect(abba.out).toMatch(/deadlock/);
    // Eight commands, each starting a sandbox worker or a campaign: minutes on a loaded machine.
  }, 600_000);

  it('mapcheck/vitest in the user\'s vitest run: passing and expected-bug tests pass, the failing one shows the minimized counterexample', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, MAPCHECK_BUDGET: '2000', NO_COLOR: '1', FORCE_COLOR: '0' };
    delete env.VITEST;
    delete env.VITEST_WORKER_ID;
    delete env.VITEST_POOL_ID;
    delete env.NODE_ENV;
    const r = await exec(process.execPath, [join(proj, 'node_modules/vitest/vitest.mjs'), 'run', '--root', proj], proj, env);
    const out = `${r.out}\n${r.err}`;
    expect(r.code, out).toBe(1);
    expect(out).toMatch(/Tests\s+1 failed \| 2 passed/);
    expect(out).toContain("WARNING: invariant 'freed at most once' violated");
    expect(out).toMatch(/step \| T0 put1\s+\| T1 put2/);
    expect(out).toMatch(/replay: npx mapcheck replay mc1\.\S+ --load models\.ts/);
    const reports = readdirSync(join(proj, 'reports'));
    expect(reports.filter((f) => /^mine-put-race-invariant-.*\.(md|html|json)$/.test(f))).toHaveLength(3);
  });
});
