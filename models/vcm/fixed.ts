/**
 * vcm/fixed: the VCM core with correct error propagation and a lock-protected activation count
 * (fixed-core.ts), same drivers and scenarios as vcm/posted. `provedScenarios` are the scenarios
 * DPOR exhausts with no violation (the stated bounds: one to two driver threads, one page each);
 * `three-drivers` is checked with PCT only.
 * Leaves out: see fixed-core.ts.
 */
import { fixedCore } from './fixed-core.js';
import { vcmModel } from './model.js';


export const vcmFixed = vcmModel({
  name: 'vcm/fixed',
  description: 'seed 004 VCM core fixed: NULL-initialised locals, IS_ERR before use, activation count under a mutex',
  core: fixedCore,
  defaultScenario: 'activate-race',
  proofs: [],
});
