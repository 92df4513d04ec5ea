/**
 * Worker-thread body of the sandbox (sandbox.ts): before anything else it tells the main thread its
 * OS thread id (so the watchdog can read its CPU time) and starts counting executions into the
 * shared heartbeat; then it imports the job code and runs the job (sandbox-jobs.ts). Messages:
 * `{ type: 'tid', tid }`, `{ type: 'target', target }` (check jobs), `{ type: 'running' }` (user
 * modules are loaded), then `{ type: 'result', value }` or `{ type: 'error', usage, message }`.
 * Leaves out: limits and verdicts (the main thread's).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { countExecutionsInto } from '../engine/heartbeat.js';
import { describeThrown } from '../engine/thrown.js';
import type { SandboxJob } from './sandbox-jobs.js';
import { ownThreadId } from './watchdog.js';

export interface SandboxInit {
  readonly job: SandboxJob;
  readonly load: readonly string[];
  readonly loadTimeoutMs: number;
  readonly heartbeat: Int32Array;
  /** Check jobs: where the running execution's decisions are mirrored (schedule-tap.ts). */
  readonly tap: Int32Array | null;
}

const port = parentPort;
if (port && workerData) {
  port.postMessage({ type: 'tid', tid: ownThreadId() });
  const init = workerData as SandboxInit;
  countExecutionsInto(init.heartbeat);
  try {
    const { runJob } = await import('./sandbox-jobs.js');
    const value = await runJob(init.job, init.load, init.loadTimeoutMs, init.tap, (target) => port.postMessage({ type: 'target', target }), () => port.postMessage({ type: 'running' }));
    port.postMessage({ type: 'result', value });
  } catch (e) {
    const t = describeThrown(e);
    port.postMessage({ type: 'error', usage: t.usage, message: t.text });
  }
}
