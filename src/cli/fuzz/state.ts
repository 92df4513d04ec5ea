/**
 * The persistent state of a campaign directory: `state.json` (what was asked, counters, the next
 * chunk number, exhausted and hung targets), rewritten atomically at each checkpoint, and
 * `coverage.bin` (every coverage key seen, u32 little-endian), appended to at each checkpoint, so `--resume <dir>` continues
 * counters, coverage and the chunk sequence (hence the seeds) where the last checkpoint left them;
 * the findings and corpus files are already on disk.
 * Leaves out: locking against two campaigns on one directory (lock.ts).
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/violation.js';
import { checkFile, stateFileSchema } from './file-schemas.js';
import { readJson, writeAtomic, writeJsonAtomic } from './files.js';

export const STATE_FORMAT = 'mapcheck-campaign';
/** v2: findings filed under signature scheme 2 (signature.ts), reports minimized while the campaign runs. */
export const STATE_VERSION = 2;
/** Versions `mapcheck merge` still reads (it re-signs their findings). */
export const MERGEABLE_VERSIONS: readonly number[] = [1, 2];

export interface CampaignState {
  format: typeof STATE_FORMAT;
  version: number;
  created: string;
  updated: string;
  /** The --models globs (null = every model). */
  models: string | null;
  strategies: string[];
  seed: number;
  shard: { index: number; count: number };
  executions: number;
  elapsed_s: number;
  next_chunk: number;
  sessions: number;
  coverage: number;
  /** Exhausted: `model [scenario]` (by plain DFS: every strategy) or `model [scenario]/strategy`. */
  exhausted: string[];
  /** Targets the watchdog or an error took out: `model [scenario]`. */
  hung: string[];
  finished: boolean;
}

export function statePath(dir: string): string {
  return join(dir, 'state.json');
}

/**
 * Read a campaign's state; a directory that is not a campaign, a campaign of another version than
 * `versions` (default: this one), or a state file with a field of the wrong type or out of range
 * (file-schemas.ts) is a one-line UsageError.
 */
export function readState(dir: string, versions: readonly number[] = [STATE_VERSION]): CampaignState {
  const p = statePath(dir);
  if (!existsSync(dir)) throw new UsageError(`--resume ${dir}: no such directory`);
  if (!existsSync(p)) throw new UsageError(`${dir} is not a campaign directory (no state.json): give the --out directory of an earlier 'mapcheck fuzz'`);
  const s = readJson(p, 'campaign state') as Partial<CampaignState> | null;
  if (!s || typeof s !== 'object' || Array.isArray(s) || s.format !== STATE_FORMAT) {
    throw new UsageError(`${p} is not a mapcheck campaign state (format '${String(s !== null && typeof s === 'object' && !Array.isArray(s) ? s.format : typeof s).slice(0, 40)}')`);
  }
  if (typeof s.version !== 'number' || !versions.includes(s.version)) {
    const older = typeof s.version === 'number' && s.version < STATE_VERSION;
    throw new UsageError(older
      ? `${p} is campaign format v${s.version}, written by an older mapcheck (its findings use an older signature scheme): start a new campaign, or fold it into one with 'mapcheck merge ${dir} --out <new dir>'`
      : `${p} is campaign format v${String(s.version).slice(0, 20)}; this mapcheck reads v${STATE_VERSION}`);
  }
  checkFile(stateFileSchema, s, p, 'state');
  const st = s as CampaignState;
  if (st.shard.index >= st.shard.count) throw new UsageError(`${p} is corrupt: shard ${st.shard.index}/${st.shard.count} does not exist; restore it or delete it`);
  return st;
}

/** Checkpoint the state (atomic rename; no fsync: it is rewritten every two seconds). */
export function writeState(dir: string, s: CampaignState): void {
  writeJsonAtomic(statePath(dir), { ...s, updated: new Date().toISOString() }, false);
}

/** Every coverage key of `dir`; `repair` (the lock holder only) truncates a partial last key. */
export function readCoverage(dir: string, repair = true): Set<number> {
  const p = join(dir, 'coverage.bin');
  const out = new Set<number>();
  if (!existsSync(p)) return out;
  if (!statSync(p).isFile()) throw new UsageError(`${p} is not a regular file; restore it or delete it`);
  const b = readFileSync(p);
  // The file is appended to; a kill during an append can leave a partial last key: drop it, so
  // the next append stays aligned.
  const whole = b.length - (b.length % 4);
  if (repair && whole !== b.length) truncateSync(p, whole);
  for (let i = 0; i < whole; i += 4) out.add(b.readUInt32LE(i));
  return out;
}

/** Append newly seen keys (each checkpoint appends only what is new). */
export function appendCoverage(dir: string, keys: readonly number[]): void {
  if (keys.length === 0) return;
  const b = Buffer.alloc(keys.length * 4);
  keys.forEach((k, i) => b.writeUInt32LE(k >>> 0, i * 4));
  const p = join(dir, 'coverage.bin');
  try {
    // An append cut short (a full disk) leaves a partial key: drop it so later keys stay aligned.
    const size = existsSync(p) ? statSync(p).size : 0;
    if (size % 4) truncateSync(p, size - (size % 4));
    appendFileSync(p, b);
  } catch (e) {
    throw new UsageError(`cannot write ${join(dir, 'coverage.bin')}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function writeCoverage(dir: string, keys: ReadonlySet<number>): void {
  const b = Buffer.alloc(keys.size * 4);
  let i = 0;
  for (const k of keys) {
    b.writeUInt32LE(k >>> 0, i);
    i += 4;
  }
  writeAtomic(join(dir, 'coverage.bin'), b);
}
