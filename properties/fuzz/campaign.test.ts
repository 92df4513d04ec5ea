/**
 * End-to-end campaigns through the real CLI (`node bin/mapcheck.js fuzz`, built by the vitest
 * global setup): a short campaign on the litmus models finds each litmus bug once per signature,
 * with tokens that replay to the recorded kind, md + html + json reports, summary.json in the
 * documented shape, and a corpus; `--resume` continues its counters, coverage and deduplication;
 * a campaign on correct models exits 0 with no bug. Tokens are replayed with the compiled code the
 * CLI ran (see cli.ts: model hashes differ between tsc's and vitest's output).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeToken } from '../../src/index.js';
import { mapcheck, replayWithDist, tempDir } from './cli.js';

interface Bug { signature: string; model: string; kind: string; title: string; count: number; token: string; report: string; minimized: string }
interface SummaryJson { executions: number; elapsed_s: number; coverage: number; signatures: number; bugs: Bug[]; reports: { written: number } }
const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

const dir = tempDir('campaign');
const out = join(dir, 'c1');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mapcheck fuzz (end to end)', () => {
  let first: SummaryJson;

  it('finds every litmus bug, deduplicated, with replayable tokens, reports and a summary', async () => {
    const r = await mapcheck(['fuzz', '--models', 'litmus/*', '--time', '4s', '--workers', '2', '--out', out, '--report-time', '20s']);
    expect(r.stderr).toMatch(/exec\/s/);
    expect(r.stderr).toMatch(/interleavings \d+/);
    expect(r.code).toBe(1);

    first = readJson<SummaryJson>(join(out, 'summary.json'));
    expect(first.executions).toBeGreaterThan(100);
    expect(first.elapsed_s).toBeGreaterThan(0);
    expect(first.coverage).toBeGreaterThan(0);
    const models = new Set(first.bugs.map((b) => b.model));
    for (const m of ['litmus/abba', 'litmus/lost-update', 'litmus/message-passing-plain']) expect(models).toContain(m);
    for (const m of ['litmus/readers', 'litmus/lastzero', 'litmus/store-buffering', 'litmus/message-passing']) expect(models).not.toContain(m);
    expect(new Set(first.bugs.map((b) => b.signature)).size).toBe(first.bugs.length);
    const replayed = await replayWithDist(first.bugs.map((b) => [b.model, b.token] as const));
    expect(replayed.map((x) => x.kind)).toEqual(first.bugs.map((b) => b.kind));
    for (const b of first.bugs) {
      expect(b.count).toBeGreaterThanOrEqual(1);
      for (const ext of ['.md', '.html', '.json']) expect(existsSync(join(out, b.report.replace(/\.md$/, ext)))).toBe(true);
      const rec = readJson<{ count: number; token: string }>(join(out, 'findings', `${b.signature}.json`));
      expect(rec.token).toBe(b.token);
    }
    // Every report says how it was minimized; the summary has a title column and a table per model.
    for (const b of first.bugs) {
      expect(readFileSync(join(out, b.report), 'utf8')).toMatch(/\| schedule \| .*\((minimized from \d+ steps? \/ \d+ preemptions?|not minimized: [^)]+)/);
      expect(['minimized', 'partly-minimized', 'not-minimized']).toContain(b.minimized);
    }
    expect(first.signatures).toBe(first.bugs.length);
    // --time is the whole campaign, reports included: they were written before it ended (a wide margin for a loaded machine).
    expect(first.elapsed_s).toBeLessThan(4 + 4);
    expect(first.reports.written).toBe(first.bugs.length);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain(first.bugs[0]?.signature ?? '???');
    expect(md).toContain('| signature | title | kind | count | first found | report |');
    for (const m of ['litmus/abba', 'litmus/lost-update', 'litmus/message-passing-plain']) expect(md).toMatch(new RegExp(`^## ${m}: 1 bug\\(s\\)$`, 'm'));
    for (const b of first.bugs) expect(md).toContain(`| \`${b.signature}\` | ${b.title} |`);
    expect(md).toMatch(/\*\*3 distinct bug\(s\) \(signatures\); 0 of 0 known bug\(s\) of these models found\.\*\*/);
    const abba = readdirSync(join(out, 'corpus', 'litmus', 'abba'));
    expect(abba.some((f) => f.startsWith('deadlock-'))).toBe(true);
    expect(abba.some((f) => f.startsWith('cov-'))).toBe(true);
    for (const f of abba) expect(decodeToken(readJson<{ token: string }>(join(out, 'corpus', 'litmus', 'abba', f)).token).model).toBe('litmus/abba');
    expect(readJson<{ finished: boolean }>(join(out, 'state.json')).finished).toBe(true);
  });

  it('--resume continues counters, coverage and deduplication', async () => {
    // An execution budget: a two-second one can pass in worker start-up on a loaded machine (--time counts all of it).
    const r = await mapcheck(['fuzz', '--resume', out, '--executions', '500', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/resuming at \d+ executions/);
    const again = readJson<SummaryJson>(join(out, 'summary.json'));
    expect(again.executions).toBeGreaterThan(first.executions);
    expect(again.coverage).toBeGreaterThanOrEqual(first.coverage);
    const before = new Map(first.bugs.map((b) => [b.signature, b]));
    expect(new Set(again.bugs.map((b) => b.signature)).size).toBe(again.bugs.length);
    for (const [sig, b] of before) {
      const now = again.bugs.find((x) => x.signature === sig);
      expect(now?.count).toBeGreaterThanOrEqual(b.count);
    }
    expect(readJson<{ sessions: number }>(join(out, 'state.json')).sessions).toBe(2);
  });

  it('exits 0 with no bug on correct models, within an execution budget', async () => {
    const o = join(dir, 'ok');
    const r = await mapcheck(['fuzz', '--models', 'litmus/readers,litmus/message-passing', '--executions', '3000', '--workers', '2', '--out', o]);
    expect(r.code).toBe(0);
    const s = readJson<SummaryJson>(join(o, 'summary.json'));
    expect(s.bugs).toEqual([]);
    expect(s.executions).toBeGreaterThan(0);
    expect(s.executions).toBeLessThanOrEqual(3000);
  });
});
