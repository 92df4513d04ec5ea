/**
 * The messages between a campaign's main thread and its worker threads (plain structured-clone
 * data). Main -> worker: `chunk` (run this deterministic piece of work), `stop`. Worker -> main:
 * `progress` (executions done since the last message, new coverage keys with a few tokens, repeat
 * counts of bugs it already reported), `finding` (a new or smaller counterexample), `chunk-done`,
 * `error`. Batching keeps the message rate near 5 per second per worker whatever the execution
 * rate, so two workers scale like two cores.
 * Leaves out: nothing; the protocol is this file.
 */
import type { Target } from './plan.js';

export interface WorkerInit {
  readonly worker: number;
  readonly targets: readonly Target[];
  /** Per target: schedules of corpus entries, seeds of the mutation strategy. */
  readonly seeds: readonly (readonly (readonly number[])[])[];
  readonly depth?: number;
  readonly maxSteps?: number;
  /** The user's model file (--load, absolute): each worker imports it before resolving targets. */
  readonly load?: string;
  /** Milliseconds between progress messages. */
  readonly progressMs: number;
}

export interface ChunkMsg {
  readonly type: 'chunk';
  readonly n: number;
  readonly target: number;
  readonly strategy: string;
  readonly seed: number;
  readonly maxExecutions: number;
  /** Time budget of the chunk from when the worker starts it (Infinity = none). */
  readonly timeMs: number;
  /** Epoch ms at which the campaign ends (Infinity = no time limit). */
  readonly until: number;
}

export type ToWorker = ChunkMsg | { readonly type: 'stop' };

export interface CoverItem {
  readonly target: number;
  readonly key: number;
  /** Replay token of the execution that reached it (only for the first few per target). */
  readonly token?: string;
}

export interface FindingMsg {
  readonly type: 'finding';
  readonly signature: string;
  readonly model: string;
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  readonly kind: string;
  readonly title: string;
  readonly message: string;
  readonly sites: readonly string[];
  readonly objectKind: string;
  readonly token: string;
  readonly steps: number;
  readonly preemptions: number;
  /** Ids of the model's declared bugs this occurrence shows. */
  readonly known: readonly string[];
}

export interface ProgressMsg {
  readonly type: 'progress';
  readonly executions: number;
  readonly cover: readonly CoverItem[];
  /** [signature, extra occurrences] of bugs this worker already reported. */
  readonly repeats: readonly (readonly [string, number])[];
  /** Chunk running and its execution index, for the watchdog's message. */
  readonly chunk: number;
  readonly execution: number;
}

export interface ChunkDoneMsg {
  readonly type: 'chunk-done';
  readonly n: number;
  /** A systematic strategy explored everything for this target. */
  readonly exhaustive: boolean;
}

export interface ErrorMsg {
  readonly type: 'error';
  readonly usage: boolean;
  readonly message: string;
  readonly n: number;
}

export type FromWorker = ProgressMsg | FindingMsg | ChunkDoneMsg | ErrorMsg;
