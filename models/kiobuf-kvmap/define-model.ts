/**
 * `defineKvmapModel`: one kiobuf-kvmap model (posted or fixed) from a variant's driver and iomap
 * code. Setup, scenarios, threads (the module loader + one thread per user process; forks spawn
 * more), final checks and inspect are shared, so the variants differ only where the C does.
 * The engine's global leak check is off: while the module is loaded its allocations are live by
 * design; the final check 'unload releases everything init allocated' applies it after rmmod.
 * kswapd (swap.ts) joins the threads when the scenario asks for it.
 * Leaves out: nothing of its own; see state.ts, process.ts and invariants.ts.
 */
import { type ExpectedBug, type Model, type ProofSpec, defineModel } from '../../src/index.js';
import { kvmapFinal, kvmapInspect } from './invariants.js';
import { loaderThread, procThread } from './process.js';
import { KVMAP_DEFAULT, kvmapScenarios } from './scenarios.js';
import { kvmapSchema } from './schema.js';
import { kswapdThread } from './swap.js';
import { lock_kernel, sleepingLock, unlock_kernel } from './bkl.js';
import { type KvmapParams, type KvmapState, type KvmapVariant, setupKvmap } from './state.js';

export interface KvmapModelDef {
  readonly name: string;
  readonly description: string;
  readonly variant: KvmapVariant;
  readonly source: string;
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly proofs?: readonly ProofSpec[];
}

/** Processes a program starts, fork children included (each fork act in a list spawns one). */
function processes(acts: KvmapParams['procs'][number]): number {
  return 1 + acts.filter((a) => a.op === 'fork').length;
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
      return [loaderThread(s, v), ...procs, ...(p.kswapd === true ? [kswapdThread(s)] : [])];
    },
    // Loader, processes (fork children included) and kswapd; a process's sessions are its opens.
    scenarioShape: (p) => ({
      threads: 1 + p.procs.reduce((n, a) => n + processes(a), 0) + (p.kswapd === true ? 1 : 0),
      sessions: Math.max(1, ...p.procs.map((a) => a.filter((x) => x.op === 'open').length)),
    }),
    final: kvmapFinal,
    inspect: kvmapInspect,
    leakCheck: false,
    source: [d.source, procThread, loaderThread, kswapdThread, lock_kernel, unlock_kernel, sleepingLock].map(String).join('\n'),
    ...(d.expectedBugs ? { expectedBugs: d.expectedBugs } : {}),
    ...(d.proofs ? { proofs: d.proofs } : {}),
  });
}
