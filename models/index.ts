/**
 * Every model mapcheck knows, by name: the litmus models and the five seed designs (posted and
 * fixed variants). The CLI, the campaign and the property suites look models up here.
 * Leaves out: nothing; add each new design's folder index here.
 */
import type { AnyModel } from '../src/index.js';
import { litmusModels } from './litmus/index.js';
import { kmapPfnModels } from './kmap-pfn/index.js';
import { kvmapModels } from './kiobuf-kvmap/index.js';
import { ioremapModels } from './ioremap-reuse/index.js';
import { iovaModels } from './iova-extend/index.js';
import { vcmModels } from './vcm/index.js';

export const allModels: readonly AnyModel[] = [...litmusModels, ...kmapPfnModels, ...kvmapModels, ...ioremapModels, ...iovaModels, ...vcmModels];

export function findModel(name: string): AnyModel | undefined {
  return allModels.find((m) => m.name === name);
}
