/**
 * Test helper (not a suite): fast-check arbitraries derived from a params schema — `valueOf(s)`
 * generates values the schema accepts, `mutantOf(s)` values it must refuse (one field pushed out
 * of bounds, of the wrong type, an unknown field, a missing one) — for the schema and model suites.
 * Leaves out: shrinking toward a model's named scenarios (plain fast-check shrinking is enough).
 */
import fc from 'fast-check';
import type { ObjectSchema, Schema } from '../../src/index.js';

/** Characters worth trying in strings: ASCII plus the hostile ones (controls, bidi, HTML, markdown). */
const CHARS = fc.constantFrom(...'ab-_.x09 |<>`*[]()&#\\/"\'\r\n\t\u001b\u009b\u202e\u2028@:');

export function valueOf(s: Schema): fc.Arbitrary<unknown> {
  switch (s.type) {
    case 'int': {
      if (s.oneOf) return fc.constantFrom(...s.oneOf);
      const m = s.multipleOf ?? 1;
      return fc.integer({ min: Math.ceil(s.min / m), max: Math.floor(s.max / m) }).map((k) => k * m);
    }
    case 'number': return fc.double({ min: s.min, max: s.max, noNaN: true, noDefaultInfinity: true });
    case 'bool': return fc.boolean();
    case 'string': {
      if (s.oneOf) return fc.constantFrom(...s.oneOf);
      const pattern = s.pattern;
      const base = fc.string({ unit: CHARS, maxLength: Math.min(s.maxLength, 24) });
      return pattern ? fc.stringMatching(pattern).filter((x) => x.length <= s.maxLength) : base;
    }
    case 'array': return fc.array(valueOf(s.items), { minLength: s.minItems, maxLength: Math.min(s.maxItems, s.minItems + 4) });
    case 'object': return objectOf(s, null);
    case 'union': return fc.oneof(...Object.entries(s.variants).map(([tag, v]) => objectOf(v, [s.tag, tag])));
    case 'nullable': return fc.oneof(fc.constant(null), valueOf(s.inner));
  }
}

function objectOf(s: ObjectSchema, tag: readonly [string, string] | null): fc.Arbitrary<Record<string, unknown>> {
  const req: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, f] of Object.entries(s.fields)) req[k] = valueOf(f);
  return fc.record(req, { requiredKeys: Object.keys(s.fields).filter((k) => !s.optional.includes(k)) })
    .map((o) => (tag ? { [tag[0]]: tag[1], ...o } : o));
}

/** One out-of-schema replacement for a value of schema `s`. */
function wrong(s: Schema): fc.Arbitrary<unknown> {
  const junk = fc.constantFrom<unknown>(null, 'x', true, 1.5, -1, 1e300, [], {}, [1, 2]);
  switch (s.type) {
    case 'int': return fc.oneof(junk.filter((v) => typeof v !== 'number' || !Number.isInteger(v) || v < s.min || v > s.max), fc.constantFrom(s.max + 1, s.min - 1, 1e12, 0.5 + s.min));
    case 'number': return fc.constantFrom(s.max * 2 + 1, s.min - 1, 'NaN', null);
    case 'bool': return fc.constantFrom(0, 1, 'true', null);
    case 'string': return fc.constantFrom(42, null, s.oneOf ? `${s.oneOf[0] ?? ''}-not` : 'y'.repeat(s.maxLength + 1));
    case 'array': return fc.constantFrom('[]', null, Array.from({ length: s.maxItems + 1 }, () => 0));
    case 'object': case 'union': return fc.constantFrom(null, 7, 'obj', []);
    case 'nullable': return wrong(s.inner).filter((v) => v !== null);
  }
}

/**
 * A value the schema must refuse: a valid value with one spot broken. Returns [value, path] where
 * path is the part of the expected error message (e.g. `params.threads[0].size`).
 */
export function mutantOf(s: Schema): fc.Arbitrary<readonly [unknown, string]> {
  return valueOf(s).chain((v) => breakAt(s, v, 'params'));
}

function breakAt(s: Schema, v: unknown, path: string): fc.Arbitrary<readonly [unknown, string]> {
  const here = wrong(s).map((w) => [w, path] as const);
  if (s.type === 'array' && Array.isArray(v) && v.length > 0) {
    return fc.oneof(here, fc.nat(v.length - 1).chain((i) => breakAt(s.items, v[i], `${path}[${i}]`)
      .map(([w, p]) => [v.map((x, j) => (j === i ? w : x)), p] as const)));
  }
  const obj = s.type === 'object' ? s : s.type === 'union' && v && typeof v === 'object' ? s.variants[(v as Record<string, string>)[s.tag] ?? ''] : undefined;
  if (obj && v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const present = Object.keys(obj.fields).filter((k) => k in o);
    const required = Object.keys(obj.fields).filter((k) => !obj.optional.includes(k));
    const options: fc.Arbitrary<readonly [unknown, string]>[] = [
      here,
      fc.constant([{ ...o, zz_unknown: 1 }, path] as const),
    ];
    if (required.length) options.push(fc.constantFrom(...required).map((k) => [Object.fromEntries(Object.entries(o).filter(([x]) => x !== k)), `${path}.${k}`] as const));
    if (present.length) {
      options.push(fc.constantFrom(...present).chain((k) => breakAt(obj.fields[k] as Schema, o[k], `${path}.${k}`)
        .map(([w, p]) => [{ ...o, [k]: w }, p] as const)));
    }
    return fc.oneof(...options);
  }
  return here;
}
