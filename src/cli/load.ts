/**
 * `--load <file>`: the user's own models, on every command that takes a model or a token. The file
 * is an ES module (`.js`, `.mjs`, or `.ts` / `.mts` with the project's `typescript`, ts-register.ts)
 * exporting `models`, an array of defineModel values (a default export of that array works too).
 * Loaded models are found by name before the built-in ones and remember the file they came from,
 * so every command the CLI prints for them (replay, minimize, report) carries `--load <file>`.
 *
 * Bad input is one line each (exit 2): a file that does not exist, one that throws or does not
 * parse at import (with its file:line), one without a `models` array, an entry that is not a model,
 * two models with one name, a model named like a built-in one, and a model built by another copy
 * of mapcheck than the one running (both paths named).
 * Leaves out: several --load files at once (put the models of several files in one `models`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { allModels, findModel } from '../../models/index.js';
import type { AnyModel } from '../engine/model.js';
import { THIS_COPY, assertSameCopy, displayPath, setModelOrigin } from '../engine/origin.js';
import { thrownText } from '../engine/thrown.js';
import { UsageError } from '../engine/violation.js';
import { type FlagSpec, type FlagValues, str } from './args.js';
import type { ModelInfo } from './model-info.js';
import { enableTypeScript } from './ts-register.js';

export const LOAD_FLAG: FlagSpec = {
  type: 'string',
  help: 'your own models: a .js/.mjs/.ts module exporting `models` (an array of defineModel values)',
};

/** How long a user module's top-level code (a top-level await included) may take to load. */
export const LOAD_TIMEOUT_MS = 15_000;

/** Loaded files (absolute path) and their models, in load order. */
const files = new Map<string, AnyModel[]>();

/**
 * Files whose models were loaded in a sandbox worker and described to this thread (model-info.ts):
 * their plain data only, for listings, campaign plans and printed commands.
 */
const described = new Map<string, ModelInfo[]>();

/** Record what a sandbox worker read from `file` (absolute). */
export function registerDescribed(file: string, models: readonly ModelInfo[]): void {
  described.set(resolve(file), [...models]);
}

/** Every model loaded with --load in this thread. */
export function loadedModels(): AnyModel[] {
  return [...files.values()].flat();
}

/** The file a loaded model came from (absolute), or undefined for a built-in one. */
export function loadedFrom(name: string): string | undefined {
  for (const [f, ms] of files) if (ms.some((m) => m.name === name)) return f;
  for (const [f, ms] of described) if (ms.some((m) => m.name === name)) return f;
  return undefined;
}

function isModel(x: unknown): x is AnyModel {
  return typeof x === 'object' && x !== null && typeof (x as AnyModel).name === 'string' && typeof (x as AnyModel).setup === 'function'
    && typeof (x as AnyModel).threads === 'function' && typeof (x as AnyModel).hash === 'number';
}

/** Where an import error points: a frame in the user's files, else `node --check`'s line for a JS syntax error. */
function location(e: unknown, file: string): string {
  const stack = e instanceof Error ? e.stack ?? '' : '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]*?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m || line.includes('node:internal')) continue;
    const f = (m[1] as string).startsWith('file://') ? fileURLToPath(m[1] as string) : (m[1] as string);
    if (f.startsWith(THIS_COPY.path + sep)) continue;
    return ` (at ${f}:${m[2] as string}:${m[3] as string})`;
  }
  if (e instanceof SyntaxError && !/\.m?ts$/.test(file)) {
    const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
    const first = (r.stderr ?? '').split('\n')[0] ?? '';
    if (r.status !== 0 && /:\d+$/.test(first)) return ` (at ${first})`;
  }
  return '';
}

function firstLine(e: unknown): string {
  return thrownText(e);
}

/**
 * Import `path` (absolute) and register its models; idempotent per file. Every failure is a
 * one-line UsageError naming the file (`typed`: the path as the user wrote it). The module's
 * top-level code gets `timeoutMs`: a top-level await that never settles is a one-line error then
 * (the timer also keeps Node from exiting with code 13 meanwhile). Commands call this only inside a
 * sandbox worker (sandbox.ts, the campaign's workers): a module whose top-level code loops or
 * allocates without bound is the watchdog's and the heap cap's job there.
 */
export async function loadModels(path: string, o: { readonly typed?: string; readonly timeoutMs?: number } = {}): Promise<AnyModel[]> {
  const file = resolve(path);
  const known = files.get(file);
  if (known) return known;
  const shown = `--load ${o.typed ?? displayPath(file)}`;
  if (!existsSync(file)) throw new UsageError(`${shown}: no such file`);
  if (statSync(file).isDirectory()) throw new UsageError(`${shown}: is a directory; give the module file (e.g. ${o.typed ?? path}/models.ts)`);
  if (/\.(m|c)?ts$/.test(file)) enableTypeScript(file, shown);
  const timeoutMs = o.timeoutMs ?? LOAD_TIMEOUT_MS;
  let mod: { models?: unknown; default?: unknown };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`${shown}: its top-level code has not finished after ${Math.round(timeoutMs / 1000)} s (a top-level await that never settles?)`)), timeoutMs);
  });
  try {
    mod = (await Promise.race([import(pathToFileURL(file).href), late])) as { models?: unknown; default?: unknown };
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message.startsWith(shown) ? e.message : `${shown}: ${e.message}`);
    throw new UsageError(`${shown}: importing it threw ${firstLine(e)}${location(e, file)}`);
  } finally {
    clearTimeout(timer);
  }
  let exported: unknown;
  try {
    exported = mod.models ?? (Array.isArray(mod.default) ? mod.default : undefined);
  } catch (e) {
    throw new UsageError(`${shown}: reading its exports threw ${firstLine(e)}`);
  }
  const list = exported;
  if (list === undefined) throw new UsageError(`${shown}: the module exports no 'models' (write: export const models = [defineModel({...}), ...])`);
  if (!Array.isArray(list)) throw new UsageError(`${shown}: 'models' must be an array of defineModel(...) values (got ${typeof list})`);
  let bad: number;
  try {
    bad = list.findIndex((m) => !isModel(m));
  } catch (e) {
    throw new UsageError(`${shown}: reading its models threw ${firstLine(e)}`);
  }
  if (bad >= 0) throw new UsageError(`${shown}: models[${bad}] is not a defineModel(...) value`);
  const models = list as AnyModel[];
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.name)) throw new UsageError(`${shown}: two models are named '${m.name}': model names must be unique`);
    seen.add(m.name);
    if (findModel(m.name)) throw new UsageError(`${shown}: model '${m.name}' has the name of a built-in model: rename it (e.g. 'mine/${m.name.split('/').pop() ?? 'model'}')`);
    const other = loadedFrom(m.name);
    if (other !== undefined) throw new UsageError(`${shown}: model '${m.name}' is also defined in ${other}`);
    try {
      assertSameCopy(m, m.name);
    } catch (e) {
      throw new UsageError(`${shown}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const m of models) setModelOrigin(m, file);
  files.set(file, models);
  return models;
}

/** The --load flag of a command, resolved against `cwd` and loaded; the absolute path, or undefined. */
export async function loadFromFlags(flags: FlagValues, cwd: string): Promise<string | undefined> {
  const p = str(flags, 'load');
  if (p === undefined) return undefined;
  if (p.trim() === '') throw new UsageError('--load needs a file name');
  const abs = isAbsolute(p) ? p : resolve(cwd, p);
  await loadModels(abs, { typed: p });
  return abs;
}

/**
 * The models a campaign picks its `--models` globs from: with a --load file and no globs, that
 * file's models only (fuzzing your own models should not also fuzz every built-in one); otherwise
 * the loaded and the built-in ones.
 */
export function campaignCandidates(globs: string | null | undefined, load: string | null | undefined): ModelInfo[] {
  if (load !== null && load !== undefined && (globs === null || globs === undefined || globs.trim() === '')) {
    return files.get(resolve(load)) ?? described.get(resolve(load)) ?? [];
  }
  return everyInfo();
}

/** Built-in, loaded and described models together (the user's first). */
export function everyInfo(): ModelInfo[] {
  return [...loadedModels(), ...[...described.values()].flat(), ...allModels];
}

/** A model's plain data by exact name (built-in, loaded or described), or undefined. */
export function findInfo(name: string): ModelInfo | undefined {
  return everyInfo().find((m) => m.name === name);
}

/** Built-in and loaded models together (loaded first). */
export function everyModel(): AnyModel[] {
  return [...loadedModels(), ...allModels];
}
