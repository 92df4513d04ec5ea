/**
 * The persisted corpus (fuzz/corpus/<model>/) as regression tests: every file is a well-formed
 * entry whose token decodes and names a known model; every pinned token still belongs to the
 * current version of its model and replays to the violation kind it was pinned with. Tokens are
 * replayed with the compiled code in a plain node process (see cli.ts; the vitest global setup
 * builds dist/ from the current source first).
 * When a model changes, regenerate its pinned tokens with
 *   npm run fuzz -- --models '<model glob>' --time 30s --pin
 * (it drops the stale entries and pins the smallest token of every bug found; docs/campaigns.md).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEntry, type CorpusEntry } from '../../src/cli/fuzz/corpus.js';
import { decodeToken } from '../../src/index.js';
import { ROOT, replayWithDist } from './cli.js';

const CORPUS = join(ROOT, 'fuzz', 'corpus');
const REGEN = "npm run fuzz -- --models '<model>' --time 30s --pin";

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : [];
  });
}

const entries: [string, CorpusEntry][] = files(CORPUS).map((f) => [relative(CORPUS, f), parseEntry(JSON.parse(readFileSync(f, 'utf8')) as unknown, f)]);

describe('fuzz corpus', () => {
  it('holds well-formed entries filed under their model, some of them pinned', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const [file, e] of entries) {
      const s = decodeToken(e.token);
      expect(s.model, file).toBe(e.model);
      expect(s.scenario, file).toBe(e.scenario);
      expect(file.startsWith(`${e.model}/`), file).toBe(true);
      if (e.reason === 'bug') expect(e.kind, file).not.toBeNull();
    }
    expect(entries.some(([, e]) => e.pinned)).toBe(true);
  });

  it('every pinned token belongs to the current model version and replays to its recorded violation kind', async () => {
    const pinned = entries.filter(([, e]) => e.pinned);
    const got = await replayWithDist(pinned.map(([, e]) => [e.model, e.token] as const));
    for (const [i, [file, e]] of pinned.entries()) {
      const r = got[i];
      expect(r?.error, `${file}: ${r?.error ?? ''}; regenerate with: ${REGEN.replace('<model>', e.model)}`).toBeUndefined();
      // A keep-going token replays every violation of its execution; the pinned one is among them.
      const kinds = r?.kinds ?? (r?.kind ? [r.kind] : []);
      expect(kinds, `${file} no longer reproduces its ${e.kind ?? ''}; regenerate with: ${REGEN.replace('<model>', e.model)}`).toContain(e.kind);
    }
  });
});
