/**
 * Every built-in design declares a params schema (models/<design>/schema.ts), and the schemas are
 * tight enough to trust: a value the schema accepts either runs (finding design bugs or none) or is
 * refused by the model's setup with a UsageError (relations between fields); it never makes model
 * code throw (an exception or API-misuse violation after setup), and every named scenario fits it.
 * A value the schema refuses never reaches setup.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allModels } from '../../models/index.js';
import { UsageError, check, validate } from '../../src/index.js';
import { mutantOf, valueOf } from '../engine/schema-arb.js';

describe('seed designs have schemas that hold', () => {
  it('every model declares one, and its named scenarios fit it', () => {
    for (const m of allModels) {
      expect(m.paramsSchema, m.name).toBeDefined();
      for (const [name, p] of Object.entries(m.scenarios)) expect(validate(m.paramsSchema!, p), `${m.name} ${name}`).toBeNull();
    }
  });

  for (const m of allModels) {
    it(`${m.name}: schema-valid params never make model code throw`, () => {
      const schema = m.paramsSchema!;
      fc.assert(fc.property(valueOf(schema), fc.nat(1000), (p, seed) => {
        const r = check(m, { scenario: p as never, strategy: 'random', seed, maxExecutions: 25 });
        const v = r.finding?.violation;
        if (v?.kind === 'usage') expect(v.step, `${m.name}: ${v.message}`).toBe(-1);
        expect(v?.kind, v?.message).not.toBe('exception');
      }), { numRuns: 40, seed: 22 });
    });
  }

  it('schema-invalid params are refused before setup', () => {
    for (const m of allModels) {
      const [bad] = fc.sample(mutantOf(m.paramsSchema!), { numRuns: 1, seed: 5 });
      expect(() => check(m, { scenario: bad?.[0] as never, maxExecutions: 1 }), m.name).toThrow(UsageError);
    }
  });
});
