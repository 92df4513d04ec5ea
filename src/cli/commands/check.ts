/**
 * `mapcheck check <model> [--strategy S] [--budget N] [--time D] [--seed S] [--depth D]
 * [--preemption-bound K] [--scenario NAME|JSON] [--json] [--watchdog D]`: one run of one model.
 * Exit 0 when no violation was found, 1 when one was, 2 on a usage error. The run happens in a
 * worker thread watched by a watchdog, so a model stuck in a loop that never yields an op ends
 * with a one-line error instead of a hang.
 * Leaves out: minimized reports (written by the report stage when it is registered).
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExploreResult } from '../../engine/explore.js';
import { UsageError } from '../../engine/violation.js';
import { scenarioParams } from '../../engine/model.js';
import { STRATEGY_NAMES, makeStrategy } from '../../strategies/index.js';
import { bool, num, str } from '../args.js';
import { type CliIO, type Command, EXIT_FOUND, EXIT_OK } from '../command.js';
import type { CheckJob } from '../check-worker.js';
import { type ResultJson, loadModels, resolveModel, resultJson, resultText, strategyOptions } from '../resolve.js';

/** Run a check job in a worker; rejects with UsageError when the watchdog fires. */
export function runCheckJob(job: CheckJob, watchdogMs: number, onProgress?: (executions: number) => void): Promise<ExploreResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('../check-worker.js', import.meta.url), { workerData: job });
    let timer: NodeJS.Timeout | undefined;
    let lastExec = 0;
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        void w.terminate();
        reject(new UsageError(`model '${job.model}' made no progress for ${Math.round(watchdogMs / 1000)} s during execution ${lastExec + 1} (seed ${job.seed}): a thread probably loops without yielding an op; add a yield (e.g. yieldNow()) in the loop so the step bound can catch it`));
      }, watchdogMs);
    };
    arm();
    w.on('message', (m: { type: string; executions?: number; result?: ExploreResult; usage?: boolean; message?: string }) => {
      if (m.type === 'progress') {
        lastExec = m.executions ?? lastExec;
        onProgress?.(lastExec);
        arm();
      } else {
        if (timer) clearTimeout(timer);
        void w.terminate();
        if (m.type === 'result' && m.result) resolve(m.result);
        else reject(m.usage ? new UsageError(m.message ?? 'usage error') : new Error(m.message ?? 'worker failed'));
      }
    });
    w.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
  });
}

/** Hook run after a check finds something (the report stage registers itself here). */
export type FindingHook = (r: ExploreResult, flags: Record<string, unknown>, io: CliIO) => Promise<string | undefined>;
const hooks: FindingHook[] = [];
export function onFinding(h: FindingHook): void {
  hooks.push(h);
}

export const checkCommand: Command = {
  name: 'check',
  usage: 'check <model> [--strategy S] [--budget N] [--seed S] [--json]',
  summary: 'explore a model\'s interleavings; exit 1 when a violation is found',
  flags: {
    strategy: { type: { oneOf: STRATEGY_NAMES }, help: `exploration strategy: ${STRATEGY_NAMES.join('|')} (default portfolio)` },
    budget: { type: 'int', min: 1, help: 'maximum executions (default 10000)' },
    time: { type: 'duration', help: 'stop after this long (e.g. 30s, 5m)' },
    seed: { type: 'int', help: 'seed of the randomized strategies (default 1)' },
    depth: { type: 'int', min: 1, help: 'PCT bug depth d (default 3)' },
    'preemption-bound': { type: 'int', help: 'DFS: iterative preemption bound K' },
    scenario: { type: 'string', help: 'scenario name (see mapcheck list) or JSON parameters' },
    'max-steps': { type: 'int', min: 1, help: 'step bound of one execution (livelock detection)' },
    watchdog: { type: 'duration', help: 'abort when no execution finishes for this long (default 30s)' },
    'report-dir': { type: 'string', help: 'where reports of findings are written (default reports/)' },
    'no-report': { type: 'bool', help: 'do not write a report for a finding' },
    load: { type: 'string', help: 'a JS module exporting `models` (your own defineModel values) to check' },
    json: { type: 'bool', help: 'print one JSON object' },
  },
  async run(args, io) {
    const [name, extra] = args.positional;
    if (name === undefined) throw new UsageError('check: which model? (run mapcheck list)');
    if (extra !== undefined) throw new UsageError(`check: unexpected argument '${extra}'`);
    const load = str(args.flags, 'load');
    const loadPath = load !== undefined ? resolve(io.cwd, load) : undefined;
    if (loadPath !== undefined) await loadModels(loadPath);
    const model = resolveModel(name);
    const scenario = str(args.flags, 'scenario');
    scenarioParams(model, scenario); // a bad scenario is a usage error before any worker starts
    makeStrategy(str(args.flags, 'strategy') ?? 'portfolio', {}); // likewise an unregistered strategy
    const time = num(args.flags, 'time');
    const maxSteps = num(args.flags, 'max-steps');
    const job: CheckJob = {
      model: model.name, strategy: str(args.flags, 'strategy') ?? 'portfolio', ...strategyOptions(args.flags),
      maxExecutions: num(args.flags, 'budget') ?? (time !== undefined ? Number.MAX_SAFE_INTEGER : 10_000),
      ...(scenario !== undefined ? { scenario } : {}),
      ...(time !== undefined ? { deadline: Date.now() + time } : {}),
      ...(maxSteps !== undefined ? { maxSteps } : {}),
      ...(loadPath !== undefined ? { load: loadPath } : {}),
    };
    const r = await runCheckJob(job, num(args.flags, 'watchdog') ?? 30_000);
    const sv = r.finding?.violation;
    // A scenario the model's setup refuses (its schema check threw a UsageError) is bad input, not a finding.
    if (sv && sv.kind === 'usage' && sv.step < 0 && sv.threads.length === 0) throw new UsageError(sv.message.replace(/^setup of \S+ threw: /, ''));
    const j: ResultJson = resultJson(r);
    if (r.finding && !bool(args.flags, 'no-report')) {
      for (const h of hooks) {
        const path = await h(r, args.flags, io);
        if (path) j.report = path;
      }
    }
    io.out(bool(args.flags, 'json') ? JSON.stringify(j) : resultText(j));
    return r.finding ? EXIT_FOUND : EXIT_OK;
  },
};
