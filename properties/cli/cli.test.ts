/**
 * The CLI as users and scripts meet it: the real `node bin/mapcheck.js` (dist/ is built by the
 * global setup), its JSON shapes, exit codes (0 nothing found, 1 found, 2 usage), one-line errors
 * without stack traces, and the watchdog that ends a model stuck in a loop without yields.
 * Leaves out: fuzz/minimize/report commands (their own suites).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModel } from '../../models/index.js';
import { decodeToken, encodeToken, explore, makeStrategy } from '../../src/index.js';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mapcheck.js');

function run(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function expectOneLineError(r: { code: number; err: string }, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('mapcheck CLI', () => {
  it('list --json names every litmus model with its scenarios', () => {
    const j = JSON.parse(execFileSync(process.execPath, [bin, 'list', '--json'], { cwd: root, encoding: 'utf8' })) as { models: { name: string; scenarios: string[] }[] };
    const names = j.models.map((m) => m.name);
    expect(names).toContain('litmus/abba');
    expect(j.models.find((m) => m.name === 'litmus/readers')?.scenarios).toEqual(['n2', 'n1', 'n3', 'n4']);
  });

  it('check finds the ABBA deadlock (exit 1) and replay reproduces it (exit 1)', () => {
    const r = run('check', 'litmus/abba', '--strategy', 'random', '--json', '--no-report');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { violation: { kind: string }; token: string; executions: number; exhaustive: boolean; strategy: string };
    expect(j.violation.kind).toBe('deadlock');
    expect(j.strategy).toBe('random');
    const rep = run('replay', j.token, '--json');
    expect(rep.code).toBe(1);
    expect((JSON.parse(rep.out) as { violation: { kind: string } }).violation.kind).toBe('deadlock');
  });

  it('check exits 0 when nothing is found', () => {
    const r = run('check', 'litmus/message-passing', '--strategy', 'random', '--budget', '300', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { violation: unknown; executions: number; token: unknown };
    expect(j.violation).toBeNull();
    expect(j.token).toBeNull();
    expect(j.executions).toBe(300);
  });

  it('check --keep-going lists every distinct bug worst first, each with a token that replays to it (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-keep-'));
    const mod = join(dir, 'two-bugs.mjs');
    // One schedule family shows a use-after-free and, behind it, a data race on another object and a leak.
    writeFileSync(mod, `
import { defineModel, thread, kmalloc, kfree, Field, GFP_KERNEL } from ${JSON.stringify(join(root, 'dist/src/index.js'))};
export const models = [defineModel({
  name: 'user/keep-going', scenarios: { d: {} },
  setup: () => ({ flag: new Field(0, 'flag'), box: { p: null } }),
  threads: (s) => [
    thread('a', function* () {
      s.box.p = yield* kmalloc('obj', GFP_KERNEL, (b) => ({ v: new Field(0, 'v', b) }), 'make');
      yield* s.flag.set(1);
      yield* kfree(s.box.p, 'drop');
      yield* kmalloc('lost', GFP_KERNEL, undefined, 'leak');
    }),
    thread('b', function* () {
      yield* s.flag.get();
      if (s.box.p) yield* s.box.p.v.set(2);
    }),
  ],
})];
`);
    const r = run('check', 'user/keep-going', '--load', mod, '--keep-going', '--strategy', 'dfs', '--json', '--no-report');
    expect(r.code, r.err).toBe(1);
    const j = JSON.parse(r.out) as { violation: { kind: string }; token: string; bugs: { signature: string; kind: string; token: string }[] };
    const kinds = j.bugs.map((b) => b.kind);
    expect(kinds).toEqual(expect.arrayContaining(['use-after-free', 'data-race', 'leak']));
    expect(new Set(j.bugs.map((b) => b.signature)).size).toBe(j.bugs.length);
    // Worst first; the result's own violation is the first of the list.
    expect(kinds.indexOf('use-after-free')).toBeLessThan(kinds.indexOf('data-race'));
    expect(kinds.indexOf('data-race')).toBeLessThan(kinds.indexOf('leak'));
    expect(j.violation.kind).toBe(kinds[0]);
    for (const b of j.bugs) {
      expect(decodeToken(b.token).mode?.keepGoing).toBe(true);
      const rep = JSON.parse(run('replay', b.token, '--load', mod, '--json').out) as { violation: { kind: string } | null };
      expect(rep.violation, b.signature).not.toBeNull();
    }
    // Without --keep-going: one violation, no list.
    const one = JSON.parse(run('check', 'user/keep-going', '--load', mod, '--strategy', 'dfs', '--json', '--no-report').out) as { bugs?: unknown };
    expect(one.bugs).toBeUndefined();
    const text = run('check', 'user/keep-going', '--load', mod, '--keep-going', '--strategy', 'dfs', '--no-report');
    expect(text.out).toMatch(/\d+ distinct bug\(s\), worst first:/);
  }, 120_000);

  it('check --strategy dpor-fold: exhaustive, and the note says which sections stopped folding and why', () => {
    const r = run('check', 'ioremap-reuse/fixed', '--scenario', 'map-fails', '--strategy', 'dpor-fold', '--budget', '100000', '--json', '--no-report');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { exhaustive: boolean; strategy: string; notes?: string[]; stats: Record<string, number> };
    expect(j).toMatchObject({ strategy: 'dpor-fold', exhaustive: true });
    expect(j.stats['foldRestarts']).toBe(1);
    expect(j.notes?.join(' ')).toContain("dpor-fold: sections opened at 'find_vm_area_paddr: spin_lock(&vmap_area_lock)' no longer fold");
    const text = run('check', 'ioremap-reuse/fixed', '--scenario', 'map-fails', '--strategy', 'dpor-fold', '--budget', '100000', '--no-report');
    expect(text.out).toContain('  note: dpor-fold: sections opened at');
  }, 120_000);

  it('check without a violation and not exhaustive says it is not a proof, how far it got, and what would prove', () => {
    const dpor = run('check', 'vcm/fixed', '--scenario', 'three-drivers', '--strategy', 'dpor', '--budget', '40', '--no-report');
    expect(dpor.code).toBe(0);
    expect(dpor.out).toContain('exhaustive: no');
    expect(dpor.out).toMatch(/no violation found within the budget: not a proof, \d+ distinct trace\(s\) explored before the budget ran out; for a bounded proof run --strategy dfs --preemption-bound 2 .*--strategy dpor-fold/);
    const rnd = run('check', 'vcm/fixed', '--scenario', 'three-drivers', '--strategy', 'random', '--budget', '20', '--no-report');
    expect(rnd.out).toContain('not a proof, random samples schedules');
    const dfs = run('check', 'vcm/fixed', '--scenario', 'three-drivers', '--strategy', 'dfs', '--budget', '20', '--no-report');
    expect(dfs.out).toContain('not a proof, the exploration did not finish');
    const done = run('check', 'litmus/readers', '--strategy', 'dpor', '--no-report');
    expect(done.out).toContain('no violation: every interleaving');
    // Replaying one schedule that violates nothing is not a run that fell short of a proof.
    const m = findModel('litmus/readers');
    if (m === undefined) throw new Error('litmus/readers not built in');
    let steps: readonly number[] = [];
    const res = explore(m, makeStrategy('dpor'), { maxExecutions: 1, onExecution: (r) => { steps = r.schedule; } });
    const token = encodeToken({ model: m.name, hash: m.hash, scenario: res.scenario, strategy: 'dpor', seed: 0, steps: [...steps] });
    const again = run('replay', token);
    expect(again.code).toBe(0);
    expect(again.out).toContain('no violation: the replayed schedule ran to its end without one');
    expect(again.out).not.toContain('not a proof');
  }, 120_000);

  it('check --strategy delay --delay-bound K: exhaustive "within K delays" only when the bound cut schedules off, and its token replays', () => {
    const r = run('check', 'litmus/readers', '--strategy', 'delay', '--delay-bound', '1', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { exhaustive: boolean; within: string | null; strategy: string; executions: number };
    expect(j).toMatchObject({ strategy: 'delay', exhaustive: true, within: '1 delay', executions: 3 });
    const text = run('check', 'litmus/readers', '--strategy', 'delay', '--delay-bound', '2');
    expect(text.out).toContain('exhaustive: yes (within 2 delays)');
    expect(text.out).toContain('every interleaving with at most 2 delays was explored');
    // Unbounded (and a bound that cuts nothing off): every interleaving, no "within".
    const all = JSON.parse(run('check', 'litmus/readers', '--strategy', 'delay', '--json').out) as { exhaustive: boolean; within: string | null };
    expect(all).toMatchObject({ exhaustive: true, within: null });
    // readers' threads are one op each, so no schedule has a preemption; lastzero's have some.
    const dfsOf = (m: string): string | null => (JSON.parse(run('check', m, '--strategy', 'dfs', '--preemption-bound', '0', '--json').out) as { within: string | null }).within;
    expect(dfsOf('litmus/readers')).toBeNull();
    expect(dfsOf('litmus/lastzero')).toBe('0 preemptions');
    const bug = run('check', 'litmus/abba', '--strategy', 'delay', '--delay-bound', '1', '--json', '--no-report');
    expect(bug.code).toBe(1);
    const b = JSON.parse(bug.out) as { token: string; violation: { kind: string } };
    expect(b.violation.kind).toBe('deadlock');
    expect(decodeToken(b.token).strategy).toBe('delay');
    expect(run('replay', b.token).code).toBe(1);
    expectOneLineError(run('check', 'litmus/abba', '--strategy', 'delay', '--delay-bound', 'two'), /--delay-bound must be a whole number/);
  });

  it('bad input gives one line and exit 2', () => {
    expectOneLineError(run('check', 'no-such-model'), /unknown model 'no-such-model'/);
    expectOneLineError(run('check', 'litmus/abba', '--budget', 'lots'), /--budget must be a whole number/);
    expectOneLineError(run('check', 'litmus/abba', '--strategy', 'magic'), /--strategy must be one of/);
    expectOneLineError(run('check', 'litmus/abba', '--frobnicate'), /unknown option '--frobnicate'/);
    expectOneLineError(run('check', 'litmus/readers', '--scenario', 'n9'), /no scenario 'n9'/);
    expectOneLineError(run('replay', 'hello'), /not a mapcheck token/);
    expectOneLineError(run('replay', 'mc1.AAAAAAAAAAAAAAAA'), /corrupt|truncated/);
    expectOneLineError(run('frob'), /unknown command 'frob'/);
    expectOneLineError(run('fuzz', '--memory-model', 'arm'), /--memory-model must be one of sc\|lkmm/);
    expectOneLineError(run('replay', 'hello', '--memory-model', 'x86'), /--memory-model must be one of sc\|lkmm/);
    // A misspelt section used to run nothing and exit 0.
    expectOneLineError(run('bench', '--only', 'thruput,dpor'), /bench --only: no section 'thruput' \(sections: throughput, .*three-callers/);
  });

  it('a token for another model version or an edited token is refused in one line', () => {
    const r = run('check', 'litmus/abba', '--strategy', 'random', '--json', '--no-report');
    const token = (JSON.parse(r.out) as { token: string }).token;
    const s = decodeToken(token);
    expectOneLineError(run('replay', encodeToken({ ...s, hash: (s.hash + 1) >>> 0 })), /another version of 'litmus\/abba'/);
    const flipped = token.slice(0, -3) + (token.endsWith('A') ? 'B' : 'A') + token.slice(-2);
    expectOneLineError(run('replay', flipped), /corrupt|truncated/);
  });

  it('--memory-model: a user model\'s stale read is found under lkmm (exit 1, the token says lkmm) and not under sc (exit 0); a bad name and a token replayed under the other model are one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapcheck-cli-lkmm-'));
    const file = join(dir, 'models.mjs');
    const api = join(root, 'dist/src/index.js');
    writeFileSync(file, `
import { Field, READ_ONCE, WRITE_ONCE, defineModel, thread } from ${JSON.stringify(api)};
export const models = [defineModel({
  name: 'user/mp-once', scenarios: { default: {} }, leakCheck: false,
  setup: () => ({ data: new Field(0, 'data'), flag: new Field(0, 'flag'), r0: 0, r1: 0 }),
  threads: (s) => [
    thread('P0', function* () { yield* WRITE_ONCE(s.data, 1); yield* WRITE_ONCE(s.flag, 1); }),
    thread('P1', function* () { s.r0 = yield* READ_ONCE(s.flag); s.r1 = yield* READ_ONCE(s.data); }),
  ],
  final: [{ name: 'no stale data after the flag', check: (s) => !(s.r0 === 1 && s.r1 === 0) }],
})];
`);
    const sc = run('check', 'user/mp-once', '--load', file, '--strategy', 'dfs', '--json', '--no-report');
    expect(sc.code).toBe(0);
    expect(JSON.parse(sc.out).exhaustive).toBe(true);
    const lk = run('check', 'user/mp-once', '--load', file, '--strategy', 'dfs', '--memory-model', 'lkmm', '--json', '--no-report');
    expect(lk.code).toBe(1);
    const j = JSON.parse(lk.out) as { violation: { kind: string }; token: string };
    expect(j.violation.kind).toBe('invariant');
    expect(decodeToken(j.token).mode?.memoryModel).toBe('lkmm');
    expectOneLineError(run('check', 'user/mp-once', '--load', file, '--memory-model', 'tso'), /--memory-model must be one of sc\|lkmm/);
    const abba = (JSON.parse(run('check', 'litmus/abba', '--strategy', 'random', '--json', '--no-report').out) as { token: string }).token;
    expectOneLineError(run('replay', abba, '--memory-model', 'lkmm'), /token was recorded under memory model 'sc', not 'lkmm'/);
    expect(run('replay', abba, '--memory-model', 'sc').code).toBe(1);
  });

  it('user models via --load: a thrown error is a violation, a yield loop hits the step bound, a non-yielding loop trips the watchdog', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapcheck-cli-'));
    const file = join(dir, 'models.mjs');
    const api = join(root, 'dist/src/index.js');
    writeFileSync(file, `
import { defineModel, thread, yieldNow } from ${JSON.stringify(api)};
const base = { scenarios: { default: {} }, setup: () => ({}) };
export const models = [
  defineModel({ ...base, name: 'user/throws', threads: () => [thread('t', function* () { yield* yieldNow(); throw new TypeError('boom'); })] }),
  defineModel({ ...base, name: 'user/spins', maxSteps: 500, threads: () => [thread('t', function* () { for (;;) yield* yieldNow('spin: cpu_relax()'); })] }),
  defineModel({ ...base, name: 'user/hangs', threads: () => [thread('t', function* () { yield* yieldNow(); for (;;) {} })] }),
];
`);
    const t = run('check', 'user/throws', '--load', file, '--strategy', 'random', '--json', '--no-report');
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out).violation).toMatchObject({ kind: 'exception' });
    expect(JSON.parse(t.out).violation.message).toMatch(/TypeError: boom/);
    const s = run('check', 'user/spins', '--load', file, '--strategy', 'random', '--budget', '1', '--json', '--no-report');
    expect(s.code).toBe(1);
    expect(JSON.parse(s.out).violation).toMatchObject({ kind: 'step-bound' });
    expect(JSON.parse(s.out).violation.message).toMatch(/repeats a cycle of 1 op/);
    const h = run('check', 'user/hangs', '--load', file, '--strategy', 'random', '--watchdog', '2s');
    expectOneLineError(h, /exceeded 2 s of CPU time without finishing an execution: a thread loops without yielding an op.*replay: npx mapcheck replay mc1\.\S+ --load \S*models\.mjs$/m);
    // The hang's token replays to the same hang, stopped by the replay's own watchdog.
    const token = /replay (mc1\.\S+)/.exec(h.err)?.[1] ?? '';
    expectOneLineError(run('replay', token, '--load', file, '--watchdog', '2s'), /exceeded 2 s of CPU time/);
  });
  it('prove --load: an exhaustive proof passes (exit 0), a proof that finds a violation fails (exit 1) and says so, a bad tier is a usage error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapcheck-prove-'));
    const file = join(dir, 'models.mjs');
    const api = join(root, 'dist/src/index.js');
    writeFileSync(file, `
import { Atomic, defineModel, thread } from ${JSON.stringify(api)};
const counter = (name, rmw) => defineModel({
  name, scenarios: { t2: { threads: 2 }, t3: { threads: 3 } },
  setup: (p) => ({ count: new Atomic(0, 'count'), n: p.threads }),
  threads: (s, p) => Array.from({ length: p.threads }, (_, i) => thread('inc' + i, function* () {
    if (rmw) { yield* s.count.add(1, 'atomic_inc_return'); return; }
    const v = yield* s.count.load('atomic_read');
    yield* s.count.store(v + 1, 'atomic_set');
  })),
  final: [{ name: 'no lost update', check: (s) => s.count.value === s.n }],
  scenarioShape: (p) => ({ threads: p.threads, sessions: null }),
  proofs: [{ scenario: 't2', strategy: 'dpor', tier: 'ci' }, { scenario: 't3', strategy: 'dfs', preemptionBound: 1, tier: 'prove' }],
});
export const models = [counter('user/rmw', true), counter('user/lost', false)];
`);
    const ok = run('prove', '--load', file, '--models', 'user/rmw', '--json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out) as { proofs: { scenario: string; strategy: string; preemptionBound: number | null; threads: number | null; exhaustive: boolean; ok: boolean }[] };
    expect(j.proofs.map((p) => [p.scenario, p.strategy, p.preemptionBound, p.threads, p.exhaustive, p.ok])).toEqual([['t2', 'dpor', null, 2, true, true], ['t3', 'dfs', 1, 3, true, true]]);
    const bad = run('prove', '--load', file, '--models', 'user/lost', '--tier', 'ci');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/user\/lost +t2 .*VIOLATION/);
    expectOneLineError(run('prove', '--tier', 'nightly'), /--tier must be ci, prove or all/);
  });
});
