/**
 * What the files a campaign reads back may contain: `state.json`, `findings/*.json` and corpus
 * entries, as params schemas (src/engine/schema.ts). They are outside input like any token: a file
 * edited by hand, cut short by a full disk or written by a hostile process is refused with one line
 * naming the file and the field (exit code 2), never a crash (exit 3) or a campaign running on
 * garbage. A finding's signature names its file, so it must be a plain file name and match it.
 * Add a field here whenever the writer (state.ts, store.ts, corpus.ts) gains one.
 * Leaves out: relations the writers keep (a shard index below its count: checked in state.ts).
 */
import { basename } from 'node:path';
import { type Schema, schema, validate } from '../../engine/schema.js';
import { MAX_TOKEN_LENGTH } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';

const count = schema.int(0, Number.MAX_SAFE_INTEGER);
const text = (maxLength: number): Schema => schema.string({ maxLength });
const names = schema.array(text(1024), { max: 100_000 });

export const stateFileSchema = schema.object({
  format: schema.oneOf('mapcheck-campaign'),
  version: schema.int(1, 1_000_000),
  created: text(64),
  updated: text(64),
  models: schema.nullable(text(4096)),
  strategies: schema.array(text(64), { min: 1, max: 64 }),
  seed: count,
  shard: schema.object({ index: schema.int(0, 1_000_000), count: schema.int(1, 1_000_000) }),
  executions: count,
  elapsed_s: schema.number(0, 1e12),
  next_chunk: count,
  sessions: count,
  coverage: count,
  exhausted: names,
  hung: names,
  finished: schema.bool(),
});

export const SIGNATURE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A path inside the campaign directory: relative, no `..` segment (merge copies reports by it). */
const INSIDE_RE = /^(?!\/)(?!(?:.*\/)?\.\.(?:\/|$))[A-Za-z0-9._/-]{1,1024}$/;

/**
 * A finding record but its `known_tokens` map (a map keyed by bug id has no schema form: store.ts
 * findingProblem checks its shape, and its size is bounded there).
 */
export const findingFileSchema = schema.object({
  signature: schema.string({ maxLength: 128, pattern: SIGNATURE_RE }),
  scheme: schema.int(1, 1000),
  model: text(200),
  scenario: text(64 * 1024),
  scenarios: schema.array(text(64 * 1024), { max: 10_000 }),
  known: schema.array(text(200), { max: 1000 }),
  kind: text(64),
  title: text(4096),
  message: text(64 * 1024),
  bug: text(4096),
  where: schema.array(text(4096), { max: 1000 }),
  allocated: text(4096),
  freed: text(4096),
  what: text(4096),
  sites: schema.array(text(4096), { max: 1000 }),
  object_kind: text(200),
  count,
  first_found: text(64),
  first_found_s: schema.number(0, 1e12),
  token: schema.string({ maxLength: MAX_TOKEN_LENGTH }),
  steps: count,
  preemptions: count,
  strategy: text(64),
  seed: count,
  report: schema.string({ maxLength: 1024, pattern: INSIDE_RE }),
  report_token: schema.string({ maxLength: MAX_TOKEN_LENGTH }),
  minimized: schema.object({
    status: schema.oneOf('minimized', 'partly-minimized', 'not-minimized'),
    token: schema.string({ maxLength: MAX_TOKEN_LENGTH }),
    steps: count,
    preemptions: count,
    from_steps: count,
    from_preemptions: count,
    reason: text(4096),
    elapsed_ms: schema.number(0, 1e12),
  }, { optional: ['reason'] }),
  reproduce: schema.string({ maxLength: MAX_TOKEN_LENGTH + 4096 }),
}, { optional: ['scheme', 'scenarios', 'known', 'bug', 'where', 'allocated', 'freed', 'what', 'sites', 'object_kind', 'report', 'report_token', 'minimized', 'reproduce'] });

export const corpusFileSchema = schema.object({
  token: schema.string({ maxLength: MAX_TOKEN_LENGTH }),
  model: text(200),
  scenario: text(64 * 1024),
  reason: schema.oneOf('bug', 'coverage'),
  kind: schema.nullable(text(64)),
  signature: schema.string({ maxLength: 128, pattern: SIGNATURE_RE }),
  pinned: schema.bool(),
  found: text(64),
}, { optional: ['signature'] });

/** Check a parsed campaign file against its schema; a one-line UsageError naming file and field. */
export function checkFile(s: Schema, value: unknown, path: string, what: string): void {
  const p = validate(s, value, what);
  if (p) throw new UsageError(`${path} is corrupt: ${p}; restore it or delete it`);
}

/** A finding file's signature must be its file name (it is where the store writes it back). */
export function checkFindingName(sig: string, path: string): void {
  if (basename(path) !== `${sig}.json`) throw new UsageError(`${path} is corrupt: its signature '${sig.slice(0, 40)}' does not match its file name; restore it or delete it`);
}
