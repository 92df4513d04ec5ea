/**
 * What a scenario of the ioremap-reuse models may be (scenarios.ts has the named ones): checked
 * before setup for every scenario from outside (a token, `--scenario`), so a hostile value is one
 * line naming the field instead of a huge vmalloc space or a run on a device that does not exist.
 * Bounds: the devices the world has (DEVICES), windows of at most two pages, at most four driver
 * threads of three sessions each (DPOR and the minimizer stay quick), a few register reads.
 * Extend a field's vocabulary here and in scenarios.ts together; the compile-time check at the
 * bottom fails when the two disagree.
 * Leaves out: constraints between fields (at most one `holdUntilOthersDone` thread, distinct
 * thread names): world.ts refuses those in setup.
 */
import { type SchemaValue, schema } from '../../src/index.js';
import { DEVICES, type IoremapParams } from './scenarios.js';

export const ioSessionSchema = schema.object({
  paddr: schema.intOneOf(...DEVICES.map((d) => d.base)),
  size: schema.int(1, 0x2000),
  type: schema.oneOf('device', 'wc', 'cached'),
  premapped: schema.bool(),
  accesses: schema.int(0, 4),
});

export const ioThreadSchema = schema.object({
  name: schema.string({ maxLength: 32, pattern: /^[a-z0-9][a-z0-9_.-]*$/ }),
  sessions: schema.array(ioSessionSchema, { min: 1, max: 3 }),
  holdUntilOthersDone: schema.bool(),
});

export const ioremapSchema = schema.object({
  threads: schema.array(ioThreadSchema, { min: 1, max: 4 }),
  vmallocThread: schema.bool(),
  markedReads: schema.bool(),
  watchResurrection: schema.bool(),
  barrier: schema.bool(),
});

/** Compile-time: the schema's values are exactly IoremapParams. */
export const schemaFitsParams = (p: SchemaValue<typeof ioremapSchema>): IoremapParams => p;
export const paramsFitSchema = (p: IoremapParams): SchemaValue<typeof ioremapSchema> => p;
