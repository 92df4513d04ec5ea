/**
 * `defineKvmapModel`: one kiobuf-kvmap model (posted or fixed) from a variant's driver and iomap
 * code. Setup, scenarios, threads (the module loader + one thread per user process; forks spawn
 * more), final checks and inspect are shared, so the variants differ only where the C does.
 * The engine's global leak check is off: while the module is loaded its allocations are live by
 * design; the final check 'unload releases everything init allocated' applies it after rmmod.
 * Leaves out: nothing of its own; see state.ts, process.ts and invariants.ts.
 */
import { type ExpectedBug, type Model, defineModel } from '../../src/index.js';
import { kvmapFinal, kvmapInspect } from './invariants.js';
import { loaderThread, procThread } from './process.js';
import { KVMAP_DEFAULT, kvmapScenarios } from './scenarios.js';
import { kvmapSchema } from './schema.js';
import { type KvmapParams, type KvmapState, type KvmapVariant, setupKvmap } from './state.js';

export interface KvmapModelDef {
  readonly name: string;
  readonly description: string;
  readonly variant: KvmapVariant;
  readonly source: string;
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly provedScenarios?: readonly string[];
}

export function defineKvmapModel(d: KvmapModelDef): Model<KvmapState, KvmapParams> {
  const v = d.variant;
  return defineModel<KvmapState, KvmapParams>({
    name: d.name,
    description: d.description,
    seed: '002 kiobuf kvmap mmap (Stephen Tweedie, Mar 2000)',
    scenarios: kvmapScenarios,
    paramsSchema: kvmapSchema,
    defaultScenario: KVMAP_DEFAULT,
    setup: (p) => setupKvmap(p, (s) => v.exit(s)),
    threads: (s, p) => {
      const procs = p.procs.map((_, i) => procThread(s, v, i));
      procs.forEach((_, i) => s.procTids.push(i + 1));
      return [loaderThread(s, v), ...procs];
    },
    final: kvmapFinal,
    inspect: kvmapInspect,
    leakCheck: false,
    source: d.source,
    ...(d.expectedBugs ? { expectedBugs: d.expectedBugs } : {}),
    ...(d.provedScenarios ? { provedScenarios: d.provedScenarios } : {}),
  });
}
