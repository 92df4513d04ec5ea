/**
 * The kmap-pfn design (seed 003: kmap of page-less pfns through an RCU list of pmem ranges):
 * the posted variant and the fixed one, in the order `mapcheck list` shows them.
 * Leaves out: nothing; see posted.ts and fixed.ts.
 */
import type { AnyModel } from '../../src/index.js';
import { kmapPfnFixed } from './fixed.js';
import { kmapPfnPosted } from './posted.js';

export { kmapPfnFixed, kmapPfnPosted };

export const kmapPfnModels: readonly AnyModel[] = [kmapPfnPosted, kmapPfnFixed];
