/**
 * The one-line refusal of a scenario a design cannot run, for the relations between fields that a
 * params schema (src/engine/schema.ts, models/<design>/schema.ts) cannot state: a design's setup
 * calls its `<design>Relations(params)` check before building anything, and each broken relation
 * is a UsageError naming the field (a JSON path such as `threads[1].steps[0].which`), the value
 * given and what is allowed, in the schema's own wording (`params.x: got ...; allowed: ...`), so
 * the CLI answers with exit code 2 instead of a harness exception reported as a finding.
 * Leaves out: types and bounds of single fields (the schema checks those before setup runs).
 */
import { UsageError } from '../src/index.js';

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Refuse `design`'s scenario: `path` holds `v`, and `allowed` says what would be accepted. */
export function refuseField(design: string, path: string, v: unknown, allowed: string): never {
  throw new UsageError(`${design} scenario: params.${path}: got ${shown(v)}; allowed: ${allowed}`);
}
