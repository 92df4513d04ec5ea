/**
 * The campaign's report stage (report-stage.ts) without workers: which records are due, when a job
 * may start (a record settled for two seconds while fuzzing, at most half the workers, every due
 * record once fuzzing is over), how a job's budget is cut to the campaign's deadline (no budget: "not
 * minimized: budget ran out"; interrupted: rendered as found), what a result writes (three files and
 * the record's minimization), that a report identical to another bug's is refused, and that a job
 * that failed leaves a plain report saying why.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FindingMsg, MinimizeMsg, ReportMsg } from '../../src/cli/fuzz/messages.js';
import { ReportStage } from '../../src/cli/fuzz/report-stage.js';
import { type FindingRecord, FindingsStore } from '../../src/cli/fuzz/store.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function finding(sig: string, steps: number): FindingMsg {
  return {
    type: 'finding', signature: sig, model: 'litmus/abba', scenario: 'default', strategy: 'random', seed: 1, kind: 'deadlock', title: 'INFO: t', message: 'm',
    parts: { where: ['f'], allocated: '', freed: '', what: '' }, bug: 'deadlock in f', token: `mc1.t${steps}`, steps, preemptions: 0, known: [],
  };
}

async function setup(): Promise<{ dir: string; store: FindingsStore; stage: ReportStage; logs: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-stage-'));
  dirs.push(dir);
  const store = new FindingsStore(dir, join(dir, 'corpus'), () => 0);
  const logs: string[] = [];
  const stage = new ReportStage(dir, store, { perBugMs: 20_000, workers: 2, watchdogMs: 30_000 }, (l) => logs.push(l));
  for (const [sig, steps] of [['deadlock-0000000a', 9], ['deadlock-0000000b', 7]] as const) {
    expect(await store.add(finding(sig, steps))).toBe('new');
    stage.changed(sig);
  }
  return { dir, store, stage, logs };
}

function result(job: MinimizeMsg, token: string, status: ReportMsg['status'] = 'minimized'): ReportMsg {
  return {
    type: 'report', n: job.n, signature: job.signature, files: { md: `md ${token}`, html: `html ${token}`, json: `json ${token}` }, status, token,
    steps: 2, preemptions: 1, from: { steps: 9, preemptions: 2 }, ...(status === 'minimized' ? {} : { reason: 'budget ran out' }), elapsedMs: 40,
  };
}

describe('report stage', () => {
  it('while fuzzing: waits for a record to settle and keeps half the workers fuzzing; afterwards: everything', async () => {
    const { stage } = await setup();
    const now = Date.now();
    const fuzzing = { fuzzing: true, interrupted: false, deadline: now + 60_000 };
    expect(stage.next(fuzzing, now)).toBeNull();
    const a = stage.next(fuzzing, now + 2500);
    expect(a).toMatchObject({ type: 'minimize', signature: 'deadlock-0000000a', budgetMs: 20_000, token: 'mc1.t9' });
    expect(stage.next(fuzzing, now + 2500)).toBeNull();
    expect(stage.next({ ...fuzzing, fuzzing: false }, now + 2500)).toMatchObject({ signature: 'deadlock-0000000b' });
    expect(stage.pending).toBe(2);
  });

  it('cuts the budget to the deadline; none left or interrupted: rendered as found, saying why', async () => {
    const { stage } = await setup();
    const now = Date.now();
    const j = stage.next({ fuzzing: false, interrupted: false, deadline: now + 5000 }, now);
    expect(j?.budgetMs).toBeLessThanOrEqual(5000 - 750);
    expect(j?.budgetMs).toBeGreaterThan(1000);
    const late = stage.next({ fuzzing: false, interrupted: false, deadline: now + 800 }, now);
    expect(late).toMatchObject({ budgetMs: 0, reason: 'budget ran out' });
    const { stage: s2 } = await setup();
    expect(s2.next({ fuzzing: false, interrupted: true, deadline: Infinity }, now)).toMatchObject({ budgetMs: 0, reason: 'the campaign was interrupted' });
  });

  it('writes a result and records how it was minimized; refuses a report identical to another bug\'s', async () => {
    const { dir, store, stage, logs } = await setup();
    const mode = { fuzzing: false, interrupted: false, deadline: Infinity };
    const a = stage.next(mode) as MinimizeMsg;
    const b = stage.next(mode) as MinimizeMsg;
    await stage.apply(result(a, 'mc1.min'));
    expect(readFileSync(join(dir, 'reports', 'deadlock-0000000a.md'), 'utf8')).toBe('md mc1.min');
    expect(existsSync(join(dir, 'reports', 'deadlock-0000000a.html'))).toBe(true);
    const rec = store.get('deadlock-0000000a') as FindingRecord;
    expect(rec).toMatchObject({ report: 'reports/deadlock-0000000a.md', report_token: 'mc1.t9', minimized: { status: 'minimized', token: 'mc1.min', steps: 2, from_steps: 9 } });
    expect(ReportStage.isDue(rec)).toBe(false);
    await stage.apply(result(b, 'mc1.min'));
    expect(existsSync(join(dir, 'reports', 'deadlock-0000000b.md'))).toBe(false);
    expect(stage.countsNow).toMatchObject({ written: 1, fixedPoint: 1, duplicates: 1 });
    expect(logs.join('\n')).toMatch(/identical to deadlock-0000000a's; not written/);
  });

  it('a smaller token later makes the bug due again; a partly minimized report is retried only on resume', async () => {
    const { store, stage } = await setup();
    const mode = { fuzzing: false, interrupted: false, deadline: Infinity };
    const a = stage.next(mode) as MinimizeMsg;
    const b = stage.next(mode) as MinimizeMsg;
    await stage.apply(result(a, 'mc1.min-a'));
    await stage.apply(result(b, 'mc1.min-b', 'partly-minimized'));
    expect(stage.pending).toBe(0);
    expect(await store.add(finding('deadlock-0000000a', 1))).toBe('smaller');
    stage.changed('deadlock-0000000a');
    expect(stage.pending).toBe(1);
    // No time left to improve on the report it has: no job, the report stays.
    expect(stage.next({ ...mode, deadline: Date.now() + 100 })).toBeNull();
    expect(stage.pending).toBe(0);
    // A result no better than the report it has does not replace it.
    stage.changed('deadlock-0000000a');
    const redo = stage.next(mode) as MinimizeMsg;
    await stage.apply({ ...result(redo, 'mc1.worse', 'partly-minimized'), steps: 5 });
    expect(store.get('deadlock-0000000a')?.minimized?.token).toBe('mc1.min-a');
    expect(stage.countsNow.kept).toBe(1);
    const again = new ReportStage('/nonexistent', store, { perBugMs: 1000, workers: 1, watchdogMs: 1000 }, () => undefined);
    again.start(store.records());
    expect(again.pending).toBe(2);
  });

  it('a failed job leaves a plain report that says why', async () => {
    const { dir, store, stage } = await setup();
    const a = stage.next({ fuzzing: false, interrupted: false, deadline: Infinity }) as MinimizeMsg;
    await stage.failed(a.n, 'the model hung while it was being minimized (watchdog)');
    expect(readFileSync(join(dir, 'reports', `${a.signature}.md`), 'utf8')).toMatch(/No report could be built: the model hung/);
    expect(store.get(a.signature)?.minimized).toMatchObject({ status: 'not-minimized', reason: 'the model hung while it was being minimized (watchdog)' });
    expect(stage.countsNow.failed).toBe(1);
  });
});
