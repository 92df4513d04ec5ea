/**
 * `mapcheck/vitest` (src/vitest.ts): a failing model test's message is the minimized counterexample
 * (kernel-style title, per-thread interleaving table, the model code's stack, the replay command
 * with --load) and its report lands in the chosen folder; the budget, seed, strategy and
 * keep-going come from options or, winning over them, MAPCHECK_* variables; `expect` turns a known
 * bug into a passing test; and the printed replay command reproduces the bug when pasted.
 * Leaves out: the helper in a project that installed the packed package (properties/package).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicT, atomic_dec_and_test, atomic_inc, defineModel, thread, yieldNow } from '../../src/index.js';
import { ModelCheckFailure, checkModel, modelCheckSettings } from '../../src/vitest.js';

const root = resolve(__dirname, '../..');

function* put(s: { count: AtomicT; freed: number }, i: number): Generator<never, void, unknown> {
  if (i === 2) yield* atomic_inc(s.count, 'get') as Generator<never, number, unknown>;
  if (yield* atomic_dec_and_test(s.count, 'put') as Generator<never, boolean, unknown>) s.freed++;
}

const putRace = defineModel({
  name: 'user/put-race',
  scenarios: { default: {} },
  setup: () => ({ count: new AtomicT(1, 'obj.count'), freed: 0 }),
  threads: (s) => [1, 2].map((i) => thread(`put${i}`, () => put(s, i))),
  final: [{ name: 'freed at most once', check: (s) => s.freed <= 1 }],
  source: String(put),
});

const counter = defineModel({
  name: 'user/fine',
  scenarios: { default: {} },
  setup: () => ({ count: new AtomicT(0, 'count') }),
  threads: (s) => [1, 2].map((i) => thread(`inc${i}`, function* () {
    yield* atomic_inc(s.count, 'inc');
  })),
  final: [{ name: 'both counted', check: (s) => s.count.value === 2 }],
});

function explode(n: number): void {
  if (n > 0) throw new TypeError(`exploded with ${n}`);
}

const throwing = defineModel({
  name: 'user/throws',
  scenarios: { default: {} },
  setup: () => ({ n: 0 }),
  threads: (s) => [thread('t', function* () {
    yield* yieldNow('tick');
    s.n = 3;
    explode(s.n);
  })],
});

function failure(f: () => unknown): ModelCheckFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelCheckFailure) return e;
    throw e;
  }
  throw new Error('expected a ModelCheckFailure');
}

describe('mapcheck/vitest', () => {
  it('a failing check throws the minimized counterexample and writes its md/html/json report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapcheck-vitest-'));
    const e = failure(() => checkModel(putRace, { strategy: 'random', reportDir: dir }));
    const m = e.message;
    expect(m.split('\n')[0]).toBe("WARNING: invariant 'freed at most once' violated");
    // The per-thread table: a header naming both threads, one row per step, the bug marked.
    expect(m).toMatch(/^step \| T0 put1\s+\| T1 put2/m);
    expect(m).toContain('<== BUG');
    expect(e.report?.size.steps).toBe(3);
    expect(m).toMatch(/minimized from/);
    // The command names the file that defined the model, so the CLI can load it.
    expect(m).toMatch(/replay: npx mapcheck replay mc1\.\S+ --load properties\/vitest\/model-test\.test\.ts/);
    expect(e.files).not.toBeNull();
    for (const p of Object.values(e.files ?? {})) expect(existsSync(p)).toBe(true);
    expect(e.files?.md.startsWith(dir)).toBe(true);
    expect(readFileSync(e.files?.json ?? '', 'utf8')).toContain('"kind": "invariant"');
    expect(m).toContain(`report: ${e.files?.md}`);
    expect(e.stack).not.toMatch(/\n\s+at /);
  });

  it('an exception in model code shows where it was thrown (file and line of this test)', () => {
    const e = failure(() => checkModel(throwing, { reportDir: false }));
    expect(e.message).toContain('TypeError: exploded with 3');
    expect(e.message).toMatch(/at explode \(.*model-test\.test\.ts:\d+:\d+\)/);
    expect(e.report?.violation.stack).toMatch(/model-test\.test\.ts/);
    expect(e.files).toBeNull();
  });

  it('passes when nothing is found; expect: a kind turns a known bug into a pass, and its absence into a failure', () => {
    const r = checkModel(counter, { strategy: 'dpor', reportDir: false });
    expect(r.exhaustive).toBe(true);
    expect(checkModel(putRace, { strategy: 'dpor', expect: ['invariant'] }).finding?.violation.kind).toBe('invariant');
    const none = failure(() => checkModel(counter, { strategy: 'dpor', expect: 'violation' }));
    expect(none.message).toMatch(/expected a violation, but \d+ execution\(s\) of dpor .* found none \(exhaustive/);
    const wrong = failure(() => checkModel(putRace, { strategy: 'dpor', expect: ['deadlock'], reportDir: false }));
    expect(wrong.message).toMatch(/^expected a violation of kind deadlock, found this instead:/);
  });

  it('MAPCHECK_* variables win over the options; bad values name the variable', () => {
    const o = { strategy: 'dpor', budget: 10, seed: 3, keepGoing: false, reportDir: 'x', minimizeTime: '2s' } as const;
    expect(modelCheckSettings(o, {})).toEqual({ strategy: 'dpor', budget: 10, timeMs: undefined, seed: 3, keepGoing: false, reportDir: 'x', minimizeMs: 2000 });
    expect(modelCheckSettings(o, {
      MAPCHECK_STRATEGY: 'pct', MAPCHECK_BUDGET: '5000', MAPCHECK_SEED: '9', MAPCHECK_KEEP_GOING: '1', MAPCHECK_REPORT_DIR: 'ci-reports',
      MAPCHECK_TIME: '10m', MAPCHECK_MINIMIZE_TIME: '30s',
    })).toEqual({ strategy: 'pct', budget: 5000, timeMs: 600_000, seed: 9, keepGoing: true, reportDir: 'ci-reports', minimizeMs: 30_000 });
    expect(modelCheckSettings({ time: '20s' }, {}).budget).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => modelCheckSettings({}, { MAPCHECK_BUDGET: 'lots' })).toThrow(/MAPCHECK_BUDGET must be a whole number/);
    expect(() => modelCheckSettings({}, { MAPCHECK_STRATEGY: 'magic' })).toThrow(/MAPCHECK_STRATEGY must be one of/);
    expect(() => modelCheckSettings({}, { MAPCHECK_TIME: 'soon' })).toThrow(/MAPCHECK_TIME must be a duration/);
    expect(() => modelCheckSettings({}, { MAPCHECK_KEEP_GOING: 'yes' })).toThrow(/MAPCHECK_KEEP_GOING must be 1 or 0/);
  });

  it('the budget really comes from the environment', () => {
    process.env.MAPCHECK_BUDGET = '7';
    try {
      expect(checkModel(counter, { strategy: 'random', budget: 500 }).executions).toBe(7);
    } finally {
      delete process.env.MAPCHECK_BUDGET;
    }
  });

  it('the printed replay command reproduces the bug when pasted (a model module the CLI can load)', async () => {
    // Built package on both sides, as in a user's project: the fixture imports dist/, so does the helper.
    const lib = (await import(join(root, 'dist/src/vitest.js'))) as typeof import('../../src/vitest.js');
    const fixture = (await import(join(__dirname, 'fixtures/put-race.mjs'))) as { models: Parameters<typeof lib.checkModel>[0][] };
    const model = fixture.models[0];
    if (!model) throw new Error('fixture has no model');
    let message = '';
    try {
      lib.checkModel(model, { strategy: 'random', reportDir: false });
    } catch (e) {
      message = (e as Error).message;
    }
    const line = /replay: (npx mapcheck replay mc1\.\S+ --load \S+)/.exec(message)?.[1] ?? '';
    expect(line).toMatch(/--load properties\/vitest\/fixtures\/put-race\.mjs$/);
    const args = line.replace(/^npx mapcheck /, '').split(' ');
    const code = await new Promise<number>((done) => {
      execFile(process.execPath, [join(root, 'bin/mapcheck.js'), ...args], { cwd: root }, (err) => done(err ? (typeof err.code === 'number' ? err.code : -1) : 0));
    });
    expect(code).toBe(1);
  });
});
