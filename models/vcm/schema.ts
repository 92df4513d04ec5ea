/**
 * What a scenario of the VCM models may be (scenarios.ts has the named ones): checked before setup
 * for every scenario from outside, so a hostile token cannot ask for a million RAM pages or a
 * hundred drivers. Bounds: the IOMMU driver's one-word bitmap (at most 30 IOVA pages), at most 16
 * RAM pages, at most four driver threads of ten steps, the fault sites platform.ts knows.
 * Extend a field's vocabulary (steps, fault sites) here and in scenarios.ts together; the
 * compile-time check at the bottom fails when the two disagree.
 * Leaves out: relations between fields (a `wait` needs a `signal` in another thread, or that
 * driver waits for ever: a deadlock the checker reports, as it would in the kernel).
 */
import { type SchemaValue, schema } from '../../src/index.js';
import type { VcmParams } from './scenarios.js';

export const VCM_FAULT_SITES = ['create', 'res', 'phys', 'pages', 'iommu_map', 'o2o_phys', 'o2o_res'] as const;

export const vcmStepSchema = schema.oneOf('make_binding', 'alloc', 'reserve', 'bind', 'map', 'activate', 'dma', 'signal', 'wait', 'barrier');

export const vcmSchema = schema.object({
  driver: schema.oneOf('iommu', 'o2o', 'o2o-map-only'),
  iovaPages: schema.int(0, 30),
  ramPages: schema.int(0, 16),
  faults: schema.array(schema.oneOf(...VCM_FAULT_SITES), { max: VCM_FAULT_SITES.length }),
  threads: schema.array(schema.array(vcmStepSchema, { max: 10 }), { min: 1, max: 4 }),
  deviceThread: schema.bool(),
}, { optional: ['deviceThread'] });

/** Compile-time: the schema's values are VcmParams (fault sites are plain strings there), and back. */
export const schemaFitsParams = (p: SchemaValue<typeof vcmSchema>): VcmParams => p;
export const paramsFitSchema = (p: Omit<VcmParams, 'faults'>): Omit<SchemaValue<typeof vcmSchema>, 'faults'> => p;
