/**
 * What a scenario of the kmap-pfn models may be (scenarios.ts has the named ones): checked before
 * setup for every scenario from outside, so a hostile token cannot ask for a pmem range of a
 * billion pages or a hundred readers. Bounds: pfns below 8 GiB (PAE's 36-bit physical space is
 * 64 GiB; the scenarios use frames just above 4 GiB), a pmem range of at most 8 pages, at most four
 * RAM frames, at most three readers of four pfns each.
 * Extend a field's vocabulary here and in state.ts together; the compile-time check at the bottom
 * fails when the two disagree.
 * Leaves out: relations between fields (RAM frames outside the pmem range, distinct frames):
 * setupKmapPfn refuses those.
 */
import { type SchemaValue, schema } from '../../src/index.js';
import type { KmapPfnParams } from './state.js';

const pfn = schema.int(0, 0x20_0000);

export const kmapPfnSchema = schema.object({
  bits: schema.intOneOf(32, 64),
  pmemPfn: pfn,
  pmemPages: schema.int(1, 8),
  ramPfns: schema.array(pfn, { max: 4 }),
  unmapIn: schema.oneOf('remove', 'devm'),
  remove: schema.oneOf('concurrent', 'after'),
  readersStart: schema.oneOf('after-probe', 'any-time'),
  readers: schema.array(schema.array(schema.object({ pfn, dev: schema.bool() }), { max: 4 }), { max: 3 }),
  failAllocs: schema.bool(),
});

/** Compile-time: the schema's values are exactly KmapPfnParams. */
export const schemaFitsParams = (p: SchemaValue<typeof kmapPfnSchema>): KmapPfnParams => p;
export const paramsFitSchema = (p: KmapPfnParams): SchemaValue<typeof kmapPfnSchema> => p;
