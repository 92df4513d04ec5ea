/**
 * `mapcheck bench [--json] [--quick] [--only a,b] [--baseline DIR]`: runs bench/ and prints figures
 * side by side, or one JSON object with at least random_vs_bare, random_vs_fastcheck,
 * dpor_steps_per_s, rss_mb (and vs_baseline with --baseline).
 * Leaves out: the measurements themselves (bench/*.ts).
 */
import { resolve } from 'node:path';
import { runBench } from '../../../bench/index.js';
import { bool, str } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';

export const benchCommand: Command = {
  name: 'bench',
  usage: 'bench [--quick] [--only sections] [--json] [--baseline DIR]',
  summary: 'measure throughput, DPOR speed, memory, time to first bug',
  flags: {
    quick: { type: 'bool', help: 'small budgets (a smoke run, ~1 min)' },
    only: { type: 'string', help: 'comma-separated sections: throughput,dpor,rss,bugs,...' },
    json: { type: 'bool', help: 'print one JSON object (progress goes to stderr)' },
    baseline: { type: 'string', help: 'another mapcheck checkout (with dist/ built) to compare throughput with, side by side' },
  },
  async run(args, io) {
    const json = bool(args.flags, 'json');
    const only = str(args.flags, 'only')?.split(',').map((s) => s.trim()).filter(Boolean);
    const baseline = str(args.flags, 'baseline');
    const report = await runBench({
      quick: bool(args.flags, 'quick'), log: (l) => (json ? io.err(l) : io.out(l)), ...(only ? { only } : {}),
      ...(baseline !== undefined ? { baseline: resolve(io.cwd, baseline) } : {}),
    });
    if (json) io.out(JSON.stringify(report));
    return EXIT_OK;
  },
};
