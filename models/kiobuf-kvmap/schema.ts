/**
 * What a scenario of the kiobuf-kvmap models may be (scenarios.ts has the named ones): checked
 * before setup for every scenario from outside, so a hostile token cannot ask for a billion-page
 * data area or a thousand processes. Bounds: a data area of at most 8 pages, at most three user
 * processes of eight actions, forks nested two deep (the schema is built to that depth, so the
 * nesting of a value is bounded too), mappings of at most 8 pages.
 * Extend a field's vocabulary here and in state.ts (UAct, KvmapParams) together; the compile-time
 * check at the bottom fails when the two disagree.
 * Leaves out: relations between fields (which page an action touches need not be mapped: a fault
 * beyond the mapping is part of what the models check).
 */
import { type SchemaValue, type UnionSchema, schema } from '../../src/index.js';
import type { KvmapParams, UAct } from './state.js';

const MAX_ACTS = 8;
const pages = schema.int(1, 8);
const page = schema.int(0, 15);

const plainActs = {
  open: schema.object({}),
  close: schema.object({}),
  mmap: schema.object({ pages, pgoff: schema.int(0, 15), shared: schema.bool(), write: schema.bool() }),
  touch: schema.object({ page, write: schema.bool() }),
  munmap: schema.object({ page, pages }),
  mprotect: schema.object({ page, pages, write: schema.bool() }),
};

const plainActSchema = schema.union('op', plainActs);

/** User actions, with forks whose children nest at most `depth` more forks. */
function acts(depth: number): UnionSchema {
  if (depth === 0) return plainActSchema;
  return schema.union('op', { ...plainActs, fork: schema.object({ child: schema.array(acts(depth - 1), { max: MAX_ACTS }) }) });
}

export const kvmapSchema = schema.object({
  dataPages: schema.int(0, 8),
  kioStaticPages: schema.int(0, 8),
  ptrsPerPte: schema.int(1, 1024),
  heapPage: schema.int(0, 16),
  procs: schema.array(schema.array(acts(2), { max: MAX_ACTS }), { max: 3 }),
  unload: schema.oneOf('none', 'end', 'concurrent', 'when-idle'),
  failAllocs: schema.bool(),
  miscFail: schema.bool(),
});

/** Compile-time: every action but fork (recursive in the type, depth-bounded here) is a UAct, and back. */
type PlainAct = Exclude<UAct, { readonly op: 'fork' }>;
export const schemaFitsActs = (a: SchemaValue<typeof plainActSchema>): PlainAct => a;
export const actsFitSchema = (a: PlainAct): SchemaValue<typeof plainActSchema> => a;
/** ... and the other fields are KvmapParams' (procs aside). */
type Rest<T> = Omit<T, 'procs'>;
export const schemaFitsParams = (p: Rest<SchemaValue<typeof kvmapSchema>>): Rest<KvmapParams> => p;
export const paramsFitSchema = (p: Rest<KvmapParams>): Rest<SchemaValue<typeof kvmapSchema>> => p;
