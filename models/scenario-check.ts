/**
 * `checkScenario(design, spec, value)`: validation of a scenario's JSON parameters against a small
 * field schema (integers with bounds, booleans, enumerations, arrays with length bounds, records with
 * required / optional fields and no others, records told apart by a tag field). The first field that
 * does not fit throws the engine's `UsageError` with one line naming the field's path, the value
 * given and the values allowed, e.g.
 * `kiobuf-kvmap scenario: procs[0][2].pages = -1; allowed: an integer in 0..8`.
 * Each design calls it from its `validateScenario` hook (run by `scenarioParams` before any model
 * code) and again at the top of `setup` (scenarios the minimizer shrinks skip `scenarioParams`).
 * Follows JSON-Schema's vocabulary in spirit (type, minimum / maximum, enum, minItems / maxItems,
 * required, additionalProperties: false); leaves out everything else (strings other than
 * enumerations, references, conditional schemas).
 */
import { UsageError } from '../src/index.js';

export type FieldSpec =
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly (string | number)[] }
  | { readonly kind: 'array'; readonly of: FieldSpec; readonly min?: number; readonly max: number }
  | { readonly kind: 'record'; readonly fields: RecordFields; readonly optional?: readonly string[] }
  | { readonly kind: 'tagged'; readonly tag: string; readonly variants: Readonly<Record<string, RecordFields>>; readonly optional?: readonly string[] };

export type RecordFields = Readonly<Record<string, FieldSpec>>;

export const int = (min: number, max: number): FieldSpec => ({ kind: 'int', min, max });
export const bool: FieldSpec = { kind: 'bool' };
export const oneOf = (...values: (string | number)[]): FieldSpec => ({ kind: 'enum', values });
export const arrayOf = (of: FieldSpec, max: number, min = 0): FieldSpec => ({ kind: 'array', of, min, max });
export const record = (fields: RecordFields, optional: readonly string[] = []): FieldSpec => ({ kind: 'record', fields, optional });

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function allowed(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'int': return `an integer in ${spec.min}..${spec.max}`;
    case 'bool': return 'true or false';
    case 'enum': return spec.values.map((x) => JSON.stringify(x)).join(', ');
    case 'array': return `an array of ${spec.min ?? 0}..${spec.max} elements`;
    case 'record': return `an object with fields ${Object.keys(spec.fields).join(', ')}`;
    case 'tagged': return `an object whose '${spec.tag}' is one of ${Object.keys(spec.variants).map((x) => JSON.stringify(x)).join(', ')}`;
  }
}

function fail(design: string, path: string, v: unknown, what: string): never {
  throw new UsageError(`${design} scenario: ${path || '(scenario)'} = ${show(v)}; allowed: ${what}`);
}

function checkFields(design: string, path: string, v: Record<string, unknown>, fields: RecordFields, optional: readonly string[], skip: string | null): void {
  for (const k of Object.keys(v)) {
    if (k !== skip && !(k in fields)) fail(design, path ? `${path}.${k}` : k, v[k], `no such field (fields: ${[...(skip ? [skip] : []), ...Object.keys(fields)].join(', ')})`);
  }
  for (const [k, spec] of Object.entries(fields)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in v)) {
      if (optional.includes(k)) continue;
      fail(design, p, undefined, `required: ${allowed(spec)}`);
    }
    check(design, p, v[k], spec);
  }
}

function check(design: string, path: string, v: unknown, spec: FieldSpec): void {
  switch (spec.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || v > spec.max) fail(design, path, v, allowed(spec));
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(design, path, v, allowed(spec));
      return;
    case 'enum':
      if (!spec.values.includes(v as string | number)) fail(design, path, v, allowed(spec));
      return;
    case 'array':
      if (!Array.isArray(v) || v.length < (spec.min ?? 0) || v.length > spec.max) fail(design, path, v, allowed(spec));
      v.forEach((x, i) => check(design, `${path}[${i}]`, x, spec.of));
      return;
    case 'record':
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(design, path, v, allowed(spec));
      checkFields(design, path, v as Record<string, unknown>, spec.fields, spec.optional ?? [], null);
      return;
    case 'tagged': {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(design, path, v, allowed(spec));
      const rec = v as Record<string, unknown>;
      const tag = rec[spec.tag];
      const fields = typeof tag === 'string' ? spec.variants[tag] : undefined;
      if (fields === undefined) fail(design, path ? `${path}.${spec.tag}` : spec.tag, tag, Object.keys(spec.variants).map((x) => JSON.stringify(x)).join(', '));
      checkFields(design, path, rec, fields, spec.optional ?? [], spec.tag);
      return;
    }
  }
}

/** Throw a one-line UsageError unless `value` fits `spec`. */
export function checkScenario(design: string, spec: FieldSpec, value: unknown): void {
  check(design, '', value, spec);
}
