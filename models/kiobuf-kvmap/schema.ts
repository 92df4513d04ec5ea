/**
 * What a scenario of the kiobuf-kvmap models may be (scenarios.ts has the named ones): checked
 * before setup for every scenario from outside, so a hostile token cannot ask for a billion-page
 * data area or a thousand processes. Bounds: a data area of at most 8 pages, at most four user
 * processes of sixteen actions (enough for three sessions of open / mmap / touch / munmap / close),
 * forks one deep (a child does not fork again; the schema is built to that depth, so the nesting
 * of a value is bounded too), mappings and unmaps of 0..8 pages (zero lengths are a caller's to
 * try; the mm model answers them as the kernel does).
 * Extend a field's vocabulary here and in state.ts (UAct, KvmapParams) together; the compile-time
 * check at the bottom fails when the two disagree.
 * Leaves out: relations between fields (which page an action touches need not be mapped: a fault
 * beyond the mapping is part of what the models check).
 */
import { type SchemaValue, type UnionSchema, schema } from '../../src/index.js';
import type { KvmapParams, UAct } from './state.js';

const pages = schema.int(0, 8);

const plainActs = {
  open: schema.object({}),
  close: schema.object({}),
  mmap: schema.object({ pages, pgoff: pages, shared: schema.bool(), write: schema.bool() }),
  touch: schema.object({ page: pages, write: schema.bool() }),
  munmap: schema.object({ page: pages, pages }),
  mprotect: schema.object({ page: pages, pages, write: schema.bool() }),
  mlock: schema.object({ lock: schema.bool() }),
};

const plainActSchema = schema.union('op', plainActs);
/** A process's actions: the plain ones and fork, whose child does plain actions only. */
const actSchema: UnionSchema = schema.union('op', { ...plainActs, fork: schema.object({ child: schema.array(plainActSchema, { max: 8 }) }) });

export const kvmapSchema = schema.object({
  dataPages: schema.int(0, 8),
  kioStaticPages: schema.int(0, 8),
  ptrsPerPte: schema.int(1, 1024),
  heapPage: schema.int(0, 1024),
  procs: schema.array(schema.array(actSchema, { max: 16 }), { max: 4 }),
  unload: schema.oneOf('none', 'end', 'concurrent', 'when-idle'),
  failAllocs: schema.bool(),
  miscFail: schema.bool(),
  kswapd: schema.bool(),
  lazyPmd: schema.bool(),
  bkl: schema.bool(),
}, { optional: ['kswapd', 'lazyPmd', 'bkl'] });

/** Compile-time: every action but fork (recursive in the type) is a UAct, and back. */
type PlainAct = Exclude<UAct, { readonly op: 'fork' }>;
export const schemaFitsActs = (a: SchemaValue<typeof plainActSchema>): PlainAct => a;
export const actsFitSchema = (a: PlainAct): SchemaValue<typeof plainActSchema> => a;
/** ... and the other fields are KvmapParams' (procs aside). */
type Rest<T> = Omit<T, 'procs'>;
export const schemaFitsParams = (p: Rest<SchemaValue<typeof kvmapSchema>>): Rest<KvmapParams> => p;
export const paramsFitSchema = (p: Rest<KvmapParams>): Rest<SchemaValue<typeof kvmapSchema>> => p;
