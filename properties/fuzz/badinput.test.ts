/**
 * Bad input to `mapcheck fuzz` through the real CLI: an unknown model glob or strategy, a --resume
 * directory that is not a campaign, a corrupt corpus file, a corrupt finding in a resumed campaign,
 * an --out that cannot be created: each is one line on stderr and exit code 2, before any work,
 * and the files already found are left as they were.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapcheck, tempDir } from './cli.js';

const dir = tempDir('bad');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(args: string[], pattern: RegExp): Promise<void> {
  const r = await mapcheck(args);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe('mapcheck fuzz bad input', () => {
  it('unknown model glob or strategy', async () => {
    await refused(['fuzz', '--models', 'no-such/*', '--time', '1s', '--out', join(dir, 'x1')], /matches no model/);
    await refused(['fuzz', '--models', 'litmus/abba', '--strategies', 'bogus', '--time', '1s', '--out', join(dir, 'x2')], /unknown strategy 'bogus'/);
  });

  it('a --resume directory that is not a campaign', async () => {
    await refused(['fuzz', '--resume', dir], /not a campaign directory/);
    await refused(['fuzz', '--resume', join(dir, 'missing')], /no such directory/);
  });

  it('a corrupt corpus file', async () => {
    const corpus = join(dir, 'corpus');
    mkdirSync(join(corpus, 'litmus', 'abba'), { recursive: true });
    writeFileSync(join(corpus, 'litmus', 'abba', 'broken.json'), '{"token": "mc1.AAAA", "model": "litmus/abba"}');
    await refused(['fuzz', '--models', 'litmus/abba', '--corpus', corpus, '--time', '1s', '--out', join(dir, 'x3')], /corpus file .*broken\.json is corrupt/);
  });

  it('an --out that cannot be written', async () => {
    await refused(['fuzz', '--models', 'litmus/abba', '--time', '1s', '--out', '/dev/null/campaign'], /cannot create directory/);
  });

  it('a corrupt finding in a resumed campaign, leaving the other findings untouched', async () => {
    const out = join(dir, 'c');
    const r = await mapcheck(['fuzz', '--models', 'litmus/abba,litmus/lost-update', '--strategies', 'random', '--executions', '2000', '--workers', '1', '--out', out, '--report-time', '5s']);
    expect(r.code).toBe(1);
    const fdir = join(out, 'findings');
    const names = (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { bugs: { signature: string }[] }).bugs.map((b) => b.signature);
    expect(names.length).toBeGreaterThanOrEqual(2);
    const keep = readFileSync(join(fdir, `${names[0] ?? ''}.json`), 'utf8');
    writeFileSync(join(fdir, `${names[1] ?? ''}.json`), '{"signature": ');
    await refused(['fuzz', '--resume', out, '--time', '1s'], /is corrupt/);
    expect(readFileSync(join(fdir, `${names[0] ?? ''}.json`), 'utf8')).toBe(keep);
  });
});
