/**
 * The campaign corpus: replay tokens that found a bug or reached a new interleaving fingerprint,
 * one JSON file per entry under `<dir>/<model>/` (the model name's `/` become folders). The
 * repository's `fuzz/corpus/` seeds every campaign's mutation strategy; entries marked `pinned`
 * there are regression tests that `npm test` replays (properties/fuzz/corpus.test.ts) and that
 * `mapcheck fuzz --pin` rewrites when a model changes. A campaign writes its own new entries into
 * `<out>/corpus/`.
 * Leaves out: corpus minimisation (AFL's cmin); the per-target cap keeps it small instead.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findModel } from '../../../models/index.js';
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { validate } from '../../engine/schema.js';
import { corpusFileSchema } from './file-schemas.js';
import { readJson, safeName } from './files.js';

export interface CorpusEntry {
  readonly token: string;
  readonly model: string;
  readonly scenario: string;
  /** Why it is kept: it found a bug, or it reached a new fingerprint. */
  readonly reason: 'bug' | 'coverage';
  /** Violation kind it replays to (bug entries), else null. */
  readonly kind: string | null;
  readonly signature?: string;
  /** Pinned entries are regression tests replayed by `npm test`. */
  readonly pinned: boolean;
  readonly found: string;
}

export interface LoadedCorpus {
  readonly entries: CorpusEntry[];
  /** Files skipped because their model changed or no longer exists. */
  readonly stale: string[];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Validate one parsed corpus file; throws a one-line UsageError when it is not an entry. */
export function parseEntry(raw: unknown, file: string): CorpusEntry {
  const o = raw as Partial<CorpusEntry> | null;
  if (!o || typeof o !== 'object' || typeof o.token !== 'string' || typeof o.model !== 'string') {
    throw new UsageError(`corpus file ${file} is corrupt: expected { token, model, scenario, reason, kind, pinned }`);
  }
  const bad = validate(corpusFileSchema, o, 'entry');
  if (bad) throw new UsageError(`corpus file ${file} is corrupt: ${bad}`);
  try {
    decodeToken(o.token);
  } catch (e) {
    throw new UsageError(`corpus file ${file} is corrupt: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    token: o.token, model: o.model, scenario: typeof o.scenario === 'string' ? o.scenario : '',
    reason: o.reason === 'bug' ? 'bug' : 'coverage', kind: typeof o.kind === 'string' ? o.kind : null,
    ...(typeof o.signature === 'string' ? { signature: o.signature } : {}),
    pinned: o.pinned === true, found: typeof o.found === 'string' ? o.found : '',
  };
}

/**
 * Every entry under `dir` (missing dir = empty); entries of changed or unknown models are stale.
 * With `lenient` (a campaign's own corpus: a convenience, rebuilt as it runs), an unreadable or
 * corrupt entry — a write cut short by a full disk — is skipped and counted in `broken`, not fatal.
 */
export function loadCorpus(dir: string, lenient = false): LoadedCorpus & { readonly broken: string[] } {
  const entries: CorpusEntry[] = [];
  const stale: string[] = [];
  const broken: string[] = [];
  if (!existsSync(dir)) return { entries, stale, broken };
  for (const file of walk(dir)) {
    let e: CorpusEntry;
    try {
      e = parseEntry(readJson(file, 'corpus file'), file);
    } catch (err) {
      if (!lenient) throw err;
      broken.push(relative(dir, file));
      continue;
    }
    const m = findModel(e.model);
    const s = decodeToken(e.token);
    if (!m || s.model !== m.name || s.hash !== m.hash) stale.push(relative(dir, file));
    else entries.push(e);
  }
  return { entries, stale, broken };
}

/** File name of an entry: `<dir>/<model>/<bug-signature | cov-key>.json`. */
export function entryPath(dir: string, e: { model: string; reason: string; signature?: string }, key: string): string {
  return join(dir, safeName(e.model), `${e.reason === 'bug' ? e.signature ?? key : `cov-${key}`}.json`);
}
