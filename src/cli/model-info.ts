/**
 * What the CLI's main thread knows of a user's model without running its code: the plain data
 * of a `--load` model (name, hash, scenarios, known bugs, ...), read in a sandbox worker
 * (sandbox-jobs.ts' `describe` job) and sent back. Listing models, planning a campaign (targets,
 * corpus staleness, known bugs, pinning) and printing commands need only this, so a user's module
 * is imported only where model code may run: in a sandbox worker with a heap cap and a watchdog.
 * Built-in models are their own ModelInfo (a model has every field).
 * Leaves out: running anything (threads, setup, invariants stay in the worker); asking a worker
 * for the data (describe.ts).
 */
import type { AnyModel, ExpectedBug, Json } from '../engine/model.js';
import { type ProofListing, proofListings } from './proof-listing.js';


export interface ModelInfo {
  readonly name: string;
  readonly hash: number;
  readonly description?: string;
  readonly seed?: string;
  readonly scenarios: Readonly<Record<string, Json>>;
  readonly defaultScenario: string;
  readonly expectedBugs?: readonly ExpectedBug[];
  readonly provedScenarios?: readonly string[];
  /** The proofs it states, as listings show them (a described model's; a runnable one computes them). */
  readonly proofListings?: readonly ProofListing[];
}

/** Is `m` a whole model (built-in, or imported in this thread) rather than a sandbox's description? */
export function isRunnable(m: ModelInfo): m is AnyModel {
  return typeof (m as Partial<AnyModel>).threads === 'function' && typeof (m as Partial<AnyModel>).setup === 'function';
}

/** The plain data of `m` (structured-cloneable: no functions). */
export function infoOf(m: AnyModel): ModelInfo {
  return {
    name: m.name, hash: m.hash, scenarios: { ...(m.scenarios as Record<string, Json>) }, defaultScenario: m.defaultScenario,
    ...(m.description !== undefined ? { description: m.description } : {}),
    ...(m.seed !== undefined ? { seed: m.seed } : {}),
    ...(m.expectedBugs !== undefined ? { expectedBugs: m.expectedBugs.map((b) => ({ ...b, kinds: [...b.kinds] })) } : {}),
    ...(m.provedScenarios !== undefined ? { provedScenarios: [...m.provedScenarios] } : {}),
    proofListings: proofListings(m),
  };
}

/** What a `describe` job sends back: each --load file (absolute) with its models' data. */
export interface Described {
  readonly file: string;
  readonly models: readonly ModelInfo[];
}
