/**
 * Seed 004 (Virtual Contiguous Memory): the posted and fixed variants, for models/index.ts.
 * Leaves out: nothing (the variants are built in posted.ts / fixed.ts).
 */
import type { AnyModel } from '../../src/index.js';
import { vcmFixed } from './fixed.js';
import { vcmPosted } from './posted.js';

export { vcmPosted, vcmFixed };
export const vcmModels: readonly AnyModel[] = [vcmPosted, vcmFixed];
