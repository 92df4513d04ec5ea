/**
 * Campaign setup: turns `mapcheck fuzz` options into everything a campaign needs, checking bad
 * input before any work starts (each a one-line UsageError, exit code 2): unknown model globs or
 * strategies, a `--resume` directory that is not a campaign, of an older version, or options that
 * contradict it, a corrupt state, finding or repository corpus file (file-schemas.ts) or one that no
 * longer describes its own token, an `--out` that cannot be written, a directory another live
 * campaign owns (lock.ts: the lock is taken first and held until the campaign ends). A resumed
 * campaign removes the temporary files a killed run left, skips corrupt entries of its own corpus,
 * and tries again the targets the last session retired. A new campaign gets
 * `reports/campaign-<timestamp>/` unless `--out` says otherwise; a resumed one keeps its models,
 * strategies, seed, shard, counters, coverage, findings and chunk sequence.
 * The corpus seeds the mutation strategy: the repository corpus (`fuzz/corpus`) plus, when
 * resuming, the campaign's own; entries of changed models are skipped and counted in a note.
 * Leaves out: running the campaign (campaign.ts).
 */
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { AnyModel } from '../../engine/model.js';
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { loadCorpus } from './corpus.js';
import { assertWritable, ensureDir } from './files.js';
import { CampaignLock } from './lock.js';
import { type Shard, type Target, parseStrategies, resolveShard, selectModels, targetsOf } from './plan.js';
import { WORKER_HEAP_MB } from './pool.js';
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
  /** Heap limit of each worker (MB). */
  readonly heapMb?: number;
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
  readonly pin: boolean;
  readonly pinDir: string;
  readonly heapMb: number;
  /** The campaign directory's lock, held until the campaign ends (lock.ts). */
  readonly lock: CampaignLock;
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

/** Temporary files of a killed run (writeAtomic's `<file>.tmp-<pid>-<n>`, lock.ts's `lock.<pid>.tmp`, the write probe). */
const ORPHAN_RE = /(\.tmp-\d+-\d+|^lock\.\d+\.tmp|^\.probe)$/;

/** Remove temporary files a killed run left under `dir` (only called by the lock's holder); returns how many. */
export function removeOrphans(dir: string): number {
  let n = 0;
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (ORPHAN_RE.test(name)) {
        try {
          rmSync(p, { force: true });
          n++;
        } catch { /* best effort: a leftover temp file harms nothing */ }
      }
    }
  };
  walk(dir);
  return n;
}

export function setupCampaign(o: FuzzOptions): Setup {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(o.cwd, p));
  const notes: string[] = [];
  let dir: string;
  let lock: CampaignLock;
  if (o.resume !== undefined) {
    dir = abs(o.resume);
    if (o.out !== undefined && abs(o.out) !== dir) throw new UsageError('--out and --resume name different directories: a resumed campaign writes into its own directory');
    readState(dir); // not a campaign directory: refused before taking its lock
    lock = CampaignLock.acquire(dir, '--resume');
  } else {
    dir = abs(o.out ?? join('reports', `campaign-${stamp()}`));
    ensureDir(dir);
    lock = CampaignLock.acquire(dir, 'a second campaign');
  }
  try {
    return setupLocked(o, dir, lock, notes);
  } catch (e) {
    lock.release();
    throw e;
  }
}

function setupLocked(o: FuzzOptions, dir: string, lock: CampaignLock, notes: string[]): Setup {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(o.cwd, p));
  const resumed = o.resume !== undefined;
  let state: CampaignState;
  let shard: Shard;
  if (resumed) {
    state = readState(dir);
    same('models', o.models, state.models ?? '', dir);
    same('strategies', o.strategies, state.strategies.join(','), dir);
    same('seed', o.seed, state.seed, dir);
    if (o.shard !== undefined) same('shard', o.shard, `${state.shard.index}/${state.shard.count}`, dir);
    shard = { ...state.shard, source: 'resumed' };
    const orphans = removeOrphans(dir);
    if (orphans) notes.push(`removed ${orphans} temporary file(s) a killed run left`);
    // Targets the watchdog retired last session are tried again: a hang retires a target only for
    // the session whose re-check confirmed it (recheck.ts).
    if (state.hung.length) notes.push(`${state.hung.length} target(s) retired last session (hang, heap limit or error) are tried again`);
    state.hung = [];
  } else {
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
    // The campaign's own corpus is a convenience: a corrupt entry there (a write cut short) is skipped.
    const c = loadCorpus(cdir, cdir !== pinDir);
    if (c.stale.length) notes.push(`${c.stale.length} corpus entr${c.stale.length === 1 ? 'y' : 'ies'} in ${cdir} belong to another model version and were skipped (regenerate with --pin)`);
    if (c.broken.length) notes.push(`${c.broken.length} corrupt corpus entr${c.broken.length === 1 ? 'y' : 'ies'} in ${cdir} skipped (e.g. ${c.broken[0] ?? ''})`);
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
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}), pin: o.pin === true, pinDir,
    heapMb: o.heapMb ?? WORKER_HEAP_MB, lock,
  };
}
