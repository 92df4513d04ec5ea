/**
 * `mapcheck fuzz [--models <glob>] [--strategies <list>] [--time 10m | --executions N]
 * [--workers N] [--seed S] [--out <dir>] [--resume <dir>] [--shard i/N] [--coverage]`: a fuzz
 * campaign (issue 7; see docs/campaigns.md). Defaults: every model and every scenario, the
 * portfolio plus coverage-guided mutation, 60 s, one worker per core,
 * out = reports/campaign-<timestamp>/. Exit 1 when any bug is known, 0 when none, 2 on bad input
 * or when the campaign cannot write its findings.
 * Leaves out: the campaign itself (src/cli/fuzz/).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { bool, num, str } from '../args.js';
import type { Command } from '../command.js';
import { runCampaign } from '../fuzz/campaign.js';
import { runUnderC8 } from '../fuzz/coverage.js';
import { type FuzzOptions, setupCampaign } from '../fuzz/setup.js';

export const fuzzCommand: Command = {
  name: 'fuzz',
  usage: 'fuzz [--models glob] [--time 10m | --executions N] [--workers N] [--resume dir]',
  summary: 'run a fuzz campaign on every core; exit 1 when a bug is found',
  flags: {
    models: { type: 'string', help: "comma-separated model globs, e.g. 'litmus/*,ioremap-reuse/posted' (default every model)" },
    strategies: { type: 'string', help: 'comma-separated strategies (default portfolio,mutate)' },
    time: { type: 'duration', help: 'wall time of the whole campaign, reports included (default 60s unless --executions)' },
    executions: { type: 'int', min: 1, help: 'stop after this many executions (this session)' },
    workers: { type: 'int', min: 1, help: 'worker threads (default: available cores)' },
    seed: { type: 'int', help: 'base seed; chunk n of shard i/N runs seed base + n*N + i (default 1)' },
    out: { type: 'string', help: 'campaign directory (default reports/campaign-<timestamp>/)' },
    resume: { type: 'string', help: 'continue the campaign in this directory' },
    shard: { type: 'string', help: 'i/N: run shard i (0-based) of N disjoint shards' },
    'shard-count': { type: 'int', min: 1, help: 'number of shards when the index comes from JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID' },
    corpus: { type: 'string', help: 'repository corpus that seeds the campaign (default fuzz/corpus)' },
    pin: { type: 'bool', help: 'pin the smallest token of every bug found into the corpus (and drop stale entries)' },
    coverage: { type: 'bool', help: 'run under c8 and write line/branch coverage of the code of the models that ran to <out>/coverage/' },
    watchdog: { type: 'duration', help: 'CPU time one execution may take before its worker is restarted and the hang re-checked (default 30s)' },
    'max-heap': { type: 'int', min: 16, help: 'heap limit of each worker, in MB (default 192)' },
    'log-interval': { type: 'duration', help: 'seconds between progress lines when not on a terminal (default 5s)' },
    'report-time': { type: 'duration', help: 'minimization budget of each bug\'s report, within --time (default 30s)' },
    depth: { type: 'int', min: 1, help: 'PCT bug depth d' },
    'max-steps': { type: 'int', min: 1, help: 'step bound of one execution (livelock detection)' },
  },
  async run(args, io) {
    const f = args.flags;
    const cwd = process.env.MAPCHECK_FUZZ_CWD ?? io.cwd;
    const n = (k: string): number | undefined => num(f, k);
    const s = (k: string): string | undefined => str(f, k);
    const opt = <T>(k: string, v: T | undefined): Record<string, T> => (v !== undefined ? { [k]: v } : {});
    const o: FuzzOptions = {
      cwd, env: process.env,
      ...opt('models', s('models')), ...opt('strategies', s('strategies')), ...opt('timeMs', n('time')),
      ...opt('executions', n('executions')), ...opt('workers', n('workers')), ...opt('seed', n('seed')),
      ...opt('out', s('out')), ...opt('resume', s('resume')), ...opt('shard', s('shard')), ...opt('shardCount', n('shard-count')),
      ...opt('corpus', s('corpus')), pin: bool(f, 'pin'), ...opt('watchdogMs', n('watchdog')),
      ...opt('logEveryS', n('log-interval') !== undefined ? (n('log-interval') as number) / 1000 : undefined),
      ...opt('reportBudgetMs', n('report-time')), ...opt('depth', n('depth')), ...opt('maxSteps', n('max-steps')),
      ...opt('heapMb', n('max-heap')),
    };
    if (bool(f, 'coverage')) {
      // Validate everything first (bad input must fail before c8 starts), then re-run under c8; the
      // child takes the directory's lock itself.
      const setup = setupCampaign(o);
      setup.lock.release();
      const rest = process.argv.slice(process.argv.indexOf('fuzz') + 1).filter((a) => a !== '--coverage');
      const out = o.resume ?? setup.dir;
      const dir = isAbsolute(out) ? out : resolve(cwd, out);
      const filtered = removeFlag(removeFlag(rest, '--out'), '--resume');
      const designs = [...new Set(setup.models.map((m) => m.name.split('/')[0] ?? m.name))];
      const code = await runUnderC8(o.resume !== undefined ? [...filtered, '--resume', dir] : filtered, dir, cwd, designs);
      io.out(`coverage of the model code: ${join(dir, 'coverage', 'index.html')} (summary: ${join(dir, 'coverage', 'coverage-summary.json')})`);
      return code;
    }
    const r = await runCampaign(setupCampaign(o), io, true);
    return r.exit;
  },
};

function removeFlag(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === flag) i++;
    else if (!a.startsWith(`${flag}=`)) out.push(a);
  }
  return out;
}
