/**
 * What a scenario of the iova-extend models may be (scenarios.ts has the named ones): checked
 * before setup for every scenario from outside, so a hostile token cannot ask for a billion-page
 * window or a bitmap order that makes no sense. Bounds: a 32-bit dma_addr_t window of at most 512
 * pages, order 0..4, at most four driver threads of six steps, buffers of at most 32 pages.
 * Extend a field's vocabulary here and in scenarios.ts together; the compile-time check at the
 * bottom fails when the two disagree.
 * Leaves out: relations between fields (reserved <= initial <= max pages, `unmap` of a buffer the
 * thread mapped): world.ts refuses those in setup.
 */
import { type SchemaValue, schema } from '../../src/index.js';
import type { IovaParams } from './scenarios.js';

export const iovaStepSchema = schema.union('kind', {
  map: schema.object({ pages: schema.int(1, 32) }),
  unmap: schema.object({ which: schema.int(0, 5) }),
});

export const iovaThreadSchema = schema.object({
  name: schema.string({ maxLength: 32, pattern: /^[a-z0-9][a-z0-9_.-]*$/ }),
  steps: schema.array(iovaStepSchema, { max: 6 }),
});

export const iovaSchema = schema.object({
  base: schema.int(0, 0xfffff000, { multipleOf: 0x1000 }),
  reservedPages: schema.int(0, 512),
  initialPages: schema.int(1, 512),
  growPages: schema.int(0, 512),
  maxPages: schema.int(0, 512),
  order: schema.int(0, 4),
  failAllocs: schema.bool(),
  dma: schema.bool(),
  threads: schema.array(iovaThreadSchema, { min: 1, max: 4 }),
  createRelease: schema.bool(),
});

/** Compile-time: the schema's values are exactly IovaParams. */
export const schemaFitsParams = (p: SchemaValue<typeof iovaSchema>): IovaParams => p;
export const paramsFitSchema = (p: IovaParams): SchemaValue<typeof iovaSchema> => p;
