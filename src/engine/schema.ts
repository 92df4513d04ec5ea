/**
 * Declarative schemas for JSON values that come from outside: a model's scenario parameters (a
 * token or `--scenario` carries them), and the files a campaign reads back. A schema says, per
 * field, the type and its bounds — whole numbers in a range, strings of bounded length (or one of
 * a few values), arrays with a length range, objects with known fields only, tagged unions, null —
 * so a hostile value is refused with one line naming the field, what was given and what is allowed,
 * before any model code sees it (in the spirit of JSON Schema's `additionalProperties: false`,
 * written as TypeScript values so `SchemaValue<typeof s>` checks a model's params type against it).
 *
 *   const s = schema.object({ n: schema.int(1, 8), mode: schema.oneOf('a', 'b') }, { optional: ['mode'] });
 *   validate(s, { n: 9 })  // -> "params.n: got 9; allowed: a whole number in 1..8"
 *
 * Leaves out: cross-field constraints (a model checks those in its own code) and recursion (build
 * nested schemas to a fixed depth instead, so the depth of a value is bounded too).
 */

export interface IntSchema<T extends number = number> {
  readonly type: 'int';
  readonly min: number;
  readonly max: number;
  /** The only values allowed, when given (e.g. the device addresses a model knows). */
  readonly oneOf?: readonly T[];
  /** Values must be multiples of this (an alignment: 4096 for a page-aligned address). */
  readonly multipleOf?: number;
}
export interface NumberSchema { readonly type: 'number'; readonly min: number; readonly max: number }
export interface BoolSchema { readonly type: 'bool' }
export interface StringSchema<T extends string = string> {
  readonly type: 'string';
  readonly maxLength: number;
  /** The only values allowed, when given. */
  readonly oneOf?: readonly T[];
  readonly pattern?: RegExp;
}
export interface ArraySchema<I extends Schema = Schema> {
  readonly type: 'array';
  readonly items: I;
  readonly minItems: number;
  readonly maxItems: number;
}
export type Fields = { readonly [k: string]: Schema };
export interface ObjectSchema<F extends Fields = Fields, O extends string = string> {
  readonly type: 'object';
  readonly fields: F;
  /** Fields that may be absent. */
  readonly optional: readonly O[];
}
export interface UnionSchema<T extends string = string, V extends { readonly [k: string]: ObjectSchema } = { readonly [k: string]: ObjectSchema }> {
  readonly type: 'union';
  /** The field whose value says which variant an object is (`{ kind: 'map', ... }`). */
  readonly tag: T;
  readonly variants: V;
}
export interface NullableSchema<I extends Schema = Schema> { readonly type: 'nullable'; readonly inner: I }

export type Schema = IntSchema | NumberSchema | BoolSchema | StringSchema | ArraySchema | ObjectSchema | UnionSchema | NullableSchema;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectValue<F extends Fields, O extends string> = string extends keyof F ? { readonly [k: string]: unknown } : Simplify<
  { readonly [K in keyof F as K extends O ? never : K]: SchemaValue<F[K]> } & { readonly [K in keyof F as K extends O ? K : never]?: SchemaValue<F[K]> }
>;

type VariantValue<T extends string, K extends string, O> = O extends ObjectSchema<infer F, string> ? Simplify<{ readonly [P in T]: K } & ObjectValue<F, O['optional'][number]>> : never;

/** The TypeScript type of the values a schema accepts. */
export type SchemaValue<S> =
  [Schema] extends [S] ? unknown // a schema known only as Schema: its values are unknown
  : S extends IntSchema<infer T> ? T
  : S extends NumberSchema ? number
  : S extends BoolSchema ? boolean
  : S extends StringSchema<infer T> ? T
  : S extends ArraySchema<infer I> ? readonly SchemaValue<I>[]
  : S extends ObjectSchema<infer F, string> ? ObjectValue<F, S['optional'][number]>
  : S extends UnionSchema<infer T, infer V> ? string extends keyof V ? { readonly [k: string]: unknown } : { [K in keyof V & string]: VariantValue<T, K, V[K]> }[keyof V & string]
  : S extends NullableSchema<infer I> ? SchemaValue<I> | null
  : never;

function bounds(what: string, min: number, max: number): void {
  if (!(min <= max)) throw new RangeError(`schema.${what}(${min}, ${max}): min must not exceed max`);
}

/** Builders: `schema.int(0, 8)`, `schema.object({ ... })`, ... (plain data; spread them to extend). */
export const schema = {
  int(min: number, max: number, o: { readonly multipleOf?: number } = {}): IntSchema {
    bounds('int', min, max);
    if (o.multipleOf !== undefined && !(Number.isSafeInteger(o.multipleOf) && o.multipleOf > 0)) throw new RangeError('schema.int: multipleOf must be a positive whole number');
    return { type: 'int', min, max, ...(o.multipleOf !== undefined ? { multipleOf: o.multipleOf } : {}) };
  },
  /** One of the given whole numbers. */
  intOneOf<T extends number>(...values: readonly T[]): IntSchema<T> {
    if (values.length === 0 || !values.every(Number.isSafeInteger)) throw new RangeError('schema.intOneOf() needs whole numbers');
    return { type: 'int', min: Math.min(...values), max: Math.max(...values), oneOf: values };
  },
  number(min: number, max: number): NumberSchema {
    bounds('number', min, max);
    return { type: 'number', min, max };
  },
  bool(): BoolSchema {
    return { type: 'bool' };
  },
  /** A string of at most `maxLength` (default 64) UTF-16 units, optionally matching `pattern`. */
  string(o: { readonly maxLength?: number; readonly pattern?: RegExp } = {}): StringSchema {
    return { type: 'string', maxLength: o.maxLength ?? 64, ...(o.pattern ? { pattern: o.pattern } : {}) };
  },
  /** One of the given strings. */
  oneOf<T extends string>(...values: readonly T[]): StringSchema<T> {
    if (values.length === 0) throw new RangeError('schema.oneOf() needs at least one value');
    return { type: 'string', maxLength: Math.max(...values.map((v) => v.length)), oneOf: values };
  },
  array<I extends Schema>(items: I, o: { readonly min?: number; readonly max: number }): ArraySchema<I> {
    bounds('array', o.min ?? 0, o.max);
    return { type: 'array', items, minItems: o.min ?? 0, maxItems: o.max };
  },
  object<F extends Fields, O extends keyof F & string = never>(fields: F, o: { readonly optional?: readonly O[] } = {}): ObjectSchema<F, NoInfer<O>> {
    return { type: 'object', fields, optional: o.optional ?? [] };
  },
  /** Objects told apart by a string field: `union('op', { open: object({}), mmap: object({ pages }) })`. */
  union<T extends string, V extends { readonly [k: string]: ObjectSchema }>(tag: T, variants: V): UnionSchema<T, V> {
    return { type: 'union', tag, variants };
  },
  nullable<I extends Schema>(inner: I): NullableSchema<I> {
    return { type: 'nullable', inner };
  },
};

/** Addresses read better in hex. */
function hexish(v: number): string {
  return Math.abs(v) > 0xffff ? `0x${v.toString(16)}` : String(v);
}

/** What a schema allows, in a few words (for error messages and `mapcheck list`). */
export function describeSchema(s: Schema): string {
  switch (s.type) {
    case 'int':
      if (s.oneOf) return `one of ${s.oneOf.map(hexish).join(', ')}`;
      return `${s.min === s.max ? `the whole number ${s.min}` : `a whole number in ${hexish(s.min)}..${hexish(s.max)}`}${s.multipleOf ? `, a multiple of ${hexish(s.multipleOf)}` : ''}`;
    case 'number': return `a number in ${s.min}..${s.max}`;
    case 'bool': return 'true or false';
    case 'string':
      if (s.oneOf) return s.oneOf.length === 1 ? `"${s.oneOf[0] ?? ''}"` : `one of ${s.oneOf.map((v) => `"${v}"`).join(', ')}`;
      return `a string of at most ${s.maxLength} characters${s.pattern ? ` matching /${s.pattern.source}/` : ''}`;
    case 'array': return `an array of ${s.minItems === 0 ? `at most ${s.maxItems}` : `${s.minItems}..${s.maxItems}`} items`;
    case 'object': {
      const names = Object.keys(s.fields);
      return names.length ? `an object with fields ${names.join(', ')}` : 'an empty object {}';
    }
    case 'union': return `an object whose "${s.tag}" is one of ${Object.keys(s.variants).map((v) => `"${v}"`).join(', ')}`;
    case 'nullable': return `null or ${describeSchema(s.inner)}`;
  }
}

/** A short, single-line picture of a value for an error message. */
export function showValue(v: unknown): string {
  if (Array.isArray(v)) return v.length > 8 ? `an array of ${v.length} items` : clip(safeJson(v));
  if (v !== null && typeof v === 'object') return `an object with ${Object.keys(v).length} field(s)`;
  return clip(safeJson(v));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function fail(path: string, v: unknown, s: Schema): string {
  return `${path}: got ${showValue(v)}; allowed: ${describeSchema(s)}`;
}

function validateObject(fields: Fields, optional: readonly string[], v: Record<string, unknown>, path: string, skip: string | null): string | null {
  for (const k of Object.keys(v)) {
    if (k !== skip && !own(fields, k)) {
      const known = Object.keys(fields);
      return `${path}: unknown field ${clip(JSON.stringify(k))} (fields: ${known.length ? known.join(', ') : 'none'})`;
    }
  }
  for (const [k, fs] of Object.entries(fields)) {
    if (!own(v, k)) {
      if (optional.includes(k)) continue;
      return `${path}.${k}: missing; allowed: ${describeSchema(fs)}`;
    }
    const e = validate(fs, v[k], `${path}.${k}`);
    if (e) return e;
  }
  return null;
}

/** Check `v` against `s`; returns null when it fits, else one line naming the field. */
export function validate(s: Schema, v: unknown, path = 'params'): string | null {
  switch (s.type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= s.min && v <= s.max && (!s.oneOf || s.oneOf.includes(v))
        && (s.multipleOf === undefined || v % s.multipleOf === 0) ? null : fail(path, v, s);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v >= s.min && v <= s.max ? null : fail(path, v, s);
    case 'bool':
      return typeof v === 'boolean' ? null : fail(path, v, s);
    case 'string':
      if (typeof v !== 'string' || v.length > s.maxLength) return fail(path, v, s);
      if (s.oneOf && !s.oneOf.includes(v)) return fail(path, v, s);
      return s.pattern && !s.pattern.test(v) ? fail(path, v, s) : null;
    case 'array': {
      if (!Array.isArray(v) || v.length < s.minItems || v.length > s.maxItems) return fail(path, v, s);
      for (let i = 0; i < v.length; i++) {
        const e = validate(s.items, v[i] as unknown, `${path}[${i}]`);
        if (e) return e;
      }
      return null;
    }
    case 'object':
      return isPlainObject(v) ? validateObject(s.fields, s.optional, v, path, null) : fail(path, v, s);
    case 'union': {
      if (!isPlainObject(v)) return fail(path, v, s);
      const tag = v[s.tag];
      const variant = typeof tag === 'string' && own(s.variants, tag) ? s.variants[tag] : undefined;
      if (!variant) return fail(`${path}.${s.tag}`, tag, schema.oneOf(...Object.keys(s.variants)));
      return validateObject(variant.fields, variant.optional, v, path, s.tag);
    }
    case 'nullable':
      return v === null ? null : validate(s.inner, v, path);
  }
}
