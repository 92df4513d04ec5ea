/**
 * The direction of imports (DESIGN.md §3): cli -> shrink/report/strategies/models -> linux/hw ->
 * engine. Scans every TypeScript file's import specifiers and fails with the offending lines.
 * Also: the engine, linux, hw, strategies, shrink and report never touch fs/console/process; the
 * litmus front end reads files only in directory.ts.
 * Leaves out: dynamic imports built from strings (the project has none).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

function files(dir: string): string[] {
  const abs = join(root, dir);
  let out: string[] = [];
  for (const e of readdirSync(abs)) {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) out = out.concat(files(relative(root, p)));
    else if (p.endsWith('.ts')) out.push(relative(root, p));
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) out.push(m[1] as string);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1] as string);
  return out;
}

/** Top-level area of a resolved relative import: src/engine, src/linux, models, ... */
function area(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = relative(root, resolve(dirname(join(root, fromFile)), spec));
  const parts = target.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : target.replace(/\.js$/, '');
  return parts[0] ?? null;
}

const allowed: Record<string, readonly string[]> = {
  'src/engine': ['src/engine'],
  'src/linux': ['src/engine', 'src/linux'],
  'src/hw': ['src/engine', 'src/linux', 'src/hw'],
  'src/strategies': ['src/engine', 'src/strategies'],
  'src/shrink': ['src/engine', 'src/strategies', 'src/shrink', 'src/check', 'src/report'],
  'src/report': ['src/engine', 'src/report', 'src/check', 'src/strategies'],
  // The litmus front end sits beside the models: it uses the public API only.
  'src/litmus': ['src/index', 'src/litmus'],
};

describe('import direction', () => {
  for (const [dir, ok] of Object.entries(allowed)) {
    it(`${dir} imports only ${ok.join(', ')} (and node/npm packages)`, () => {
      const bad: string[] = [];
      for (const f of files(dir)) {
        for (const spec of imports(f)) {
          const a = area(f, spec);
          if (a !== null && !ok.includes(a)) bad.push(`${f}: ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('models import only src/index.ts (and each other within models/)', () => {
    const bad: string[] = [];
    for (const f of files('models')) {
      for (const spec of imports(f)) {
        const a = area(f, spec);
        if (a === null) continue;
        if (a !== 'models' && a !== 'src/index') bad.push(`${f}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('src/litmus touches fs only in directory.ts, and never process or console', () => {
    const bad: string[] = [];
    for (const f of files('src/litmus')) {
      const text = readFileSync(join(root, f), 'utf8');
      if (/\bprocess\.(argv|env|exit|stdout|stderr)|\bconsole\.(log|error|warn)/.test(text)) bad.push(f);
      if (!f.endsWith('directory.ts') && /from ['"](node:)?fs(\/promises)?['"]/.test(text)) bad.push(f);
    }
    expect(bad).toEqual([]);
  });

  it('only src/cli (and bench) touch fs, process or console', () => {
    const bad: string[] = [];
    for (const dir of ['src/engine', 'src/linux', 'src/hw', 'src/strategies', 'src/shrink', 'src/report', 'models']) {
      for (const f of files(dir)) {
        const text = readFileSync(join(root, f), 'utf8');
        if (/from ['"](node:)?fs(\/promises)?['"]|\bprocess\.(argv|env|exit|stdout|stderr)|\bconsole\.(log|error|warn)/.test(text)) bad.push(f);
      }
    }
    expect(bad).toEqual([]);
  });
});
