/**
 * The messages between a campaign's main thread and its worker threads (plain structured-clone
 * data). Main -> worker: `chunk` (run this deterministic piece of work), `minimize` (minimize one
 * bug's token and render its report), `stop`. Worker -> main: `progress` (executions done since the
 * last message, new coverage keys with a few tokens, repeat counts of bugs it already reported),
 * `finding` (a new or smaller counterexample), `chunk-done`, `report` (a minimize job's result),
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
  /** Milliseconds between progress messages. */
  readonly progressMs: number;
  /** Set by the pool: the engine's execution count (watchdog heartbeat), and the running execution's decisions. */
  readonly heartbeat?: Int32Array;
  readonly tap?: Int32Array;
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

/** Minimize one bug's smallest token (within `budgetMs`; 0 = render it as recorded) and render its report. */
export interface MinimizeMsg {
  readonly type: 'minimize';
  /** Job number (from MINIMIZE_JOB_BASE up: never a chunk number). */
  readonly n: number;
  readonly signature: string;
  readonly model: string;
  readonly token: string;
  readonly budgetMs: number;
  /** Why the report is not minimized when budgetMs is 0. */
  readonly reason: string;
  /** Expected-bug id the report demonstrates. */
  readonly bug?: string;
  /** How long the pool's watchdog waits for this job. */
  readonly watchdogMs: number;
}

/** Job numbers of minimize jobs start here (chunk numbers never get this far). */
export const MINIMIZE_JOB_BASE = 2 ** 45;

export type Job = ChunkMsg | MinimizeMsg;
export type ToWorker = Job | { readonly type: 'stop' };

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
  /** The signature's parts (signature.ts), readable in the record. */
  readonly parts: { readonly where: readonly string[]; readonly allocated: string; readonly freed: string; readonly what: string };
  /** A short readable name of the bug (signature.ts bugName). */
  readonly bug: string;
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

/** The result of a minimize job: the rendered report and what minimization achieved. */
export interface ReportMsg {
  readonly type: 'report';
  readonly n: number;
  readonly signature: string;
  /** Rendered report, or null when no report could be built (error says why). */
  readonly files: { readonly md: string; readonly html: string; readonly json: string } | null;
  readonly status: 'minimized' | 'partly-minimized' | 'not-minimized';
  /** Token the report shows (the minimized one, or the input when not minimized). */
  readonly token: string;
  readonly steps: number;
  readonly preemptions: number;
  readonly from: { readonly steps: number; readonly preemptions: number };
  readonly reason?: string;
  readonly elapsedMs: number;
  readonly error?: string;
}

/** The worker's OS thread id, first thing (the watchdog reads its CPU time); null off Linux. */
export interface TidMsg {
  readonly type: 'tid';
  readonly tid: number | null;
}

export type FromWorker = ProgressMsg | FindingMsg | ChunkDoneMsg | ReportMsg | ErrorMsg | TidMsg;
