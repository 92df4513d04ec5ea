/**
 * What a scenario of the kmap-pfn models may be (scenarios.ts has the named ones): checked before
 * setup for every scenario from outside, so a hostile token cannot ask for a pmem range of a
 * billion pages or a hundred readers. Bounds: pfns below 2^36 (a 48-bit physical space; PAE's is
 * 36 bits, the scenarios use frames just above 4 GiB), a pmem range of at most 8 pages, at most
 * eight RAM frames, at most four readers of four pfns each, what a reader does inside the window
 * (nothing, cond_resched, a copy to user memory), kmaps nested two deep (the schema is built to
 * that depth, so the nesting of a value is bounded too), one to three probe / remove cycles.
 * Extend a field's vocabulary here and in state.ts together; the compile-time check at the bottom
 * fails when the two disagree.
 * Leaves out: relations between fields (a RAM pfn must be one of ramPfns, no sleeping inside a
 * page-backed kmap_atomic): `kmapPfnRelations` in scenarios.ts refuses those in setup.
 */
import { type ObjectSchema, type SchemaValue, schema } from '../../src/index.js';
import type { KmapPfnParams, ReaderPfn } from './state.js';

const pfn = schema.int(1, 2 ** 36);
const between = schema.oneOf('nothing', 'cond_resched', 'copy_to_user');

/** A kmapped pfn whose window holds at most `depth` more levels of nested kmaps. */
function readerPfn(depth: number): ObjectSchema {
  if (depth === 0) return schema.object({ pfn, dev: schema.bool(), between }, { optional: ['between'] });
  return schema.object({ pfn, dev: schema.bool(), between, inner: schema.array(readerPfn(depth - 1), { max: 3 }) }, { optional: ['between', 'inner'] });
}
const leafPfn = schema.object({ pfn, dev: schema.bool(), between }, { optional: ['between'] });

export const kmapPfnSchema = schema.object({
  bits: schema.intOneOf(32, 64),
  pmemPfn: pfn,
  pmemPages: schema.int(1, 8),
  ramPfns: schema.array(pfn, { max: 8 }),
  unmapIn: schema.oneOf('remove', 'devm'),
  remove: schema.oneOf('concurrent', 'after'),
  readersStart: schema.oneOf('after-probe', 'any-time'),
  readers: schema.array(schema.array(readerPfn(2), { max: 4 }), { max: 4 }),
  failAllocs: schema.bool(),
  cycles: schema.int(1, 3),
}, { optional: ['cycles'] });

/** Compile-time: a pfn without nesting is a ReaderPfn and back, and the other fields are KmapPfnParams' (readers aside). */
type Leaf = Omit<ReaderPfn, 'inner'>;
export const schemaFitsLeaf = (a: SchemaValue<typeof leafPfn>): Leaf => a;
export const leafFitsSchema = (a: Leaf): SchemaValue<typeof leafPfn> => a;
type Rest<T> = Omit<T, 'readers'>;
export const schemaFitsParams = (p: Rest<SchemaValue<typeof kmapPfnSchema>>): Rest<KmapPfnParams> => p;
export const paramsFitSchema = (p: Rest<KmapPfnParams>): Rest<SchemaValue<typeof kmapPfnSchema>> => p;
