/**
 * What the reliability probes share: running the real CLI (`node bin/mapcheck.js`, the compiled
 * dist/) as a child process with a time limit, judging its answer ("handled cleanly" = the
 * documented exit code, at most one line on stderr, no stack trace, no crash signal, no timeout),
 * a small pool to run two at a time, temporary directories, and the row every probe returns.
 * Leaves out: the probes (one file each) and the table (main.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (dist/bench/reliability -> three levels up). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'mapcheck.js');
export const DIST = join(ROOT, 'dist');

export interface Row {
  readonly probe: string;
  tried: number;
  clean: number;
  failures: number;
  /** Findings that were known (on disk or printed) and are gone. */
  lost: number;
  /** Who owns the work this row checks, when it is not this probe's code (e.g. an open issue). */
  readonly owner?: string;
  readonly notes: string[];
  /** The first few failures, for the log. */
  readonly examples: string[];
}

export function row(probe: string, owner?: string): Row {
  return { probe, tried: 0, clean: 0, failures: 0, lost: 0, notes: [], examples: [], ...(owner ? { owner } : {}) };
}

/** Count one trial: clean, or a failure with its description. */
export function judge(r: Row, ok: boolean, what: string): void {
  r.tried++;
  if (ok) r.clean++;
  else {
    r.failures++;
    if (r.examples.length < 5) r.examples.push(what.slice(0, 400));
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

export function startCli(args: readonly string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collect a started CLI process's output; kill it after `timeoutMs`. */
export function collect(c: ChildProcess, timeoutMs: number): Promise<CliResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0, timedOut });
    });
  });
}

export function cli(args: readonly string[], timeoutMs = 120_000, cwd = ROOT): Promise<CliResult> {
  return collect(startCli(args, cwd), timeoutMs);
}

/** Exit codes the CLI documents: 0 nothing found, 1 found, 2 usage error. */
export function cleanExit(r: CliResult, allowed: readonly number[] = [0, 1, 2]): boolean {
  if (r.timedOut || r.signal !== null || r.code === null || !allowed.includes(r.code)) return false;
  if (/\n\s+at .+:\d+:\d+/.test(r.stderr) || /FATAL ERROR|internal error/.test(r.stderr)) return false;
  return r.code !== 2 || r.stderr.trim().split('\n').length === 1;
}

/**
 * A campaign's end: a documented exit code, no crash, no stack trace. (A campaign that stops on a
 * failed write logs its progress first, so its stderr has more than one line.)
 */
export function cleanCampaignExit(r: CliResult, allowed: readonly number[] = [0, 1, 2]): boolean {
  if (r.timedOut || r.signal !== null || r.code === null || !allowed.includes(r.code)) return false;
  return !/\n\s+at .+:\d+:\d+/.test(r.stderr) && !/FATAL ERROR|internal error/.test(r.stderr);
}

/** One line describing a CLI result, for failure examples. */
export function show(args: readonly string[], r: CliResult): string {
  const line = (r.stderr.trim().split('\n')[0] ?? '').slice(0, 200);
  return `mapcheck ${args.map((a) => (a.length > 50 ? `${a.slice(0, 47)}...` : a)).join(' ')} -> ${r.timedOut ? 'timeout' : r.signal ?? `exit ${r.code}`} after ${r.ms} ms: ${line}`;
}

/** Run `jobs` at most `width` at a time. */
export async function pool<T>(jobs: readonly (() => Promise<T>)[], width = 2): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  }));
  return out;
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `mc-rel-${tag}-`));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Signatures of the finding files of campaign `dir` whose files parse (a corrupt file counts as missing). */
export function findingsOnDisk(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(join(dir, 'findings'));
  } catch {
    return out;
  }
  for (const f of names) {
    if (!f.endsWith('.json')) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, 'findings', f), 'utf8')) as { signature?: unknown; token?: unknown };
      if (typeof r.signature === 'string' && typeof r.token === 'string') out.set(r.signature, r.token);
    } catch { /* torn or corrupt: not a finding any more */ }
  }
  return out;
}

/** Findings a campaign printed when it stopped on a failed write (`<signature> <model> <kind> <token>` lines). */
export function findingsPrinted(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stdout.matchAll(/^([a-z-]+-[0-9a-f]{8}) \S+ \S+ (\S*)/gm)) out.set(m[1] as string, m[2] ?? '');
  return out;
}

/** A fixed pseudo-random generator, so a run can be repeated (xorshift32). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
