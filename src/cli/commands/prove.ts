/**
 * `mapcheck prove [--tier ci|prove|all] [--models GLOBS] [--bugs] [--seeds N] [--json]`: runs
 * every proof of the selected models (bench/prove.ts: DPOR exhaustion or DFS within the stated
 * preemption bound) and prints executions and seconds per proof; exit 1 when a proof is not
 * exhaustive within its budget or finds a violation. `--bugs` also prints the time to first bug
 * of every expected bug (portfolio, median over `--seeds` seeds). `npm run prove` runs all tiers
 * of all models with `--bugs` (minutes); the CI tier of each proof also runs in `npm test`.
 * Leaves out: the proofs themselves (ModelDef.proofs / provedScenarios).
 */
import { resolve } from 'node:path';
import { bugTimes, proveAll } from '../../../bench/prove.js';
import { isRunnable } from '../model-info.js';
import { UsageError } from '../../engine/violation.js';
import { bool, num, str } from '../args.js';
import { type Command, EXIT_FOUND, EXIT_OK } from '../command.js';
import { selectModels } from '../fuzz/plan.js';
import { loadModels } from '../resolve.js';

export const proveCommand: Command = {
  name: 'prove',
  usage: 'prove [--tier ci|prove|all] [--models globs] [--load file] [--bugs] [--json]',
  summary: 're-run every stated proof (exit 1 when one is not exhaustive or fails) and time the expected bugs',
  flags: {
    tier: { type: 'string', help: "which proofs: 'ci' (those npm test runs), 'prove' (the big ones) or 'all' (default)" },
    models: { type: 'string', help: 'comma-separated model globs (default every model; with --load, the loaded ones)' },
    load: { type: 'string', help: 'a JS module exporting `models` (your own defineModel values with proofs) to prove' },
    bugs: { type: 'bool', help: 'also time the first finding of every expected bug (portfolio, keep-going)' },
    seeds: { type: 'int', min: 1, help: 'seeds per expected bug for --bugs (default 5; the median is printed)' },
    'bug-budget': { type: 'int', min: 1, help: 'executions per seed before a bug counts as not found (default 5000)' },
    json: { type: 'bool', help: 'print one JSON object (progress goes to stderr)' },
  },
  async run(args, io) {
    const load = str(args.flags, 'load');
    const loaded = load !== undefined ? await loadModels(resolve(io.cwd, load)) : null;
    const tier = str(args.flags, 'tier') ?? 'all';
    if (!['ci', 'prove', 'all'].includes(tier)) throw new UsageError(`prove: --tier must be ci, prove or all (got '${tier}')`);
    const tiers: ('ci' | 'prove')[] = tier === 'all' ? ['ci', 'prove'] : [tier as 'ci' | 'prove'];
    const models = (loaded !== null ? selectModels(str(args.flags, 'models'), loaded) : selectModels(str(args.flags, 'models'))).filter(isRunnable);
    const json = bool(args.flags, 'json');
    const log = (l: string): void => (json ? io.err(l) : io.out(l));
    log(`== proofs (${tiers.join(' + ')} tier)`);
    const proofs = proveAll(models, tiers, log);
    const failed = proofs.filter((p) => !p.ok);
    log(`${proofs.length} proof(s), ${failed.length} failed, ${proofs.reduce((n, p) => n + p.executions, 0)} executions, ${proofs.reduce((n, p) => n + p.seconds, 0).toFixed(0)} s`);
    let bugs: ReturnType<typeof bugTimes> = [];
    if (bool(args.flags, 'bugs')) {
      const seeds = num(args.flags, 'seeds') ?? 5;
      log(`== time to first bug (portfolio, keep-going, median over ${seeds} seeds)`);
      bugs = bugTimes(models, seeds, num(args.flags, 'bug-budget') ?? 5000, log);
    }
    if (json) io.out(JSON.stringify({ proofs, bugs }));
    return failed.length > 0 ? EXIT_FOUND : EXIT_OK;
  },
};
