/**
 * `mapcheck fuzz --pin`: turn a campaign's findings into pinned regression entries of the
 * repository corpus (`fuzz/corpus/<model>/<signature>.json`), which `npm test` replays, and drop
 * that corpus's entries of the campaign's models that were recorded against an older model version.
 * A bug whose smallest token does not show one of the declared bugs (expectedBugs) its occurrences
 * showed gets that bug's smallest token pinned too, as `<signature>--<bug id>.json`, so the corpus
 * demonstrates every declared bug the campaign found. Bug entries filed under another signature than
 * their token shows now (an older signature scheme) are refiled under the current one, or dropped
 * when the campaign pins that signature anyway.
 * A few of the campaign's coverage entries are copied too, as mutation seeds for later campaigns.
 * This is the documented way to regenerate pinned tokens after a model changes:
 * `npm run fuzz -- --models '<glob>' --time 30s --pin`.
 * Leaves out: hang findings (no token to pin).
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyModel } from '../../engine/model.js';
import { decodeToken } from '../../engine/token.js';
import { type CorpusEntry, entryPath } from './corpus.js';
import { replay } from '../../check.js';
import { readJson, safeName, writeJsonAtomic } from './files.js';
import { signature } from './signature.js';
import type { FindingRecord } from './store.js';

/** Coverage entries copied per model from the campaign corpus (mutation seeds for later campaigns). */
const COVER_PER_MODEL = 16;

export function pinFindings(dir: string, models: readonly AnyModel[], records: readonly FindingRecord[], campaignCorpus: string): string[] {
  const lines: string[] = [];
  let removed = 0;
  let refiled = 0;
  for (const m of models) {
    const mdir = join(dir, safeName(m.name));
    if (!existsSync(mdir)) continue;
    for (const f of readdirSync(mdir)) {
      const p = join(mdir, f);
      if (!f.endsWith('.json') || statSync(p).isDirectory()) continue;
      const e = readJson(p, 'corpus file') as Partial<CorpusEntry> | null;
      let stale = true;
      try {
        stale = typeof e?.token !== 'string' || decodeToken(e.token).hash !== m.hash;
      } catch { /* undecodable: stale */ }
      if (stale) {
        rmSync(p, { force: true });
        removed++;
      } else if (e?.reason === 'bug' && typeof e.token === 'string') {
        refiled += refile(m, mdir, f, e as CorpusEntry, records) ? 1 : 0;
      }
    }
  }
  let pinned = 0;
  for (const r of records) {
    if (!r.token || !models.some((m) => m.name === r.model)) continue;
    const e: CorpusEntry = {
      token: r.token, model: r.model, scenario: r.scenario, reason: 'bug', kind: r.kind, signature: r.signature, pinned: true, found: r.first_found,
    };
    writeJsonAtomic(entryPath(dir, e, r.signature), e);
    pinned++;
    // A declared bug the smallest token does not show (it was seen in another scenario) gets its own token.
    for (const [id, t] of Object.entries(r.known_tokens ?? {})) {
      if (t.token === r.token) continue;
      let scenario: string;
      try {
        scenario = decodeToken(t.token).scenario;
      } catch {
        continue;
      }
      writeJsonAtomic(join(dir, safeName(r.model), `${r.signature}--${id}.json`), { ...e, token: t.token, scenario });
      pinned++;
    }
  }
  let covered = 0;
  for (const m of models) {
    const src = join(campaignCorpus, safeName(m.name));
    if (!existsSync(src)) continue;
    const have = existsSync(join(dir, safeName(m.name))) ? readdirSync(join(dir, safeName(m.name))).filter((f) => f.startsWith('cov-')).length : 0;
    for (const f of readdirSync(src).filter((x) => x.startsWith('cov-') && x.endsWith('.json')).sort().slice(0, Math.max(0, COVER_PER_MODEL - have))) {
      const target = join(dir, safeName(m.name), f);
      if (existsSync(target)) continue;
      writeJsonAtomic(target, readJson(join(src, f), 'corpus file'));
      covered++;
    }
  }
  lines.push(`pinned ${pinned} bug token(s) and added ${covered} coverage seed(s) in ${dir}${removed ? `, removed ${removed} stale entr${removed === 1 ? 'y' : 'ies'}` : ''}${refiled ? `, refiled ${refiled} under their current signature` : ''}`);
  return lines;
}

/** A bug entry under another name than its token's current signature: refile it (true) or leave it. */
function refile(m: AnyModel, mdir: string, file: string, e: CorpusEntry, records: readonly FindingRecord[]): boolean {
  let sig: string;
  try {
    const r = replay(m, e.token);
    if (!r.violation) return false;
    sig = signature(m, r.violation, r.threadNames);
  } catch {
    return false;
  }
  if (file === `${sig}.json` || file.startsWith(`${sig}--`)) return false;
  rmSync(join(mdir, file), { force: true });
  const target = join(mdir, `${sig}.json`);
  // The campaign pins its own token for that signature; otherwise keep this one under its new name.
  if (!existsSync(target) && !records.some((r) => r.model === m.name && r.signature === sig && r.token !== '')) writeJsonAtomic(target, { ...e, signature: sig });
  return true;
}
