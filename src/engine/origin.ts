/**
 * Where a model comes from, and which copy of mapcheck built it.
 *
 * `defineModel` stamps every model with two symbol-keyed properties: the file that defined it (the
 * first stack frame outside this engine) and this copy's identity (a per-module-instance token plus
 * the directory it was loaded from). Every copy also registers itself in a process-wide registry
 * (`globalThis[Symbol.for('mapcheck.copies')]`), so when a model built by one copy reaches another
 * copy's engine (a project with two installations, or src/ and dist/ mixed), the engine refuses it
 * with one line naming both paths instead of failing obscurely (each copy has its own
 * `currentExecution`, so the model's primitives would not see the running execution).
 *
 * The origin is what makes a printed command reproducible: `reproduceCommand` adds
 * `--load <file>` for a model that is not one of mapcheck's own (the CLI overrides the origin with
 * the exact file it loaded). Paths under the working directory are printed relative to it.
 * Leaves out: models re-exported through a wrapper file (the origin is where defineModel ran;
 * pass the right file to the CLI's --load, or `load` to the vitest helper).
 */
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './violation.js';

const ORIGIN = Symbol.for('mapcheck.model.origin');
const COPY = Symbol.for('mapcheck.model.copy');
const COPIES = Symbol.for('mapcheck.copies');

/** One loaded copy of mapcheck: an identity object per module instance, and where it lives. */
export interface MapcheckCopy {
  /** The directory holding `engine/` of this copy (`<root>/src` or `<root>/dist/src`). */
  readonly path: string;
  /** The package root (where models/ and package.json are). */
  readonly root: string;
}

const ENGINE_DIR = dirname(fileURLToPath(import.meta.url));
const SRC_DIR = dirname(ENGINE_DIR);
const ROOT = SRC_DIR.endsWith(`${sep}dist${sep}src`) ? dirname(dirname(SRC_DIR)) : dirname(SRC_DIR);

/**
 * Is `file` inside this copy's engine? Its frames may name the compiled file (dist/src/engine) or,
 * source-mapped by vitest or --enable-source-maps, the TypeScript one (src/engine).
 */
function inEngine(file: string): boolean {
  return file.startsWith(ENGINE_DIR + sep) || file.startsWith(join(ROOT, 'src', 'engine') + sep) || file.startsWith(join(ROOT, 'dist', 'src', 'engine') + sep);
}

/** This copy. Compared by identity: two instances of one file are two copies too. */
export const THIS_COPY: MapcheckCopy = Object.freeze({ path: SRC_DIR, root: ROOT });

type Registry = MapcheckCopy[];
const g = globalThis as { [COPIES]?: Registry };
(g[COPIES] ??= []).push(THIS_COPY);

/** Every copy of mapcheck loaded in this process so far. */
export function loadedCopies(): readonly MapcheckCopy[] {
  return g[COPIES] ?? [];
}

interface Stamped {
  [ORIGIN]?: string;
  [COPY]?: MapcheckCopy;
}

/** The file of a stack frame line (`at f (file:///x/y.ts:3:5)`, `at /x/y.js:3:5`), or null. */
function frameFile(line: string): string | null {
  const m = /\(?((?:file:\/\/)?\/[^():]*?):\d+:\d+\)?\s*$/.exec(line);
  if (!m) return null;
  const f = m[1] as string;
  try {
    return f.startsWith('file://') ? fileURLToPath(f) : f;
  } catch {
    return null;
  }
}

/** The first file on the current stack outside this copy's engine (who called defineModel). */
function callerFile(): string | null {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const f = frameFile(line);
    if (f !== null && !inEngine(f)) return f;
  }
  return null;
}

/**
 * The model-code part of an exception's stack: its `at ...` frames up to the first one inside this
 * engine (the step loop that resumed the thread), without `Generator.next` and node-internal
 * frames, at most 12. Source-mapped when the code was (TypeScript loaded by the CLI, vitest).
 * Undefined when nothing is left (a non-Error value, or a stack without frames).
 */
export function modelStack(e: unknown): string | undefined {
  if (!(e instanceof Error) || typeof e.stack !== 'string') return undefined;
  const out: string[] = [];
  for (const line of e.stack.split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    const f = frameFile(line);
    if (f !== null && inEngine(f)) break;
    if (/\(<anonymous>\)$|\bnode:internal\//.test(line)) continue;
    out.push(`    ${line.trim()}`);
    if (out.length === 12) break;
  }
  return out.length > 0 ? out.join('\n') : undefined;
}

/** Stamp a model built by this copy's defineModel with its origin and copy (enumerable: spreads keep them). */
export function stampModel<M extends object>(model: M): M {
  const s = model as M & Stamped;
  s[COPY] = THIS_COPY;
  const f = callerFile();
  if (f !== null) s[ORIGIN] = f;
  return model;
}

/** The file that defined (or, for the CLI, loaded) `model`; null when unknown. */
export function modelOrigin(model: object): string | null {
  return (model as Stamped)[ORIGIN] ?? null;
}

/** Record the file a model was loaded from (the CLI's --load), so printed commands name it. */
export function setModelOrigin(model: object, file: string): void {
  (model as Stamped)[ORIGIN] = file;
}

/** Is `model` one of this copy's own models (under `<root>/models` or `<root>/dist/models`)? */
export function isBuiltinModel(model: object): boolean {
  const f = modelOrigin(model);
  if (f === null) return false;
  return f.startsWith(join(ROOT, 'models') + sep) || f.startsWith(join(ROOT, 'dist', 'models') + sep);
}

/**
 * Refuse a model built by another copy of mapcheck (one line naming both paths). A model without
 * a stamp (a hand-made object, or an older mapcheck) is let through: nothing says it is foreign.
 */
export function assertSameCopy(model: object, name: string): void {
  const c = (model as Stamped)[COPY];
  if (c === undefined || c === THIS_COPY) return;
  const same = c.path === THIS_COPY.path ? ' (the same files loaded twice, through two module loaders)' : '';
  throw new UsageError(`model '${name}' was built by the mapcheck at ${c.path}, but it is being run by the mapcheck at ${THIS_COPY.path}${same}: import 'mapcheck' from the installation that runs it (in a project, npx mapcheck and the model must resolve the same node_modules/mapcheck)`);
}

/** A path as a user would type it here: relative to the working directory when inside it. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Quote an argument for a POSIX shell when it needs it. */
export function shellArg(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** ` --load <file>` for a model that is not one of mapcheck's own, else ''. */
export function loadArg(model: object | null | undefined, file?: string): string {
  if (file !== undefined) return ` --load ${shellArg(displayPath(file))}`;
  if (!model || isBuiltinModel(model)) return '';
  const f = modelOrigin(model);
  return f === null ? '' : ` --load ${shellArg(displayPath(f))}`;
}

/** The command that reproduces a token, e.g. `npx mapcheck replay mc1.… --load my-models.ts`. */
export function reproduceCommand(verb: 'replay' | 'minimize' | 'report', token: string, model?: object | null, file?: string): string {
  return `npx mapcheck ${verb} ${token}${loadArg(model, file)}`;
}
