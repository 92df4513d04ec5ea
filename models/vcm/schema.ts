/**
 * What a scenario of the VCM models may be (scenarios.ts has the named ones): checked before setup
 * for every scenario from outside, so a hostile token cannot ask for a million RAM pages or a
 * hundred drivers. Bounds: the IOMMU driver's one-word bitmap (at most 30 IOVA pages), at most 64
 * RAM pages, at most six driver threads of sixteen steps (the step vocabulary includes the hand-offs
 * that share memory and reservations between drivers, and the misuse a caller may commit), the
 * fault sites platform.ts knows, an optional second context and the context of each thread.
 * Extend a field's vocabulary (steps, fault sites) here and in scenarios.ts together; the
 * compile-time check at the bottom fails when the two disagree.
 * Leaves out: relations between fields (a `take` needs a `publish` in another thread, a `wait` a
 * `signal`, `join_others` last and once, a second context of the other kind): `vcmRelations` in
 * scenarios.ts refuses those in setup.
 */
import { type SchemaValue, schema } from '../../src/index.js';
import { FAULT_SITES, VCM_STEPS, type VcmParams } from './scenarios.js';

const kind = schema.oneOf('iommu', 'o2o', 'o2o-map-only');

export const vcmStepSchema = schema.oneOf(...VCM_STEPS);

export const vcmSchema = schema.object({
  driver: kind,
  iovaPages: schema.int(0, 30),
  ramPages: schema.int(0, 64),
  faults: schema.array(schema.oneOf(...FAULT_SITES), { max: FAULT_SITES.length }),
  threads: schema.array(schema.array(vcmStepSchema, { max: 16 }), { max: 6 }),
  deviceThread: schema.bool(),
  second: kind,
  threadCtx: schema.array(schema.int(0, 1), { max: 6 }),
}, { optional: ['deviceThread', 'second', 'threadCtx'] });

/** Compile-time: the schema's values are VcmParams (fault sites are plain strings there), and back. */
export const schemaFitsParams = (p: SchemaValue<typeof vcmSchema>): VcmParams => p;
export const paramsFitSchema = (p: Omit<VcmParams, 'faults'>): Omit<SchemaValue<typeof vcmSchema>, 'faults'> => p;
