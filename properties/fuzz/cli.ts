/**
 * Test helper (not a suite): run the real `mapcheck` CLI as a child process and collect its exit
 * code and output. It runs dist/ through bin/mapcheck.js, which the vitest global setup
 * (properties/setup/build.ts) compiles before the suites; outside vitest run `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function start(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin', 'mapcheck.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function mapcheck(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const c = start(args, env);
    let stdout = '';
    let stderr = '';
    c.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `mc-${tag}-`));
}

/** How one token replayed under the compiled code: the violation kind, null when it passed, or an error. */
export interface Replayed {
  readonly kind: string | null;
  /** Every violation kind the execution showed (keep-going tokens show several), worst first. */
  readonly kinds?: readonly string[];
  readonly error?: string;
}

const REPLAY_SCRIPT = `
const root = process.argv[1];
const { findModel } = await import(root + '/dist/models/index.js');
const { replay } = await import(root + '/dist/src/index.js');
const tokens = JSON.parse(process.env.MC_TOKENS);
const out = tokens.map(([model, token]) => {
  try {
    const m = findModel(model);
    if (!m) return { kind: null, error: 'unknown model ' + model };
    const r = replay(m, token);
    return { kind: r.violation?.kind ?? null, kinds: r.exec.violations.map((v) => v.kind) };
  } catch (e) { return { kind: null, error: String(e.message) }; }
});
process.stdout.write(JSON.stringify(out));
`;

/**
 * Replay tokens with the compiled code the CLI ran, in a plain node process. A model's hash covers
 * its functions' source text, which differs between tsc's output and what vitest runs (it transforms
 * every file it loads, dist/ included), so CLI tokens must be replayed outside vitest.
 */
export function replayWithDist(items: readonly (readonly [model: string, token: string])[]): Promise<Replayed[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', REPLAY_SCRIPT, ROOT], { cwd: ROOT, env: { ...process.env, MC_TOKENS: JSON.stringify(items) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('error', reject);
    c.on('close', (code) => {
      if (code !== 0) reject(new Error(`replay process failed: ${err.split('\n')[0] ?? ''}`));
      else resolve(JSON.parse(out) as Replayed[]);
    });
  });
}
