/**
 * A campaign directory has one owner at a time: `<dir>/lock`, created exclusively, holds the
 * owner's pid, host and process start time. A second campaign on the directory, or a `--resume`
 * of one that is still running, is refused with one line naming the owner. A lock left by a killed
 * process (same host, and its pid is gone or now belongs to a process started at another time) is
 * stale: it is taken over under a second exclusive file (`lock.takeover`), so of two processes racing
 * for a stale lock only one wins. The owner re-reads the lock at every checkpoint and stops if it
 * is no longer its own. On another host a lock cannot be checked: it is refused, and the message
 * says how to remove it by hand.
 * Leaves out: hosts that died holding a lock (remove it by hand; the message says so).
 */
import { closeSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../engine/violation.js';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** When the owner started the campaign (ISO 8601). */
  readonly since: string;
  /** The owner's start time in clock ticks since boot (/proc/<pid>/stat field 22), null off Linux. */
  readonly start: number | null;
}

export function lockPath(dir: string): string {
  return join(dir, 'lock');
}

/** Start time of process `pid` (clock ticks after boot), null when unknown or gone. */
function startTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const v = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || !Number.isSafeInteger(o.pid) || o.pid <= 0 || typeof o.host !== 'string') return null;
    return { pid: o.pid, host: o.host, since: typeof o.since === 'string' ? o.since : '?', start: typeof o.start === 'number' ? o.start : null };
  } catch {
    return null;
  }
}

function readOwner(path: string): LockOwner | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'missing';
  }
  return parseOwner(text);
}

/** Is this owner's process gone (on this host)? */
function isStale(o: LockOwner): boolean {
  if (o.host !== hostname()) return false;
  if (o.pid === process.pid) return false;
  if (!alive(o.pid)) return true;
  const now = startTime(o.pid);
  return o.start !== null && now !== null && now !== o.start;
}

/**
 * Create `path` exclusively with `text`; false when it exists. The text is written to a private
 * file first and hard-linked into place (link(2) fails when the target exists), so a reader never
 * sees a lock file half written.
 */
function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return false;
    throw new UsageError(`cannot lock ${path}: ${(e as { code?: string }).code ?? String(e)}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

export class CampaignLock {
  private held = false;

  private constructor(readonly dir: string, readonly me: LockOwner) {}

  /** Take the lock of `dir` (which must exist), or throw a one-line UsageError naming its owner. */
  static acquire(dir: string, what: string): CampaignLock {
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), start: startTime(process.pid) };
    const lock = new CampaignLock(dir, me);
    const path = lockPath(dir);
    const text = `${JSON.stringify(me)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(path, text)) {
        lock.held = true;
        return lock;
      }
      const owner = readOwner(path);
      if (owner === 'missing') continue; // released meanwhile: try again
      if (owner !== null && !isStale(owner)) {
        const where = owner.host === me.host ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`;
        throw new UsageError(`${dir} is in use by another campaign (${where}, since ${owner.since}): ${what} refused; wait for it to finish${owner.host === me.host ? '' : `, or delete ${path} if that host is down`}`);
      }
      // Stale (or unreadable: corrupt): take it over, one taker at a time.
      const takeover = `${path}.takeover`;
      if (!createExclusive(takeover, text)) {
        const other = readOwner(takeover);
        if (other !== 'missing' && (other === null || isStale(other))) rmSync(takeover, { force: true });
        continue;
      }
      try {
        const again = readOwner(path);
        if (again === 'missing' || again === null || isStale(again)) {
          rmSync(path, { force: true });
          if (createExclusive(path, text)) {
            lock.held = true;
            return lock;
          }
        }
      } finally {
        rmSync(takeover, { force: true });
      }
    }
    throw new UsageError(`${dir}: could not take its lock (another process keeps changing ${path}); try again`);
  }

  /** Is the lock file still ours? (Checked at every checkpoint: a campaign that lost it must stop.) */
  stillOurs(): boolean {
    if (!this.held) return false;
    const o = readOwner(lockPath(this.dir));
    return o !== 'missing' && o !== null && o.pid === this.me.pid && o.host === this.me.host && o.since === this.me.since;
  }

  release(): void {
    if (this.stillOurs()) rmSync(lockPath(this.dir), { force: true });
    this.held = false;
  }
}
