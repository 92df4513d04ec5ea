/**
 * The sandbox every CLI command runs model code in (check, replay, report, minimize, the campaign's
 * reports and hang re-checks): a worker thread with a heap cap (V8's resourceLimits) watched by the
 * progress watchdog (watchdog.ts). JavaScript cannot interrupt a model that loops without yielding
 * or allocates without bound, and the main thread must stay able to say so; a token is untrusted
 * input, so whatever it makes the model do ends as one line and exit code 2:
 *   - heap cap exceeded (or, for ArrayBuffers outside the heap, the process's resident memory):
 *     "model exceeded its N MB heap limit";
 *   - CPU time without finishing an execution: "ran N s of CPU without finishing an execution",
 *     with a replay token of the hung execution when the job recorded its schedule;
 *   - no progress and no CPU while this process runs: a stall (never reported as the model's hang);
 *   - the worker exiting or throwing outside a job: one line naming what happened.
 * A pause of the whole process (SIGSTOP, a frozen cgroup) burns no CPU and is none of these.
 * Leaves out: what the jobs do (sandbox-jobs.ts).
 */
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { thrownText } from '../engine/thrown.js';
import { encodeToken } from '../engine/token.js';
import { UsageError } from '../engine/violation.js';
import { type FlagSpec, type FlagValues, num, str } from './args.js';
import { LOAD_TIMEOUT_MS } from './resolve.js';
import type { JobOutputs, JobTarget, SandboxJob } from './sandbox-jobs.js';
import type { SandboxInit } from './sandbox-worker.js';
import { tapBuffer, tappedSchedule } from './schedule-tap.js';
import { ProgressWatch, stallLimit } from './watchdog.js';

/** Default heap cap of a sandbox worker (MB): far above any seed scenario, far below the machine. */
export const DEFAULT_HEAP_MB = 1024;
/** Default CPU time an execution may take (ms). */
export const DEFAULT_WATCHDOG_MS = 30_000;
/** Longest schedule the tap keeps for a hang token. */
const TAP_DECISIONS = 200_000;

export interface SandboxOptions {
  /** User modules to import in the worker first (--load), and how long their top-level code may take. */
  readonly load?: readonly string[];
  readonly loadTimeoutMs?: number;
  readonly heapMb?: number;
  /** CPU time one execution may take before it counts as hung. */
  readonly watchdogMs?: number;
  /** How messages name what ran, e.g. `model 'litmus/abba'`. */
  readonly what: string;
  /** Check jobs: told what runs (model, hash, scenario key, strategy, seed) once it starts. */
  readonly onTarget?: (t: JobTarget) => void;
}

/** A sandbox verdict that is not a result: why the job was stopped. */
export class SandboxStop extends UsageError {
  constructor(message: string, readonly reason: 'heap' | 'memory' | 'hang' | 'stall' | 'exit', readonly hangToken: string | null = null) {
    super(message);
  }
}

const secs = (ms: number): string => `${Math.round(ms / 1000)} s`;

/** The flags of every command that runs model code. */
export const SANDBOX_FLAGS: Readonly<Record<string, FlagSpec>> = {
  load: { type: 'string', help: 'a JS module exporting `models` (your own defineModel values)' },
  'max-heap': { type: 'int', min: 16, help: `heap limit of the model's worker, in MB (default ${DEFAULT_HEAP_MB})` },
  watchdog: { type: 'duration', help: `CPU time one execution may take before it counts as hung (default ${DEFAULT_WATCHDOG_MS / 1000}s)` },
  'load-timeout': { type: 'duration', help: `time a --load module's top-level code may take (default ${LOAD_TIMEOUT_MS / 1000}s)` },
};

/** SandboxOptions from those flags (a relative --load path is taken from `cwd`). */
export function sandboxOptions(f: FlagValues, cwd: string, what: string): SandboxOptions {
  const load = str(f, 'load');
  const heapMb = num(f, 'max-heap');
  const watchdogMs = num(f, 'watchdog');
  const loadTimeoutMs = num(f, 'load-timeout');
  return {
    what, ...(load !== undefined ? { load: [resolve(cwd, load)] } : {}), ...(loadTimeoutMs !== undefined ? { loadTimeoutMs } : {}),
    ...(heapMb !== undefined ? { heapMb } : {}), ...(watchdogMs !== undefined ? { watchdogMs } : {}),
  };
}

/** Run `job` in a fresh sandbox worker; its output, or a UsageError saying why there is none. */
export function runSandboxed<K extends SandboxJob['kind']>(job: SandboxJob & { readonly kind: K }, o: SandboxOptions): Promise<JobOutputs[K]> {
  const heapMb = o.heapMb ?? DEFAULT_HEAP_MB;
  const hangMs = o.watchdogMs ?? DEFAULT_WATCHDOG_MS;
  const heartbeat = new Int32Array(new SharedArrayBuffer(4));
  const tap = job.kind === 'check' ? tapBuffer(TAP_DECISIONS) : null;
  const init: SandboxInit = { job, load: o.load ?? [], loadTimeoutMs: o.loadTimeoutMs ?? LOAD_TIMEOUT_MS, heartbeat, tap };
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(new URL('./sandbox-worker.js', import.meta.url), { workerData: init, execArgv, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  const watch = new ProgressWatch(heartbeat, { hangMs, stallMs: stallLimit(hangMs) });
  const rssLimit = (2 * heapMb + 512) * 1024 * 1024;
  let target: JobTarget | null = null;
  let loading = (o.load ?? []).length > 0;
  let settled = false;

  return new Promise<JobOutputs[K]>((resolve, reject) => {
    const finish = (err: Error | null, value?: JobOutputs[K]): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      void worker.terminate();
      if (err) reject(err);
      else resolve(value as JobOutputs[K]);
    };
    const during = (): string => (loading ? ` while loading ${(o.load ?? []).join(', ')}` : '');
    const hangToken = (): string | null => {
      const steps = tap ? tappedSchedule(tap) : null;
      if (!target || !steps) return null;
      try {
        return encodeToken({ ...target, steps });
      } catch {
        return null;
      }
    };
    const timer = setInterval(() => {
      if (process.memoryUsage.rss() > rssLimit) {
        finish(new SandboxStop(`${o.what} exceeded ${Math.round(rssLimit / 2 ** 20)} MB of memory${during()} (outside the JS heap: ArrayBuffers?); raise --max-heap if the scenario really needs it`, 'memory'));
        return;
      }
      const v = watch.check();
      if (v === 'hang') {
        if (loading) {
          finish(new SandboxStop(`${o.what}: loading ${(o.load ?? []).join(', ')} used ${secs(hangMs)} of CPU time without finishing (does its top-level code loop?)`, 'hang'));
          return;
        }
        const token = hangToken();
        finish(new SandboxStop(`${o.what} exceeded ${secs(hangMs)} of CPU time without finishing an execution: a thread loops without yielding an op (add yieldNow() in the loop so the step bound can catch it)${token ? `; replay: npx mapcheck replay ${token}` : ''}`, 'hang', token));
      } else if (v === 'stall') {
        finish(new SandboxStop(`${o.what} made no progress for ${secs(watch.silentMs)} while using no CPU${during()} (blocked outside JavaScript, or the machine is overloaded); nothing was found`, 'stall'));
      }
    }, Math.min(1000, Math.max(50, hangMs / 10)));
    worker.on('message', (m: { type: string; tid?: number | null; target?: JobTarget; value?: JobOutputs[K]; usage?: boolean; message?: string }) => {
      if (m.type === 'tid') watch.setThread(m.tid ?? null);
      else if (m.type === 'running') {
        loading = false;
        watch.progress();
      } else if (m.type === 'target' && m.target) {
        target = m.target;
        o.onTarget?.(m.target);
      } else if (m.type === 'result') finish(null, m.value);
      else if (m.type === 'error') finish(m.usage ? new UsageError(m.message ?? 'usage error') : new Error(m.message ?? 'sandbox job failed'));
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(new SandboxStop(`${o.what} exceeded its ${heapMb} MB heap limit${during()}; raise it with --max-heap if the scenario really needs more`, 'heap'));
      } else {
        finish(new SandboxStop(`${o.what}: code outside any execution threw${during()}: ${thrownText(e)}`, 'exit'));
      }
    });
    worker.on('exit', (code) => {
      finish(new SandboxStop(`${o.what}: the sandbox worker exited with code ${code}${during()} before finishing (did model code call process.exit?)`, 'exit'));
    });
  });
}
