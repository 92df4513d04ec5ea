/**
 * `runLitmusDirectory(dir, opts)`: every `.litmus` file of a directory (sorted by name), each run
 * under the given memory model, compared with the expected result: the `Result:` line of the test's
 * header comment and, when the directory or its parent has one, the `INDEX.tsv` of the kernel's
 * test collection (`file <TAB> result <TAB> first line`). This is the LKMM agreement suite of
 * issue 12: under 'lkmm' every row must agree; under 'sc' the `Never` rows must (SC allows less).
 * A file that cannot be parsed or run is a row with its one-line error, not an exception.
 * Leaves out: recursion into subdirectories (the kernel keeps one flat directory per collection).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../index.js';
import { VERDICTS, type Verdict } from './ast.js';
import { LitmusError } from './errors.js';
import { type LitmusOptions, type LitmusResult, runLitmusText } from './run.js';

export interface DirectoryRow {
  readonly file: string;
  /** The `Result:` word of the test's header comment. */
  readonly expected: Verdict | null;
  /** The result INDEX.tsv gives the file, when there is an index. */
  readonly indexed: Verdict | null;
  readonly result: LitmusResult | null;
  readonly error: string | null;
  /** The verdict equals the expected one (Result line, else INDEX.tsv); null when nothing to compare. */
  readonly agrees: boolean | null;
}

export interface DirectoryReport {
  readonly dir: string;
  readonly index: string | null;
  readonly rows: readonly DirectoryRow[];
  readonly agree: number;
  readonly differ: number;
  readonly errors: number;
  readonly elapsedMs: number;
}

/** INDEX.tsv as a map from file name to its result. */
export function readIndex(path: string): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [file, result] = line.split('\t');
    if (file && result && (VERDICTS as readonly string[]).includes(result)) out.set(file, result as Verdict);
  }
  return out;
}

/** The INDEX.tsv that describes `dir`: in it, or in its parent (the kernel collection's layout). */
export function findIndex(dir: string): string | null {
  for (const p of [join(dir, 'INDEX.tsv'), join(dirname(dir), 'INDEX.tsv')]) if (existsSync(p)) return p;
  return null;
}

/** The `.litmus` files of `dir`, sorted. A missing directory is a one-line usage error. */
export function litmusFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new UsageError(`litmus: cannot read directory ${dir}`);
  }
  return names.filter((n) => n.endsWith('.litmus')).sort().map((n) => join(dir, n));
}

/** Run one file; a LitmusError becomes the row's error (anything else propagates). */
export function runLitmusFile(path: string, opts: LitmusOptions, indexed: Verdict | null = null): DirectoryRow {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { file: path, expected: null, indexed, result: null, error: `litmus: cannot read ${path}`, agrees: null };
  }
  try {
    const result = runLitmusText(text, path, opts);
    const want = result.expected ?? indexed;
    return { file: path, expected: result.expected, indexed, result, error: null, agrees: want === null ? null : result.verdict === want };
  } catch (e) {
    if (e instanceof LitmusError) return { file: path, expected: null, indexed, result: null, error: e.message, agrees: null };
    throw e;
  }
}

export function runLitmusDirectory(dir: string, opts: LitmusOptions = {}): DirectoryReport {
  const t0 = Date.now();
  const index = findIndex(dir);
  const verdicts = index ? readIndex(index) : new Map<string, Verdict>();
  const rows = litmusFiles(dir).map((f) => runLitmusFile(f, opts, verdicts.get(f.slice(dir.length).replace(/^[/\\]/, '')) ?? null));
  return {
    dir, index, rows,
    agree: rows.filter((r) => r.agrees === true).length,
    differ: rows.filter((r) => r.agrees === false).length,
    errors: rows.filter((r) => r.error !== null).length,
    elapsedMs: Date.now() - t0,
  };
}
