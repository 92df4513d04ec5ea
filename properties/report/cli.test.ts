/**
 * The report stage as users meet it through the real CLI (`node bin/mapcheck.js`, dist/ built by
 * the global setup): `minimize --json` prints the shape and a smaller token that still
 * replays; `report` renders md / text / html / json from a token and re-renders a report file;
 * `check` writes md + html + json of a minimized finding into --report-dir and prints the path
 * (none with --no-report); bad input (foreign token, newer report version, unwritable path) is one
 * line and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeToken, encodeToken } from '../../src/index.js';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mapcheck.js');
const tmp = mkdtempSync(join(tmpdir(), 'mapcheck-report-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function oneLine(r: { code: number; err: string }, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
}

const found = run('check', 'litmus/lost-update', '--scenario', 't3', '--strategy', 'random', '--seed', '3', '--json', '--report-dir', join(tmp, 'out'));
const finding = JSON.parse(found.out) as { token: string; report?: string; preemptions: number; steps: number };

describe('mapcheck minimize / report / check --report-dir', () => {
  it('check writes a minimized report (md, html, json) and prints its path', () => {
    expect(found.code).toBe(1);
    expect(finding.report).toBeDefined();
    const md = finding.report ?? '';
    expect(existsSync(md)).toBe(true);
    expect(existsSync(md.replace(/\.md$/, '.html'))).toBe(true);
    const j = JSON.parse(readFileSync(md.replace(/\.md$/, '.json'), 'utf8')) as { version: number; size: { steps: number }; minimization: { status: string } };
    expect(j.version).toBe(2);
    expect(j.minimization.status).toBe('minimized');
    expect(readFileSync(md, 'utf8')).toMatch(/\| schedule \| 4 steps, 1 preemption \(minimized from \d+ steps \/ \d+ preemptions?\) \|/);
    expect(j.size.steps).toBe(4);
    expect(readFileSync(md, 'utf8')).toMatch(/^### WARNING: invariant 'no lost update' violated/);
  });

  it('check --no-report writes nothing', () => {
    const dir = join(tmp, 'none');
    const r = run('check', 'litmus/abba', '--strategy', 'random', '--json', '--no-report', '--report-dir', dir);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { report?: string }).report).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('minimize --json prints { token, steps, preemptions, before } and the token replays', () => {
    const r = run('minimize', finding.token, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { token: string; steps: number; preemptions: number; before: { steps: number; preemptions: number } };
    // `steps` in check's output counts the whole run; the token's own length comes from replaying it.
    const original = JSON.parse(run('replay', finding.token, '--json').out) as { steps: number };
    expect(j.before).toEqual({ steps: original.steps, preemptions: finding.preemptions, faults: 0 });
    expect(j.steps).toBe(4);
    expect(j.preemptions).toBe(1);
    const rep = run('replay', j.token, '--json');
    expect(rep.code).toBe(1);
    expect((JSON.parse(rep.out) as { steps: number }).steps).toBe(4);
  });

  it('report renders md, text, html and json, and re-renders a report file', () => {
    const md = run('report', finding.token);
    expect(md.code).toBe(0);
    expect(run('report', finding.token, '--no-minimize').out).toMatch(/\(not minimized: reported as recorded \(--no-minimize\)\)/);
    expect(md.out).toMatch(/\| step \| T0 inc0 \| T1 inc1 \|/);
    expect(md.out).toContain('npx mapcheck replay mc1.');
    const text = run('report', finding.token, '--format', 'text');
    expect(text.out).toMatch(/-- preempt to T\d inc\d --/);
    const html = run('report', finding.token, '--out', 'r.html');
    expect(html.out.trim()).toBe(join(tmp, 'r.html'));
    expect(readFileSync(join(tmp, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    const json = run('report', finding.token, '--format', 'json', '--out', 'r.json');
    expect(json.code).toBe(0);
    const again = run('report', 'r.json', '--format', 'md');
    expect(again.out).toBe(md.out);
  });

  it('bad input: foreign token, newer report version, unwritable path, unreadable file', () => {
    const [head, body] = finding.token.split('.') as [string, string];
    const bytes = Buffer.from(body, 'base64url');
    // Flip one byte of the model hash: the checksum then fails (a corrupt token).
    bytes[22] = (bytes[22] ?? 0) ^ 0xff;
    oneLine(run('minimize', `${head}.${bytes.toString('base64url')}`), /token is corrupt/);
    const s = decodeToken(finding.token);
    const stale = encodeToken({ ...s, hash: (s.hash ^ 1) >>> 0 });
    oneLine(run('minimize', stale), /recorded against another version of 'litmus\/lost-update'/);
    oneLine(run('report', stale), /recorded against another version/);
    const r = JSON.parse(readFileSync(join(tmp, 'r.json'), 'utf8')) as { version: number };
    writeFileSync(join(tmp, 'future.json'), JSON.stringify({ ...r, version: 99 }));
    oneLine(run('report', 'future.json'), /report format v99 is newer than this mapcheck reads \(v2\)/);
    // A report of an older version: refused with the way out, and the file it names is not touched.
    writeFileSync(join(tmp, 'old.json'), JSON.stringify({ ...r, version: 1 }));
    const before = readFileSync(join(tmp, 'old.json'), 'utf8');
    oneLine(run('report', 'old.json', '--out', 'old.json'), /report format v1 is older than this mapcheck reads \(v2\); re-render it from its token/);
    expect(readFileSync(join(tmp, 'old.json'), 'utf8')).toBe(before);
    oneLine(run('report', finding.token, '--out', '/proc/no/such/dir/r.md'), /cannot write \/proc\/no\/such\/dir\/r\.md/);
    oneLine(run('report', 'no-such-file.json'), /neither a token .* nor a readable report file/);
    expect(readdirSync(tmp)).not.toContain('no-such-file.json');
  });
});
