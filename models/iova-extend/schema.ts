/**
 * What a scenario of the iova-extend models may be (scenarios.ts has the named ones): checked
 * before setup for every scenario from outside, so a hostile token cannot ask for a billion-page
 * window or a bitmap order that makes no sense. Bounds: a page-aligned 32-bit dma_addr_t base
 * (windows that end at or cross 4 GiB are allowed: that is a case the models check), windows of
 * at most 256 pages, order 0..3, at most six driver threads of six steps, buffers of 0..32 pages
 * (a zero-length dma_map_page is allowed), wrong-length and foreign frees.
 * Extend a field's vocabulary here and in scenarios.ts together; the compile-time check at the
 * bottom fails when the two disagree.
 * Leaves out: relations between fields (reserved <= initial <= max pages, initial >= 2^order,
 * `unmap` of a buffer the thread mapped earlier, distinct thread names): `iovaRelations` in
 * scenarios.ts refuses those in setup.
 */
import { type SchemaValue, schema } from '../../src/index.js';
import { type IovaParams, MAX_MAP_PAGES } from './scenarios.js';

const pages = schema.int(0, MAX_MAP_PAGES);

export const iovaStepSchema = schema.union('kind', {
  map: schema.object({ pages }),
  unmap: schema.object({ which: schema.int(0, 5), pages }, { optional: ['pages'] }),
  'unmap-foreign': schema.object({ iova: schema.int(0, 0xffffffff), pages }),
});

export const iovaThreadSchema = schema.object({
  name: schema.string({ maxLength: 32, pattern: /^[a-z0-9][a-z0-9_.-]*$/ }),
  steps: schema.array(iovaStepSchema, { max: 6 }),
});

export const iovaSchema = schema.object({
  base: schema.int(0, 0xfffff000, { multipleOf: 0x1000 }),
  reservedPages: schema.int(0, 128),
  initialPages: schema.int(1, 128),
  growPages: schema.int(0, 128),
  maxPages: schema.int(1, 256),
  order: schema.int(0, 3),
  failAllocs: schema.bool(),
  dma: schema.bool(),
  threads: schema.array(iovaThreadSchema, { max: 6 }),
  createRelease: schema.bool(),
});

/** Compile-time: the schema's values are exactly IovaParams. */
export const schemaFitsParams = (p: SchemaValue<typeof iovaSchema>): IovaParams => p;
export const paramsFitSchema = (p: IovaParams): SchemaValue<typeof iovaSchema> => p;
