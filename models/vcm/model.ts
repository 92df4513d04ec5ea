/**
 * `vcmModel(core, ...)`: one VCM model (seed 004) from a core (posted or fixed mm/vcm.c), the two
 * drivers, the scenarios, the workload threads and the invariants, so both variants run exactly
 * the same scenarios and checks. The model hash folds in the text of the core, the drivers and the
 * workload's driver and platform threads (they live in helper modules the engine's hash would not
 * see otherwise).
 * Leaves out: nothing; each variant file only chooses its core and states its bugs / proofs.
 */
import { type ExpectedBug, type Model, type ProofSpec, defineModel } from '../../src/index.js';
import { IommuDriver, iommuPhysFree, vcm_iommu_create } from './iommu-driver.js';
import { vcmFinal, vcmInspect, vcmInvariants } from './invariants.js';
import { vcm_o2o_create } from './onetoone-driver.js';
import { VCM_SCENARIOS, type VcmParams } from './scenarios.js';
import { vcmSchema } from './schema.js';
import type { VcmCore } from './structs.js';
import { driverThread, maybeMisuse } from './driver.js';
import { type VcmState, platformThread, vcmSetup, vcmThreads } from './workload.js';

export interface VcmVariant {
  readonly name: string;
  readonly description: string;
  readonly core: VcmCore;
  readonly defaultScenario: string;
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly proofs?: readonly ProofSpec[];
}

function coreSource(core: VcmCore): string {
  return Object.values(core).map((f) => (typeof f === 'function' ? f.toString() : String(f))).join('\n');
}

export function vcmModel(v: VcmVariant): Model<VcmState, VcmParams> {
  return defineModel<VcmState, VcmParams>({
    name: v.name,
    description: v.description,
    seed: '004 VCM: reserve / alloc / bind / map / activate',
    scenarios: VCM_SCENARIOS,
    paramsSchema: vcmSchema,
    defaultScenario: v.defaultScenario,
    setup: (p) => vcmSetup(v.core, p),
    threads: (s) => vcmThreads(s),
    invariants: vcmInvariants,
    final: vcmFinal,
    inspect: vcmInspect,
    source: [coreSource(v.core), IommuDriver.toString(), iommuPhysFree.toString(), vcm_iommu_create.toString(), vcm_o2o_create.toString(), driverThread.toString(), maybeMisuse.toString(), platformThread.toString()].join('\n'),
    // The platform thread plus one driver per program; a driver program is one probe/remove session.
    scenarioShape: (p) => ({ threads: p.threads.length, sessions: 1 }),
    ...(v.expectedBugs ? { expectedBugs: v.expectedBugs } : {}),
    ...(v.proofs ? { proofs: v.proofs } : {}),
  });
}
