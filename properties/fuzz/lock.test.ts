/**
 * A campaign directory has one owner (src/cli/fuzz/lock.ts): a second lock is refused with one
 * line naming the owner; a lock whose process is gone, or whose pid now belongs to a process
 * started at another time, or that is unreadable, is taken over; a lock from another host is never
 * taken over; the owner notices a lock that is no longer its own. Through the CLI: a second
 * campaign and a --resume of a live one are refused, a killed one is resumed and its temporary
 * files are removed. And state.json with hostile field types is one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stateFileSchema } from '../../src/cli/fuzz/file-schemas.js';
import { CampaignLock, lockPath } from '../../src/cli/fuzz/lock.js';
import { STATE_VERSION, readState } from '../../src/cli/fuzz/state.js';
import { mutantOf, valueOf } from '../engine/schema-arb.js';
import { mapcheck, start, tempDir } from './cli.js';
import { oneLineUsage } from '../engine/usage-error.js';

const dir = tempDir('lock');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fresh(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}


/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('campaign lock', () => {
  it('refuses a second owner, naming the first', () => {
    const d = fresh('a');
    const l = CampaignLock.acquire(d, 'test');
    expect(oneLineUsage(() => CampaignLock.acquire(d, 'a second campaign'))).toMatch(new RegExp(`in use by another campaign \\(pid ${process.pid}, since .*\\): a second campaign refused`));
    expect(l.stillOurs()).toBe(true);
    l.release();
    expect(existsSync(lockPath(d))).toBe(false);
    CampaignLock.acquire(d, 'test').release();
  });

  it('takes over a stale lock: a dead pid, a reused pid, an unreadable file', () => {
    for (const [name, text] of [
      ['dead', JSON.stringify({ pid: deadPid(), host: hostname(), since: 'x', start: null })],
      ['reused', JSON.stringify({ pid: process.ppid, host: hostname(), since: 'x', start: 1 })],
      ['garbage', '{"pid": '],
    ] as const) {
      const d = fresh(name);
      writeFileSync(lockPath(d), text);
      const l = CampaignLock.acquire(d, 'test');
      expect(JSON.parse(readFileSync(lockPath(d), 'utf8'))).toMatchObject({ pid: process.pid });
      l.release();
    }
  });

  it('never takes over a lock from another host, and says how to clear it', () => {
    const d = fresh('remote');
    writeFileSync(lockPath(d), JSON.stringify({ pid: 1, host: 'elsewhere.example', since: 'x', start: null }));
    expect(oneLineUsage(() => CampaignLock.acquire(d, '--resume'))).toMatch(/pid 1 on host elsewhere\.example.*delete .*lock if that host is down/);
  });

  it('the owner notices when its lock is replaced', () => {
    const d = fresh('lost');
    const l = CampaignLock.acquire(d, 'test');
    writeFileSync(lockPath(d), JSON.stringify({ pid: 1, host: hostname(), since: 'y', start: null }));
    expect(l.stillOurs()).toBe(false);
  });
});

describe('hostile state.json', () => {
  it('every field of the wrong type or out of range is one line (property)', () => {
    const d = fresh('state');
    fc.assert(fc.property(mutantOf(stateFileSchema), ([bad]) => {
      writeFileSync(join(d, 'state.json'), JSON.stringify(bad));
      expect(oneLineUsage(() => readState(d))).toMatch(/state\.json/);
    }), { numRuns: 200, seed: 31 });
  });

  it('a valid state is read back', () => {
    const d = fresh('state-ok');
    fc.assert(fc.property(valueOf(stateFileSchema), (good) => {
      const st = { ...(good as Record<string, unknown>), version: STATE_VERSION, shard: { index: 0, count: 1 } };
      writeFileSync(join(d, 'state.json'), JSON.stringify(st));
      expect(readState(d)).toEqual(st);
    }), { numRuns: 50, seed: 32 });
  });
});

describe('two campaigns on one directory, through the CLI', () => {
  it('refuses a second campaign and a --resume of a live one; resumes a killed one and removes its temporary files', async () => {
    const out = join(dir, 'live');
    const a = start(['fuzz', '--models', 'litmus/lost-update', '--strategies', 'random', '--time', '30s', '--workers', '1', '--out', out]);
    for (let i = 0; i < 200 && !existsSync(join(out, 'state.json')); i++) await new Promise((r) => setTimeout(r, 100));
    const second = await mapcheck(['fuzz', '--models', 'litmus/lost-update', '--time', '2s', '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`in use by another campaign \\(pid ${a.pid}`));
    const resume = await mapcheck(['fuzz', '--resume', out, '--time', '2s']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/in use by another campaign.*--resume refused/);
    a.kill('SIGKILL');
    await new Promise((r) => a.on('close', r));
    writeFileSync(join(out, 'state.json.tmp-999999-3'), '{"partial');
    const again = await mapcheck(['fuzz', '--resume', out, '--time', '2s', '--workers', '1', '--report-time', '2s']);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toMatch(/removed 1 temporary file/);
    expect(existsSync(join(out, 'state.json.tmp-999999-3'))).toBe(false);
    expect(existsSync(lockPath(out))).toBe(false);
  }, 120_000);
});
