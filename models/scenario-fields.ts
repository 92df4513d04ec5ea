/**
 * Field checks for a design's scenario JSON: each one returns the value with its type when it is
 * allowed, or throws the engine's UsageError with one line naming the field (a JSON path such as
 * `threads[1].steps[0].pages`), the value given and the values allowed. A design's
 * `validate...Params` (in its scenarios.ts) is a sequence of these calls, run by its setup before
 * any model code, so `--scenario '{...}'` that the design cannot run is a usage error rather than
 * a harness exception reported as a finding.
 * Leaves out: a schema language (the general scenario-schema mechanism replaces these calls).
 */
import { UsageError } from '../src/index.js';

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The one-line error every check throws. */
export function badField(path: string, v: unknown, allowed: string): never {
  throw new UsageError(`scenario field '${path}': got ${shown(v)}, allowed: ${allowed}`);
}

/** A JSON object with only the `known` keys (others are refused, naming the first and the known ones). */
export function record(v: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badField(path || '(scenario)', v, `an object with keys ${known.join(', ')}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) badField(path ? `${path}.${k}` : k, o[k], `no such field; known fields: ${known.join(', ')}`);
  }
  return o;
}

/** An integer in [min, max]. */
export function int(v: unknown, path: string, min: number, max: number, what = 'an integer'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) badField(path, v, `${what} in [${min}, ${max}]`);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') badField(path, v, 'true or false');
  return v;
}

export function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) badField(path, v, values.map((x) => `'${x}'`).join(', '));
  return v as T;
}

export function str(v: unknown, path: string, maxLength = 40): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > maxLength || !/^[\w.-]+$/.test(v)) {
    badField(path, v, `a name of 1 to ${maxLength} letters, digits, '_', '-' or '.'`);
  }
  return v;
}

export function array(v: unknown, path: string, min: number, max: number): readonly unknown[] {
  if (!Array.isArray(v) || v.length < min || v.length > max) badField(path, v, `an array of ${min} to ${max} entries`);
  return v;
}

/** An optional field: undefined stays undefined, anything else goes through `check`. */
export function opt<T>(v: unknown, check: (x: unknown) => T): T | undefined {
  return v === undefined ? undefined : check(v);
}
