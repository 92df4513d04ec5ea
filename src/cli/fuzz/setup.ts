/**
 * Campaign setup: turns `mapcheck fuzz` options into everything a campaign needs, checking bad
 * input before any work starts (each a one-line UsageError, exit code 2): unknown model globs or
 * strategies, a `--resume` directory that is not a campaign, of an older version, or options that
 * contradict it, a corrupt corpus or finding file (or one that no longer describes its own token),
 * an `--out` that cannot be written. A new campaign gets
 * `reports/campaign-<timestamp>/` unless `--out` says otherwise; a resumed one keeps its models,
 * strategies, seed, shard, counters, coverage, findings and chunk sequence.
 * The corpus seeds the mutation strategy: the repository corpus (`fuzz/corpus`) plus, when
 * resuming, the campaign's own; entries of changed models are skipped and counted in a note.
 * Leaves out: running the campaign (campaign.ts).
 */
import type { MemoryModelName } from '../../engine/exec-types.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { AnyModel } from '../../engine/model.js';
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { loadCorpus } from './corpus.js';
import { assertWritable } from './files.js';
import { type Shard, type Target, parseStrategies, resolveShard, selectModels, targetsOf } from './plan.js';
import { type CampaignState, STATE_FORMAT, STATE_VERSION, readCoverage, readState, statePath } from './state.js';
import { type FindingRecord, readFindings } from './store.js';
import { verifyFindings } from './verify.js';

export interface FuzzOptions {
  readonly models?: string;
  readonly strategies?: string;
  readonly timeMs?: number;
  readonly executions?: number;
  readonly workers?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly resume?: string;
  readonly shard?: string;
  readonly shardCount?: number;
  /** Repository corpus (default fuzz/corpus). */
  readonly corpus?: string;
  readonly pin?: boolean;
  readonly watchdogMs?: number;
  readonly logEveryS?: number;
  readonly reportBudgetMs?: number;
  readonly depth?: number;
  readonly maxSteps?: number;
  /** The memory model every execution runs under (default sc). */
  readonly memoryModel?: MemoryModelName;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface Setup {
  readonly dir: string;
  readonly resumed: boolean;
  readonly state: CampaignState;
  readonly models: readonly AnyModel[];
  readonly targets: readonly Target[];
  readonly strategies: readonly string[];
  readonly shard: Shard;
  readonly workers: number;
  readonly timeMs?: number;
  readonly executions?: number;
  readonly seeds: number[][][];
  readonly findings: readonly FindingRecord[];
  readonly coverage: Set<number>;
  readonly notes: string[];
  readonly watchdogMs: number;
  readonly logEveryS: number;
  readonly reportBudgetMs: number;
  readonly depth?: number;
  readonly maxSteps?: number;
  readonly memoryModel?: MemoryModelName;
  readonly pin: boolean;
  readonly pinDir: string;
}

const MAX_SEEDS_PER_TARGET = 64;
/** Default minimization budget of one bug's report (the default campaign's bugs reach the fixed point well within it). */
export const REPORT_BUDGET_MS = 30_000;

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
}

function same(flag: string, given: string | number | undefined, kept: string | number, dir: string): void {
  if (given !== undefined && String(given) !== String(kept)) {
    throw new UsageError(`--resume ${dir}: the campaign was started with --${flag} ${kept}; a resumed campaign keeps it (start a new one to change it)`);
  }
}

export function setupCampaign(o: FuzzOptions): Setup {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(o.cwd, p));
  const notes: string[] = [];
  let state: CampaignState;
  let dir: string;
  let shard: Shard;
  const resumed = o.resume !== undefined;
  if (o.resume !== undefined) {
    dir = abs(o.resume);
    if (o.out !== undefined && abs(o.out) !== dir) throw new UsageError('--out and --resume name different directories: a resumed campaign writes into its own directory');
    state = readState(dir);
    same('models', o.models, state.models ?? '', dir);
    same('strategies', o.strategies, state.strategies.join(','), dir);
    same('seed', o.seed, state.seed, dir);
    if (o.shard !== undefined) same('shard', o.shard, `${state.shard.index}/${state.shard.count}`, dir);
    shard = { ...state.shard, source: 'resumed' };
  } else {
    dir = abs(o.out ?? join('reports', `campaign-${stamp()}`));
    if (existsSync(statePath(dir))) throw new UsageError(`${dir} already holds a campaign: continue it with --resume ${o.out ?? dir}, or choose another --out`);
    shard = resolveShard(o.shard, o.shardCount, o.env);
    const now = new Date().toISOString();
    state = {
      format: STATE_FORMAT, version: STATE_VERSION, created: now, updated: now, models: o.models ?? null,
      strategies: parseStrategies(o.strategies), seed: o.seed ?? 1, shard: { index: shard.index, count: shard.count },
      executions: 0, elapsed_s: 0, next_chunk: 0, sessions: 0, coverage: 0, exhausted: [], hung: [], finished: false,
    };
  }
  const models = selectModels(state.models ?? undefined);
  parseStrategies(state.strategies.join(','));
  const targets = targetsOf(models);

  const pinDir = abs(o.corpus ?? join('fuzz', 'corpus'));
  const seeds: number[][][] = targets.map(() => []);
  const index = new Map(targets.map((t, i) => [`${t.model}\u0001${t.scenario}`, i]));
  for (const cdir of resumed ? [pinDir, join(dir, 'corpus')] : [pinDir]) {
    const c = loadCorpus(cdir);
    if (c.stale.length) notes.push(`${c.stale.length} corpus entr${c.stale.length === 1 ? 'y' : 'ies'} in ${cdir} belong to another model version and were skipped (regenerate with --pin)`);
    for (const e of c.entries) {
      const i = index.get(`${e.model}\u0001${e.scenario}`);
      const list = i === undefined ? undefined : seeds[i];
      if (list && list.length < MAX_SEEDS_PER_TARGET) list.push(decodeToken(e.token).steps.slice());
    }
  }
  const findings = resumed ? readFindings(dir) : [];
  // Each record must still describe its own token (a hand-edited one is refused before anything is written).
  const unchecked = resumed ? verifyFindings(dir, findings) : [];
  if (unchecked.length) notes.push(`${unchecked.length} finding(s) could not be re-checked against their tokens (${unchecked[0] ?? ''}${unchecked.length > 1 ? ', ...' : ''})`);
  const coverage = resumed ? readCoverage(dir) : new Set<number>();
  assertWritable(dir);
  const nSeeds = seeds.reduce((a, l) => a + l.length, 0);
  if (nSeeds) notes.push(`${nSeeds} corpus schedule(s) seed the mutation strategy`);
  if (resumed) notes.push(`resuming at ${state.executions} executions, ${findings.length} known bug(s), ${coverage.size} fingerprints`);
  const timeMs = o.timeMs ?? (o.executions === undefined ? 60_000 : undefined);
  return {
    dir, resumed, state, models, targets, strategies: state.strategies, shard,
    workers: Math.max(1, o.workers ?? availableParallelism()),
    ...(timeMs !== undefined ? { timeMs } : {}), ...(o.executions !== undefined ? { executions: o.executions } : {}),
    seeds, findings, coverage, notes, watchdogMs: o.watchdogMs ?? 30_000, logEveryS: o.logEveryS ?? 5,
    reportBudgetMs: o.reportBudgetMs ?? REPORT_BUDGET_MS, ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}), ...(o.memoryModel !== undefined ? { memoryModel: o.memoryModel } : {}),
    pin: o.pin === true, pinDir,
  };
}
