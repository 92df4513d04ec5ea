/**
 * Campaign directories of an older mapcheck and findings edited by hand, through the real CLI:
 * `fuzz --resume` of a campaign-format-v1 directory is refused with one line (exit 2) and nothing in
 * it changes; `merge` reads it and re-signs its scheme-1 findings from their tokens, so they
 * deduplicate against current ones; a finding whose token no longer replays, or a current finding
 * edited by hand (its title no longer what its token shows), is refused with one line by both.
 */
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToken, encodeToken } from '../../src/index.js';
import { mapcheck, tempDir } from './cli.js';

const dir = tempDir('versions');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rec { signature: string; scheme?: number; title: string; count: number; token: string; kind: string }
const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const current = join(dir, 'current');

/** Everything under `d`, file by file, to show nothing was touched. */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    for (const n of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, n.name);
      if (n.isDirectory()) walk(q);
      else out[q] = readFileSync(q, 'utf8');
    }
  };
  walk(d);
  return out;
}

/** A copy of the current campaign as an older mapcheck wrote it: state v1, scheme-1 findings under other names. */
function olderCopy(name: string): string {
  const d = join(dir, name);
  cpSync(current, d, { recursive: true });
  const st = readJson<Record<string, unknown>>(join(d, 'state.json'));
  writeFileSync(join(d, 'state.json'), JSON.stringify({ ...st, version: 1 }));
  const fdir = join(d, 'findings');
  for (const f of readdirSync(fdir)) {
    const { scheme: _s, bug: _b, where: _w, allocated: _a, freed: _f, what: _x, minimized: _m, ...old } = readJson<Rec & Record<string, unknown>>(join(fdir, f));
    const oldSig = `${old.kind}-${(parseInt(old.signature.slice(-8), 16) ^ 0x5a5a5a5a).toString(16).padStart(8, '0')}`;
    writeFileSync(join(fdir, `${oldSig}.json`), JSON.stringify({ ...old, signature: oldSig, sites: ['x'], object_kind: '' }));
    rmSync(join(fdir, f));
  }
  return d;
}

beforeAll(async () => {
  const r = await mapcheck(['fuzz', '--models', 'litmus/abba,litmus/lost-update', '--strategies', 'random', '--executions', '3000', '--workers', '1', '--out', current, '--report-time', '5s']);
  expect(r.code).toBe(1);
}, 120_000);

describe('older campaign directories and edited findings', () => {
  it('--resume of a v1 campaign: one line, exit 2, nothing changed', async () => {
    const old = olderCopy('old-resume');
    const before = snapshot(old);
    const r = await mapcheck(['fuzz', '--resume', old, '--time', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/campaign format v1, written by an older mapcheck .* 'mapcheck merge/);
    expect(snapshot(old)).toEqual(before);
  });

  it('merge re-signs the findings of a v1 campaign and deduplicates them with current ones', async () => {
    const old = olderCopy('old-merge');
    const out = join(dir, 'merged');
    const r = await mapcheck(['merge', current, old, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/re-signed/);
    const now = readdirSync(join(current, 'findings')).sort();
    expect(readdirSync(join(out, 'findings')).sort()).toEqual(now);
    for (const f of now) {
      const a = readJson<Rec>(join(current, 'findings', f));
      const m = readJson<Rec>(join(out, 'findings', f));
      expect(m.count).toBe(2 * a.count);
      expect(m.scheme).toBe(2);
    }
    // The merge is a current campaign: it resumes.
    const again = await mapcheck(['fuzz', '--resume', out, '--executions', '200', '--workers', '1', '--report-time', '3s']);
    expect(again.code).toBe(1);
  });

  it('merge refuses, with one line, a scheme-1 finding whose token no longer replays', async () => {
    const old = olderCopy('old-stale');
    const fdir = join(old, 'findings');
    const f = readdirSync(fdir)[0] ?? '';
    const rec = readJson<Rec>(join(fdir, f));
    const s = decodeToken(rec.token);
    writeFileSync(join(fdir, f), JSON.stringify({ ...rec, token: encodeToken({ ...s, hash: (s.hash ^ 1) >>> 0 }) }));
    const r = await mapcheck(['merge', old, '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/uses signature scheme 1 and cannot be re-signed \(its token was recorded against another version/);
  });

  it('a finding edited by hand: resume and merge refuse it with one line, nothing is overwritten', async () => {
    const d = join(dir, 'edited');
    cpSync(current, d, { recursive: true });
    const fdir = join(d, 'findings');
    const f = readdirSync(fdir)[0] ?? '';
    const rec = readJson<Rec>(join(fdir, f));
    writeFileSync(join(fdir, f), JSON.stringify({ ...rec, title: 'WARNING: something else' }));
    const before = snapshot(d);
    for (const args of [['fuzz', '--resume', d, '--time', '1s'], ['merge', d, '--out', join(dir, 'never2')]]) {
      const r = await mapcheck(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/does not match its token .* edited by hand/);
    }
    expect(snapshot(d)).toEqual(before);
    // Filed under another name: refused as well.
    renameSync(join(fdir, f), join(fdir, `${rec.kind}-00000000.json`));
    writeFileSync(join(fdir, `${rec.kind}-00000000.json`), JSON.stringify(rec));
    const r = await mapcheck(['fuzz', '--resume', d, '--time', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds signature/);
  });
});
