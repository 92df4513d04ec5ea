/**
 * `--load` for the commands whose main thread needs only the data of the user's models (list, fuzz,
 * merge): the module is imported in a sandbox worker (sandbox.ts: heap cap, CPU-time watchdog,
 * load time limit) with every check of load.ts, and its models come back as plain data
 * (model-info.ts), registered in this thread so listings, campaign plans and printed commands see
 * them. The user's code never runs in the main thread.
 * Leaves out: commands that run the models (check, replay, report, minimize: their jobs import the
 * module themselves) and the campaign's workers (they import it each, sandboxed by the pool).
 */
import { UsageError } from '../engine/violation.js';
import { type FlagValues, str } from './args.js';
import { registerDescribed } from './load.js';
import type { ModelInfo } from './model-info.js';
import { type SandboxOptions, runSandboxed, sandboxOptions } from './sandbox.js';

/**
 * Import `file` (absolute) in a sandbox worker, with every check of load.ts (a missing file, one
 * that throws, no `models`, duplicate or built-in names, another copy of mapcheck: one line, exit
 * 2), and register its models' data in this thread. `o`: the sandbox's limits.
 */
export async function describeFile(file: string, o: Omit<SandboxOptions, 'load' | 'what'> = {}): Promise<readonly ModelInfo[]> {
  const out = await runSandboxed({ kind: 'describe' }, { ...o, load: [file], what: `--load ${file}` });
  for (const d of out) registerDescribed(d.file, d.models);
  return out.flatMap((d) => d.models);
}

/** The --load flag of a command that needs only the models' data (list, fuzz, merge): described, not imported here. */
export async function describeFromFlags(flags: FlagValues, cwd: string): Promise<string | undefined> {
  if (str(flags, 'load') === undefined) return undefined;
  const o = sandboxOptions(flags, cwd, 'the --load module');
  const file = o.load?.[0];
  if (file === undefined) throw new UsageError('--load needs a file name');
  const { load: _load, what: _what, ...limits } = o;
  await describeFile(file, limits);
  return file;
}
