/**
 * Finding records checked against their own tokens: replaying a record's token under the current
 * model must show the violation the record files (its signature, kind and title), so a findings
 * file edited by hand -- or written by an older mapcheck with another signature scheme -- is caught
 * before a campaign resumes on it or a merge folds it in. `resign` gives a record of any scheme the
 * signature, title and parts its token shows now (how `merge` reads scheme-1 stores).
 * Leaves out: records of a model that changed since (their tokens no longer replay: reported as
 * stale, not as corrupt) and hang records (no token).
 */
import { replay } from '../../check.js';
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { findModel } from '../../../models/index.js';
import { bugName, signatureOf, signatureParts, SIGNATURE_SCHEME } from './signature.js';
import type { FindingRecord } from './store.js';

/** The record as its token shows it now, or why that cannot be known. */
export type Resigned = { readonly record: FindingRecord } | { readonly stale: string };

/** Replay a record's token and describe it under the current signature scheme. */
export function resign(rec: FindingRecord): Resigned {
  if (rec.token === '') return { record: rec };
  const model = findModel(rec.model);
  if (!model) return { stale: `model '${rec.model}' is not known to this mapcheck` };
  let s;
  try {
    s = decodeToken(rec.token);
  } catch (e) {
    throw new UsageError(`finding ${rec.signature}: its token is corrupt (${e instanceof Error ? e.message : String(e)}); delete or restore it`);
  }
  if (s.model !== model.name) throw new UsageError(`finding ${rec.signature}: its token is of model '${s.model.slice(0, 60)}', not '${rec.model}'; delete or restore it`);
  if (s.hash !== model.hash) return { stale: `its token was recorded against another version of ${model.name}` };
  const r = replay(model, s);
  const v = r.violation;
  if (!v || v.kind === 'nondeterminism') return { stale: `its token no longer shows a violation of ${model.name}` };
  const parts = signatureParts(model, v, r.threadNames);
  return {
    record: {
      ...rec, signature: signatureOf(parts), scheme: SIGNATURE_SCHEME, kind: v.kind, title: v.title, message: v.message, bug: bugName(parts),
      where: [...parts.where], allocated: parts.allocated, freed: parts.freed, what: parts.what, scenario: s.scenario,
    },
  };
}

/**
 * Check each record describes its token (signature, kind and title). One line (UsageError) for the
 * first that does not: it was edited by hand. Returns the records that could not be checked (their
 * model changed), with why.
 */
export function verifyFindings(dir: string, records: readonly FindingRecord[]): string[] {
  const stale: string[] = [];
  for (const rec of records) {
    const r = resign(rec);
    if ('stale' in r) {
      stale.push(`${rec.signature}: ${r.stale}`);
      continue;
    }
    const now = r.record;
    for (const k of ['signature', 'kind', 'title'] as const) {
      if (now[k] !== rec[k]) {
        throw new UsageError(`finding ${dir}/findings/${rec.signature}.json does not match its token (its token shows ${k} '${now[k].slice(0, 80)}'): it was edited by hand; restore it or delete it`);
      }
    }
  }
  return stale;
}
