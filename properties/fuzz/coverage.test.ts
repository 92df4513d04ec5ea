/**
 * `mapcheck fuzz --coverage` through the real CLI: the campaign runs again under c8 and writes the
 * line/branch coverage of the model code its worker threads reached; the model that ran is covered,
 * no other model's files are counted (every model is loaded, only the selected ones ran), the engine
 * is not in the report (it is restricted to models/), and the exit code is the campaign's own.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapcheck, tempDir } from './cli.js';

const dir = tempDir('cov');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Pct { pct: number }
type CovSummary = Record<string, { lines: Pct; branches: Pct }>;

describe('mapcheck fuzz --coverage', () => {
  it('writes line and branch coverage of the model code reached by the workers', async () => {
    const out = join(dir, 'c');
    const r = await mapcheck(['fuzz', '--models', 'litmus/abba', '--time', '6s', '--workers', '1', '--coverage', '--out', out, '--report-time', '2s']);
    expect(r.code).toBe(1);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    const cov = JSON.parse(readFileSync(join(out, 'coverage', 'coverage-summary.json'), 'utf8')) as CovSummary;
    const files = Object.keys(cov).filter((k) => k !== 'total');
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.includes('/models/litmus/')), files.join(' ')).toBe(true);
    const classic = files.find((f) => f.endsWith('models/litmus/classic.ts'));
    expect(classic).toBeDefined();
    expect(cov[classic ?? '']?.lines.pct).toBeGreaterThan(50);
    expect(existsSync(join(out, 'coverage', 'index.html'))).toBe(true);
  });
});
