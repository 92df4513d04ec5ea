/**
 * `mapcheck bench [--json] [--quick] [--only a,b] [--baseline DIR] [--load file]`: runs bench/ and
 * prints figures side by side, or one JSON object with at least random_vs_bare, random_vs_fastcheck,
 * dpor_steps_per_s, rss_mb (and vs_baseline with --baseline). With `--load`, the sections about
 * models (time to first bug of each `expectedBugs` entry, DPOR exhaustion of each
 * `provedScenarios` entry) run on the loaded models, and by default only those sections (engine
 * throughput is not about your models). Bench measures in this process, so a loaded module runs
 * here, as the built-in models do (no sandbox: a measurement harness, not a checker of untrusted input).
 * Leaves out: the measurements themselves (bench/*.ts).
 */
import { resolve } from 'node:path';
import { benchSections, runBench } from '../../../bench/index.js';
import { UsageError } from '../../engine/violation.js';
import { bool, str } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';
import { LOAD_FLAG, loadFromFlags, loadedModels } from '../load.js';

export const benchCommand: Command = {
  name: 'bench',
  usage: 'bench [--quick] [--only sections] [--json] [--baseline DIR] [--load file]',
  summary: 'measure throughput, DPOR speed, memory, time to first bug',
  flags: {
    quick: { type: 'bool', help: 'small budgets (a smoke run, ~1 min)' },
    only: { type: 'string', help: 'comma-separated sections: throughput,dpor,rss,bugs,... (three-callers runs only when named)' },
    json: { type: 'bool', help: 'print one JSON object (progress goes to stderr)' },
    baseline: { type: 'string', help: 'another mapcheck checkout (with dist/ built) to compare throughput with, side by side' },
    load: { ...LOAD_FLAG, help: `${LOAD_FLAG.help}: time to first bug of their expectedBugs, DPOR exhaustion of their provedScenarios` },
  },
  async run(args, io) {
    const json = bool(args.flags, 'json');
    const load = await loadFromFlags(args.flags, io.cwd);
    const only = str(args.flags, 'only')?.split(',').map((s) => s.trim()).filter(Boolean) ?? (load !== undefined ? ['bugs'] : undefined);
    const unknown = only?.filter((s) => !benchSections().includes(s)) ?? [];
    if (unknown.length > 0) throw new UsageError(`bench --only: no section ${unknown.map((s) => `'${s}'`).join(', ')} (sections: ${benchSections().join(', ')})`);
    const models = load !== undefined ? loadedModels() : undefined;
    if (models && !models.some((m) => (m.expectedBugs?.length ?? 0) > 0 || (m.provedScenarios?.length ?? 0) > 0)) {
      io.err(`mapcheck bench: the models of ${str(args.flags, 'load') ?? ''} declare no expectedBugs and no provedScenarios: nothing model-specific to measure`);
    }
    const baseline = str(args.flags, 'baseline');
    const report = await runBench({
      quick: bool(args.flags, 'quick'), log: (l) => (json ? io.err(l) : io.out(l)), ...(only ? { only } : {}), ...(models ? { models } : {}),
      ...(baseline !== undefined ? { baseline: resolve(io.cwd, baseline) } : {}),
    });
    if (json) io.out(JSON.stringify(report));
    return EXIT_OK;
  },
};
