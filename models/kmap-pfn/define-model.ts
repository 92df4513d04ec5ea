/**
 * `defineKmapPfnModel`: one kmap-pfn model (posted or fixed) from a variant's kmap code. Setup,
 * scenarios, threads (the pmem driver thread + one thread per reader), invariants, final checks
 * and inspect are the same for every variant, so the variants differ only where the C does.
 * Leaves out: nothing of its own; see state.ts, driver.ts and invariants.ts.
 */
import { type ExpectedBug, type Model, type ProofSpec, defineModel } from '../../src/index.js';
import { driverThread, readerThread } from './driver.js';
import { kmapPfnFinal, kmapPfnInspect, kmapPfnInvariants } from './invariants.js';
import { KMAP_PFN_DEFAULT, kmapPfnScenarios } from './scenarios.js';
import { kmapPfnSchema } from './schema.js';
import { type KmapPfnApi, type KmapPfnParams, type KmapPfnState, setupKmapPfn } from './state.js';

export interface KmapPfnVariant {
  readonly name: string;
  readonly description: string;
  readonly api: KmapPfnApi;
  /** Text of the variant's functions (folded into the model hash). */
  readonly source: string;
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly proofs?: readonly ProofSpec[];
}

export function defineKmapPfnModel(v: KmapPfnVariant): Model<KmapPfnState, KmapPfnParams> {
  const api = v.api;
  return defineModel<KmapPfnState, KmapPfnParams>({
    name: v.name,
    description: v.description,
    seed: '003 kmap of page-less pfns (Dan Williams, Aug 2015)',
    scenarios: kmapPfnScenarios,
    paramsSchema: kmapPfnSchema,
    defaultScenario: KMAP_PFN_DEFAULT,
    setup: (p) => setupKmapPfn(p),
    threads: (s, p) => [driverThread(s, api), ...p.readers.map((_, i) => readerThread(s, api, i))],
    invariants: kmapPfnInvariants,
    final: kmapPfnFinal,
    inspect: kmapPfnInspect,
    source: [v.source, readerThread.toString(), driverThread.toString()].join('\n'),
    // The driver thread plus one thread per reader; a reader's sessions are the pfns it maps in turn.
    scenarioShape: (p) => ({ threads: 1 + p.readers.length, sessions: Math.max(1, ...p.readers.map((r) => r.length)) }),
    ...(v.expectedBugs ? { expectedBugs: v.expectedBugs } : {}),
    ...(v.proofs ? { proofs: v.proofs } : {}),
  });
}
