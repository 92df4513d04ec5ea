/**
 * vcm/posted: seed 004's mm/vcm.c as posted (posted-core.ts) with the IOMMU and one-to-one
 * drivers, and the bugs an explored interleaving or injected allocation failure shows.
 * Leaves out: see posted-core.ts.
 */
import { vcmModel } from './model.js';
import { postedCore } from './posted-core.js';

export const vcmPosted = vcmModel({
  name: 'vcm/posted',
  description: 'seed 004 VCM core as posted: activation counter used as a lock, error paths on uninitialised / error pointers',
  core: postedCore,
  defaultScenario: 'activate-race',
});
