/**
 * `mapcheck check <model> [--strategy S] [--budget N] [--time D] [--seed S] [--depth D]
 * [--preemption-bound K] [--delay-bound K] [--scenario NAME|JSON] [--json] [--watchdog D]`: one run
 * of one model.
 * Exit 0 when no violation was found, 1 when one was, 2 on a usage error. The run happens in the
 * sandbox (sandbox.ts): a worker with a heap cap, watched by the CPU-time watchdog, so a model stuck
 * in a loop that never yields an op, or allocating without bound, ends with a one-line error
 * (exit 2) instead of a hang or a crash; a scenario outside the model's params schema is refused
 * before any model code runs.
 * Leaves out: minimized reports (written by the report stage when it is registered).
 */
import type { ExploreResult } from '../../engine/explore.js';
import { UsageError } from '../../engine/violation.js';
import { STRATEGY_NAMES, makeStrategy } from '../../strategies/index.js';
import { bool, num, str } from '../args.js';
import { type CliIO, type Command, EXIT_FOUND, EXIT_OK } from '../command.js';
import { type ResultJson, resultJson, resultText, strategyOptions } from '../resolve.js';
import type { CheckJob } from '../sandbox-jobs.js';
import { SANDBOX_FLAGS, runSandboxed, sandboxOptions } from '../sandbox.js';

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
    'delay-bound': { type: 'int', help: 'delay: iterative delay bound K (at most K delays of the round-robin scheduler)' },
    scenario: { type: 'string', help: 'scenario name (see mapcheck list) or JSON parameters' },
    'max-steps': { type: 'int', min: 1, help: 'step bound of one execution (livelock detection)' },
    'report-dir': { type: 'string', help: 'where reports of findings are written (default reports/)' },
    'no-report': { type: 'bool', help: 'do not write a report for a finding' },
    json: { type: 'bool', help: 'print one JSON object' },
    ...SANDBOX_FLAGS,
  },
  async run(args, io) {
    const [name, extra] = args.positional;
    if (name === undefined) throw new UsageError('check: which model? (run mapcheck list)');
    if (extra !== undefined) throw new UsageError(`check: unexpected argument '${extra}'`);
    makeStrategy(str(args.flags, 'strategy') ?? 'portfolio', {}); // an unregistered strategy is a usage error before any worker starts
    const scenario = str(args.flags, 'scenario');
    const time = num(args.flags, 'time');
    const maxSteps = num(args.flags, 'max-steps');
    const job: CheckJob = {
      kind: 'check', model: name, strategy: str(args.flags, 'strategy') ?? 'portfolio', ...strategyOptions(args.flags),
      maxExecutions: num(args.flags, 'budget') ?? (time !== undefined ? Number.MAX_SAFE_INTEGER : 10_000),
      ...(scenario !== undefined ? { scenario } : {}),
      ...(time !== undefined ? { deadline: Date.now() + time } : {}),
      ...(maxSteps !== undefined ? { maxSteps } : {}),
    };
    // The model, its scenario (checked against its params schema) and any --load module are
    // resolved in the sandbox worker: no model code runs in this thread.
    const r = await runSandboxed(job, sandboxOptions(args.flags, io.cwd, `model '${name}'`));
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
