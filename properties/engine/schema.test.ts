/**
 * Params schemas (src/engine/schema.ts, params.ts): every value a schema's arbitrary generates is
 * accepted; every mutant (one field out of bounds, of the wrong type, unknown, missing) is refused
 * with one line naming that field; JSON limits hold for models without a schema; scenarioParams
 * refuses before setup runs; defineModel refuses a model whose own scenarios break its schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atomic, PARAMS_LIMITS, check, decodeToken, defineModel, describeSchema, encodeToken, replay, scenarioParams, schema, thread, validate } from '../../src/index.js';
import type { AnyModel, Schema } from '../../src/index.js';
import { mutantOf, valueOf } from './schema-arb.js';
import { oneLineUsage } from './usage-error.js';

const step = schema.union('kind', { map: schema.object({ pages: schema.int(1, 32) }), unmap: schema.object({ which: schema.int(0, 5) }) });
const sample: Schema = schema.object({
  base: schema.int(0, 0xfffff000, { multipleOf: 0x1000 }),
  dev: schema.intOneOf(0x20001000, 0x20001400),
  mode: schema.oneOf('device', 'wc'),
  name: schema.string({ maxLength: 8, pattern: /^[a-z]+$/ }),
  threads: schema.array(schema.object({ steps: schema.array(step, { max: 4 }), hold: schema.bool() }, { optional: ['hold'] }), { min: 1, max: 3 }),
  note: schema.nullable(schema.string({ maxLength: 16 })),
  ratio: schema.number(0, 1),
});

describe('schema validation', () => {
  it('accepts every value its arbitrary generates (property)', () => {
    fc.assert(fc.property(valueOf(sample), (v) => {
      expect(validate(sample, v)).toBeNull();
    }), { numRuns: 300, seed: 11 });
  });

  it('refuses every mutant with one line naming the broken field (property)', () => {
    fc.assert(fc.property(mutantOf(sample), ([v, path]) => {
      const e = validate(sample, v);
      expect(e).not.toBeNull();
      expect(e).not.toContain('\n');
      expect(e?.startsWith(path)).toBe(true);
    }), { numRuns: 500, seed: 12 });
  });

  it('says what was given and what is allowed', () => {
    expect(validate(sample, { ...fc.sample(valueOf(sample), { numRuns: 1, seed: 1 })[0] as object, base: 0x1001 }))
      .toBe('params.base: got 4097; allowed: a whole number in 0..0xfffff000, a multiple of 4096');
    expect(validate(schema.object({ n: schema.int(1, 8) }), { n: 1e12 })).toBe('params.n: got 1000000000000; allowed: a whole number in 1..8');
    expect(validate(schema.object({ n: schema.int(1, 8) }), { n: 1, x: 2 })).toBe('params: unknown field "x" (fields: n)');
    expect(validate(schema.object({ n: schema.int(1, 8) }), {})).toBe('params.n: missing; allowed: a whole number in 1..8');
    expect(validate(step, { kind: 'grow' })).toBe('params.kind: got "grow"; allowed: one of "map", "unmap"');
    expect(validate(schema.object({}), JSON.parse('{"__proto__": {"x": 1}}'))).toMatch(/unknown field "__proto__"/);
    expect(describeSchema(schema.array(schema.bool(), { max: 3 }))).toBe('an array of at most 3 items');
  });

  it('builders refuse nonsense bounds', () => {
    expect(() => schema.int(5, 1)).toThrow(RangeError);
    expect(() => schema.oneOf()).toThrow(RangeError);
    expect(() => schema.int(0, 8, { multipleOf: 0 })).toThrow(RangeError);
  });
});

interface S { c: Atomic; seen: number }
const withSchema: AnyModel = defineModel<S, { n: number }>({
  name: 'test/schema-n',
  scenarios: { two: { n: 2 } },
  paramsSchema: schema.object({ n: schema.int(1, 4) }),
  setup: (p) => {
    if (p.n > 4) throw new Error('setup ran with out-of-schema params');
    return { c: new Atomic(0, 'c'), seen: 0 };
  },
  threads: (s, p) => Array.from({ length: p.n }, (_, i) => thread(`t${i}`, function* () { yield* s.c.add(1); })),
});
const noSchema: AnyModel = defineModel<S, { n?: number }>({
  name: 'test/schema-none',
  scenarios: { one: { n: 1 } },
  setup: () => ({ c: new Atomic(0, 'c'), seen: 0 }),
  threads: (s) => [thread('t', function* () { yield* s.c.add(1); })],
});


describe('params from outside', () => {
  it('are checked against the schema before setup runs, wherever they enter', () => {
    expect(oneLineUsage(() => scenarioParams(withSchema, '{"n": 100000000}'))).toBe("the scenario of model 'test/schema-n' is refused: params.n: got 100000000; allowed: a whole number in 1..4");
    expect(oneLineUsage(() => check(withSchema, { scenario: { n: 5 } }))).toMatch(/params\.n: got 5/);
    const token = encodeToken({ model: withSchema.name, hash: withSchema.hash, scenario: '{"n":1e9}', strategy: 'random', seed: 1, steps: [0] });
    expect(oneLineUsage(() => replay(withSchema, token))).toMatch(/params\.n: got 1000000000/);
    expect(decodeToken(token).scenario).toBe('{"n":1e9}');
  });

  it('without a schema are still JSON within the limits', () => {
    expect(scenarioParams(noSchema, '{"anything": [1, "x"]}').params).toEqual({ anything: [1, 'x'] });
    expect(oneLineUsage(() => scenarioParams(noSchema, `{"x": "${'y'.repeat(PARAMS_LIMITS.maxBytes)}"}`))).toMatch(/at most 65536/);
    expect(oneLineUsage(() => scenarioParams(noSchema, `${'['.repeat(40)}${']'.repeat(40)}`))).toMatch(/nested deeper than 32/);
    expect(oneLineUsage(() => scenarioParams(noSchema, { n: Number.NaN } as never))).toMatch(/finite numbers/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(oneLineUsage(() => scenarioParams(noSchema, cyclic as never))).toMatch(/nested deeper/);
    expect(oneLineUsage(() => scenarioParams(noSchema, { f: (() => 1) as never } as never))).toMatch(/JSON values only/);
    expect(oneLineUsage(() => scenarioParams(noSchema, 'constructor'))).toMatch(/has no scenario 'constructor'/);
  });

  it('defineModel refuses a model whose own scenarios break its schema', () => {
    expect(oneLineUsage(() => defineModel<S, { n: number }>({
      name: 'test/schema-bad', scenarios: { big: { n: 9 } }, paramsSchema: schema.object({ n: schema.int(1, 4) }),
      setup: () => ({ c: new Atomic(0, 'c'), seen: 0 }), threads: () => [],
    }))).toBe("its own scenario 'big' of model 'test/schema-bad' is refused: params.n: got 9; allowed: a whole number in 1..4");
  });
});
