/**
 * Crash safety with a real child process: a campaign killed with SIGKILL in the middle leaves only
 * complete finding files (temp file + rename: a kill during a write may leave the temp file, never
 * a torn finding), a readable state, and resumes from them, removing the temp files; SIGINT ends a
 * campaign early with reports, summary.json and exit code 1.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapcheck, start, tempDir } from './cli.js';

const dir = tempDir('crash');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the campaign');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function findings(out: string): string[] {
  const d = join(out, 'findings');
  return existsSync(d) ? readdirSync(d) : [];
}

describe('campaign crash safety', () => {
  it('kill -9 loses no finding; --resume picks up from the files', async () => {
    const out = join(dir, 'k');
    const child = start(['fuzz', '--models', 'litmus/abba,litmus/lost-update', '--time', '60s', '--workers', '2', '--out', out]);
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    // Wait for two findings and a checkpoint that counted executions.
    await until(() => findings(out).filter((f) => f.endsWith('.json')).length >= 2
      && existsSync(join(out, 'state.json')) && (JSON.parse(readFileSync(join(out, 'state.json'), 'utf8')) as { executions: number }).executions > 0, 30_000);
    child.kill('SIGKILL');
    await exited;
    const files = findings(out).filter((f) => f.endsWith('.json'));
    const sigs = files.map((f) => f.replace(/\.json$/, ''));
    for (const f of files) expect(() => JSON.parse(readFileSync(join(out, 'findings', f), 'utf8')) as unknown).not.toThrow();
    const st = JSON.parse(readFileSync(join(out, 'state.json'), 'utf8')) as { executions: number; finished: boolean };
    expect(st.finished).toBe(false);
    // An execution budget: a one-second one can pass in worker start-up on a loaded machine (--time counts all of it).
    const r = await mapcheck(['fuzz', '--resume', out, '--executions', '300', '--workers', '1', '--report-time', '10s']);
    expect(r.code).toBe(1);
    expect(findings(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { executions: number; bugs: { signature: string; report: string }[] };
    expect(s.executions).toBeGreaterThan(st.executions);
    for (const sig of sigs) expect(s.bugs.map((b) => b.signature)).toContain(sig);
    for (const b of s.bugs) expect(existsSync(join(out, b.report))).toBe(true);
  });

  it('SIGINT stops early and still writes reports, summary and exit code 1', async () => {
    const out = join(dir, 'i');
    const child = start(['fuzz', '--models', 'litmus/abba', '--time', '60s', '--workers', '1', '--out', out]);
    const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    await until(() => findings(out).length >= 1, 30_000);
    const t = Date.now();
    child.kill('SIGINT');
    expect(await code).toBe(1);
    expect(Date.now() - t).toBeLessThan(30_000);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { bugs: { kind: string; report: string }[] };
    expect(s.bugs.map((b) => b.kind)).toContain('deadlock');
    for (const b of s.bugs) expect(existsSync(join(out, b.report))).toBe(true);
  });
});
