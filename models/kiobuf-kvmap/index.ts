/**
 * The kiobuf-kvmap design (seed 002: mmap of a kiobuf through kvmap vm_ops, with the sample misc
 * driver): the posted variant and the fixed one, in the order `mapcheck list` shows them.
 * Leaves out: nothing; see posted.ts and fixed.ts.
 */
import type { AnyModel } from '../../src/index.js';
import { kvmapFixed } from './fixed.js';
import { kvmapPosted } from './posted.js';

export { kvmapFixed, kvmapPosted };

export const kvmapModels: readonly AnyModel[] = [kvmapPosted, kvmapFixed];
