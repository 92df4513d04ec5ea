/**
 * A full disk, for real: the campaign directory lives on a small tmpfs (mounted for the probe; it
 * needs root or CAP_SYS_ADMIN — without them the row says it was skipped, never passed). Three
 * trials: a campaign on a tmpfs too small for it; a campaign whose tmpfs is filled by another file
 * while it runs; a --resume while the disk is still full. Handled cleanly: exit 0 or 1, or exit 2
 * with one line and every known finding printed; then, with space freed, --resume works. A finding
 * on disk or printed before that is on neither afterwards is lost.
 * Leaves out: other file systems' ENOSPC timing (ext4's delayed allocation can report it at close).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanCampaignExit, cleanExit, cli, collect, findingsOnDisk, findingsPrinted, judge, type Row, row, show, sleep, startCli, tempDir } from './harness.js';

function mount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function remount(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir], { stdio: 'ignore' });
}

function umount(dir: string): void {
  try { execFileSync('umount', [dir], { stdio: 'ignore' }); } catch { /* already gone */ }
}

/** Fill the file system holding `dir` until ENOSPC; returns the filler's path. */
function fill(dir: string): string {
  const p = join(dir, 'filler');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeFileSync(p, chunk, { flag: 'a' });
  } catch { /* ENOSPC: full */ }
  // Top off the last bytes too.
  try { for (;;) writeFileSync(p, Buffer.alloc(512, 1), { flag: 'a' }); } catch { /* full */ }
  return p;
}

const ARGS = ['--models', 'litmus/*', '--workers', '2', '--report-time', '10s'];

export async function diskProbe(): Promise<Row> {
  const r = row('full tmpfs (disk full, then freed)');
  const mnt = tempDir('disk');
  if (!mount(mnt, '160k')) {
    r.notes.push('skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)');
    return r;
  }
  try {
    // 1. Too small from the start.
    const a = join(mnt, 'a');
    const first = ['fuzz', ...ARGS, '--time', '15s', '--out', a];
    const res = await cli(first, 180_000);
    judge(r, cleanCampaignExit(res), show(first, res));
    const known = new Map([...findingsOnDisk(a), ...findingsPrinted(res.stdout)]);
    remount(mnt, '64m');
    const again = ['fuzz', '--resume', a, '--time', '3s', '--workers', '2', '--report-time', '10s'];
    const res2 = await cli(again, 180_000);
    judge(r, cleanCampaignExit(res2, [0, 1]), show(again, res2));
    const after = findingsOnDisk(a);
    for (const sig of known.keys()) if (!after.has(sig) && !findingsPrinted(res.stdout).has(sig)) r.lost++;
    r.notes.push(`trial 1: first run exit ${res.code}, ${known.size} finding(s) known`);

    // 2. Filled by someone else while it runs, then freed.
    const b = join(mnt, 'b');
    mkdirSync(b);
    const c = startCli(['fuzz', ...ARGS, '--time', '60s', '--out', b]);
    const done = collect(c, 240_000);
    // Fill the disk once the campaign has found something, so there is something to lose.
    for (let t = 0; t < 60_000 && findingsOnDisk(b).size === 0; t += 250) await sleep(250);
    await sleep(1000);
    const filler = fill(mnt);
    const res3 = await done;
    judge(r, cleanCampaignExit(res3), show(['fuzz', '--out', b], res3));
    const known2 = new Map([...findingsOnDisk(b), ...findingsPrinted(res3.stdout)]);
    // 3. A resume while the disk is still full: refused in one line, or runs.
    const full = ['fuzz', '--resume', b, '--time', '2s', '--workers', '1'];
    const res4 = await cli(full, 120_000);
    judge(r, cleanExit(res4), show(full, res4));
    rmSync(filler, { force: true });
    const res5 = await cli(['fuzz', '--resume', b, '--time', '3s', '--workers', '2', '--report-time', '10s'], 180_000);
    judge(r, cleanCampaignExit(res5, [0, 1]), show(['fuzz', '--resume', b], res5));
    const after2 = findingsOnDisk(b);
    for (const sig of known2.keys()) if (!after2.has(sig) && !findingsPrinted(res3.stdout).has(sig) && !findingsPrinted(res4.stdout).has(sig)) r.lost++;
    r.notes.push(`trial 2: exit ${res3.code} while filled, ${res4.code} on resume while full, ${res5.code} after freeing; ${known2.size} finding(s) known`);
  } finally {
    umount(mnt);
  }
  return r;
}
