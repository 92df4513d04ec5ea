/**
 * The curated examples in reports/examples/ (written by `npm run examples`): every expected bug of
 * every posted seed model has one, each token still replays to that bug, and re-rendering it gives
 * byte-for-byte the committed markdown, JSON and HTML (so a renderer or model change that alters a
 * report shows up here and is regenerated on purpose).
 * The check runs under plain node on dist/ (built by the global setup), the code `npx mapcheck
 * replay` runs: a model's hash covers its function text, which vitest's module transform rewrites.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExampleCheck } from '../../src/cli/report-examples.js';

const root = resolve(__dirname, '../..');
const REGEN = 'run `npm run examples` to regenerate reports/examples';
type Verified = { checks: ExampleCheck[]; missing: string[]; readme: string | null };
const verify = (dir: string): Verified => JSON.parse(execFileSync(process.execPath, [join(root, 'dist/src/cli/report-examples.js'), '--verify', dir], { cwd: root, encoding: 'utf8', timeout: 120_000 })) as Verified;
const result = verify(join(root, 'reports/examples'));

describe('curated example reports', () => {
  it('exist for every expected bug of every posted model', () => {
    expect(result.missing, REGEN).toEqual([]);
    expect(result.checks.length).toBeGreaterThan(0);
  });

  it('the README shows the current rendering of its example', () => {
    expect(result.readme, REGEN).toBeNull();
  });

  it('the check notices an edited rendering and a dropped example', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mapcheck-examples-'));
    try {
      cpSync(join(root, 'reports/examples'), tmp, { recursive: true });
      const index = JSON.parse(readFileSync(join(tmp, 'index.json'), 'utf8')) as { examples: { stem: string }[] };
      const [first, ...rest] = index.examples;
      const second = rest[0];
      expect(first && second).toBeTruthy();
      appendFileSync(join(tmp, `${second?.stem ?? ''}.md`), '\nedited by hand\n');
      writeFileSync(join(tmp, 'index.json'), JSON.stringify({ ...index, examples: rest }));
      const v = verify(tmp);
      expect(v.missing).toHaveLength(1);
      expect(v.checks.find((c) => c.stem === second?.stem)?.problems.join(' ')).toMatch(/md renders differently/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  for (const c of result.checks) {
    it(`${c.model} ${c.bug}: replays to the bug and renders unchanged`, () => {
      expect(c.problems, REGEN).toEqual([]);
    });
  }
});
