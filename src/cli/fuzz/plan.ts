/**
 * The campaign plan: which (model, scenario) targets, which strategies, and how chunk number n of
 * shard i/N maps to a (target, strategy, seed) — deterministically, so N machines run disjoint seeds
 * and a resumed campaign continues where it stopped. Every scenario of every selected model is a
 * target, so a posted model's bug that only one scenario shows is still reached.
 *
 * Chunk n of shard i/N gets the global id g = n*N + i (disjoint residues mod N, whatever the worker
 * counts are), target n mod T, strategy floor(n/T) mod S, and seed (base + g) mod 2^32.
 * Shards come from `--shard i/N` (0-based), else Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`
 * with the total in `--shard-count`, `MAPCHECK_SHARD_COUNT` or `JOB_COMPLETION_COUNT`), else Slurm
 * arrays (`SLURM_ARRAY_TASK_ID` - `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`), else 0/1.
 * Leaves out: weighting targets by size or by past yield (round robin keeps shards comparable).
 */
import { allModels } from '../../../models/index.js';
import type { ModelInfo } from '../model-info.js';
import { UsageError } from '../../engine/violation.js';
import { strategyNames } from '../../strategies/index.js';

export interface Target {
  readonly model: string;
  readonly scenario: string;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
  /** Where it came from: flag, kubernetes, slurm or default. */
  readonly source: string;
}

export interface ChunkSpec {
  readonly n: number;
  readonly target: number;
  readonly strategy: string;
  readonly seed: number;
}

/**
 * Strategies with a systematic part: a worker keeps one instance per target across chunks, so DPOR
 * continues where the last chunk stopped instead of restarting (the portfolio holds a DPOR too).
 * Its random parts then follow the seed of the target's first chunk in that worker.
 */
export const SYSTEMATIC = new Set(['dfs', 'delay', 'dpor', 'dpor-fold', 'portfolio']);

function globToRegExp(g: string): RegExp {
  const esc = g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

/** Models matching a comma-separated list of globs (`*` matches any text, `/` included). */
export function selectModels(globs: string | undefined, models: readonly ModelInfo[] = allModels): ModelInfo[] {
  if (globs === undefined || globs.trim() === '') return [...models];
  const out: ModelInfo[] = [];
  for (const g of globs.split(',').map((s) => s.trim()).filter(Boolean)) {
    const re = globToRegExp(g);
    const hit = models.filter((m) => re.test(m.name) || m.name.startsWith(`${g}/`));
    if (hit.length === 0) throw new UsageError(`--models '${g}' matches no model (run 'mapcheck list' for the names)`);
    for (const m of hit) if (!out.includes(m)) out.push(m);
  }
  return out;
}

export function targetsOf(models: readonly ModelInfo[]): Target[] {
  return models.flatMap((m) => Object.keys(m.scenarios).map((scenario) => ({ model: m.name, scenario })));
}

/** The default strategy mix: the portfolio when registered, else the randomized ones; plus mutate. */
export function defaultStrategies(): string[] {
  const have = strategyNames();
  const base = have.includes('portfolio') ? ['portfolio'] : ['pct', 'pos', 'random'].filter((s) => have.includes(s));
  return have.includes('mutate') ? [...base, 'mutate'] : base;
}

export function parseStrategies(list: string | undefined): string[] {
  if (list === undefined) return defaultStrategies();
  const have = strategyNames();
  const out = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (out.length === 0) throw new UsageError('--strategies needs at least one name');
  for (const s of out) if (!have.includes(s)) throw new UsageError(`--strategies: unknown strategy '${s}' (registered: ${have.join(', ')})`);
  return out;
}

function shardNumbers(i: number, n: number, what: string, source: string): Shard {
  if (!Number.isInteger(i) || !Number.isInteger(n) || n < 1 || i < 0 || i >= n) {
    throw new UsageError(`${what}: shard index must be in 0..count-1 and count at least 1 (got ${i}/${n})`);
  }
  return { index: i, count: n, source };
}

function envInt(env: NodeJS.ProcessEnv, k: string): number | undefined {
  const v = env[k];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`environment variable ${k} must be a whole number (got '${v}')`);
  return Number(v);
}

/** Resolve the shard from `--shard i/N`, `--shard-count`, or the batch system's environment. */
export function resolveShard(flag: string | undefined, shardCount: number | undefined, env: NodeJS.ProcessEnv): Shard {
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!m) throw new UsageError(`--shard must look like i/N, e.g. 0/4 (got '${flag}')`);
    return shardNumbers(Number(m[1]), Number(m[2]), '--shard', 'flag');
  }
  const k8s = envInt(env, 'JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    const n = shardCount ?? envInt(env, 'MAPCHECK_SHARD_COUNT') ?? envInt(env, 'JOB_COMPLETION_COUNT');
    if (n === undefined) {
      throw new UsageError('JOB_COMPLETION_INDEX is set but the number of shards is not: pass --shard-count N (or set MAPCHECK_SHARD_COUNT to the Job\'s completions)');
    }
    return shardNumbers(k8s, n, 'JOB_COMPLETION_INDEX', 'kubernetes');
  }
  const slurm = envInt(env, 'SLURM_ARRAY_TASK_ID');
  if (slurm !== undefined) {
    const n = shardCount ?? envInt(env, 'SLURM_ARRAY_TASK_COUNT');
    if (n === undefined) throw new UsageError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard-count N');
    return shardNumbers(slurm - (envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0), n, 'SLURM_ARRAY_TASK_ID', 'slurm');
  }
  if (shardCount !== undefined) throw new UsageError('--shard-count needs a shard index: --shard i/N, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID');
  return { index: 0, count: 1, source: 'default' };
}

/** The deterministic work of chunk `n` of a shard. */
export function chunkSpec(n: number, targets: number, strategies: readonly string[], shard: Shard, baseSeed: number): ChunkSpec {
  const g = n * shard.count + shard.index;
  return {
    n,
    target: n % targets,
    strategy: strategies[Math.floor(n / targets) % strategies.length] as string,
    seed: (baseSeed + g) >>> 0,
  };
}
