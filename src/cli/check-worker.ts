/**
 * Worker-thread body for `mapcheck check`: runs one check and posts heartbeats, so the main thread
 * can stop a model that loops forever without yielding an op (JS cannot interrupt a busy loop in
 * the same thread). Messages: `{ type: 'progress', executions }` at most every 250 ms, then
 * `{ type: 'result', result }` or `{ type: 'error', usage, message }`.
 * Leaves out: report writing (the main thread does it from the token).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { check } from '../check.js';
import type { MemoryModelName } from '../engine/exec-types.js';
import { UsageError } from '../engine/violation.js';
import { loadModels, resolveModel } from './resolve.js';

export interface CheckJob {
  readonly model: string;
  readonly scenario?: string;
  readonly strategy: string;
  readonly seed: number;
  readonly depth?: number;
  readonly preemptionBound?: number;
  readonly delayBound?: number;
  readonly maxExecutions: number;
  readonly deadline?: number;
  readonly maxSteps?: number;
  readonly memoryModel?: MemoryModelName;
  /** A user module (absolute path) whose `models` export adds models to the registry. */
  readonly load?: string;
}

async function runJob(job: CheckJob): Promise<void> {
  const port = parentPort;
  if (!port) return;
  let last = Date.now();
  try {
    if (job.load !== undefined) await loadModels(job.load);
    const model = resolveModel(job.model);
    const r = check(model, {
      strategy: job.strategy, seed: job.seed, maxExecutions: job.maxExecutions,
      ...(job.scenario !== undefined ? { scenario: job.scenario } : {}),
      ...(job.depth !== undefined ? { depth: job.depth } : {}),
      ...(job.preemptionBound !== undefined ? { preemptionBound: job.preemptionBound } : {}),
      ...(job.delayBound !== undefined ? { delayBound: job.delayBound } : {}),
      ...(job.deadline !== undefined ? { deadline: job.deadline } : {}),
      ...(job.maxSteps !== undefined ? { maxSteps: job.maxSteps } : {}),
      ...(job.memoryModel !== undefined ? { memoryModel: job.memoryModel } : {}),
      onExecution: (_r, i) => {
        const now = Date.now();
        if (now - last > 250) {
          last = now;
          port.postMessage({ type: 'progress', executions: i });
        }
      },
    });
    port.postMessage({ type: 'result', result: r });
  } catch (e) {
    port.postMessage({ type: 'error', usage: e instanceof UsageError, message: e instanceof Error ? e.message : String(e) });
  }
}

if (parentPort && workerData) void runJob(workerData as CheckJob);
