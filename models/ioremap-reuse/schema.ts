/**
 * What a scenario of the ioremap-reuse models may be (scenarios.ts has the named ones): checked
 * before setup for every scenario from outside (a token, `--scenario`), so a hostile value is one
 * line naming the field instead of a huge vmalloc space or a thousand drivers. Bounds: physical
 * addresses below 2^40 (LPAE), ioremap sizes of 0..4 pages (0: ioremap returns NULL), at most six
 * driver threads of four sessions each, four extra MMIO windows, four static mappings, a PCI I/O
 * reservation of at most four pages, a few register reads.
 * Extend a field's vocabulary here and in scenarios.ts together; the compile-time check at the
 * bottom fails when the two disagree.
 * Leaves out: relations between fields (at most one `holdUntilOthersDone` thread, distinct thread
 * and device names, accesses only inside a device window, boot mappings that fit the vmalloc
 * window): `ioremapRelations` in scenarios.ts refuses those in setup.
 */
import { type SchemaValue, schema } from '../../src/index.js';
import { type IoremapParams, MAX_PA } from './scenarios.js';

const memType = schema.oneOf('device', 'wc', 'cached');
const name = schema.string({ maxLength: 32, pattern: /^[a-z0-9][a-z0-9_.-]*$/ });

export const ioSessionSchema = schema.object({
  paddr: schema.int(0, MAX_PA - 1),
  size: schema.int(0, 4 * 0x1000),
  type: memType,
  premapped: schema.bool(),
  accesses: schema.int(0, 4),
});

export const ioThreadSchema = schema.object({
  name,
  sessions: schema.array(ioSessionSchema, { max: 4 }),
  holdUntilOthersDone: schema.bool(),
  badIounmap: schema.bool(),
}, { optional: ['badIounmap'] });

export const ioremapSchema = schema.object({
  threads: schema.array(ioThreadSchema, { max: 6 }),
  vmallocThread: schema.bool(),
  markedReads: schema.bool(),
  watchResurrection: schema.bool(),
  barrier: schema.bool(),
  devices: schema.array(schema.object({ name, base: schema.int(0, MAX_PA - 1), size: schema.int(1, 0x4000) }), { max: 4 }),
  staticMaps: schema.array(schema.object({ pa: schema.int(0, MAX_PA - 0x1000, { multipleOf: 0x1000 }), pages: schema.int(1, 4), type: memType }), { max: 4 }),
  pciIoPages: schema.int(0, 4),
  allocVmAreaThread: schema.bool(),
  failAllocs: schema.bool(),
  failMap: schema.bool(),
}, { optional: ['devices', 'staticMaps', 'pciIoPages', 'allocVmAreaThread', 'failAllocs', 'failMap'] });

/** Compile-time: the schema's values are exactly IoremapParams. */
export const schemaFitsParams = (p: SchemaValue<typeof ioremapSchema>): IoremapParams => p;
export const paramsFitSchema = (p: IoremapParams): SchemaValue<typeof ioremapSchema> => p;
