/**
 * `mapcheck litmus FILE.litmus|DIR... [--memory-model sc|lkmm] [--strategy dpor|dfs] [--budget N]
 * [--expect] [--json]`: runs C litmus tests of the kernel's tools/memory-model (src/litmus) and
 * prints, per file, herd7's verdict block (Always / Sometimes / Never, the final states, the
 * witnesses, `Flag data-race`); a directory runs every `.litmus` in it and prints a summary table.
 * `--expect` compares each verdict with the test's `Result:` line (or the collection's INDEX.tsv)
 * and exits 1 on any difference. A file that cannot be parsed or run is one line on stderr naming
 * the file, line and construct, and the exit code is 2. The default memory model is 'lkmm'
 * (src/engine/lkmm; load buffering is out of its reach, see docs).
 * Leaves out: herd7's other options (-speedcheck, -show): mapcheck always lists every state.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MEMORY_MODELS, type MemoryModelName } from '../../engine/exec-types.js';
import { UsageError } from '../../engine/violation.js';
import {
  type DirectoryReport, type DirectoryRow, LITMUS_STRATEGIES, type LitmusOptions, type LitmusStrategy, findIndex, formatResult,
  formatTable, readIndex, resultJson, runLitmusDirectory, runLitmusFile,
} from '../../litmus/index.js';
import { bool, num, str } from '../args.js';
import { type Command, EXIT_FOUND, EXIT_OK, EXIT_USAGE } from '../command.js';

function rowJson(row: DirectoryRow): Record<string, unknown> {
  const base = { file: row.file, expected: row.expected, indexed: row.indexed, agrees: row.agrees };
  return row.result ? { ...base, ...resultJson(row.result), file: row.file } : { ...base, error: row.error };
}

/** A single file, with the INDEX.tsv of its collection when there is one. */
function fileRow(path: string, opts: LitmusOptions): DirectoryRow {
  const index = findIndex(dirname(path));
  const indexed = index ? (readIndex(index).get(path.replace(/^.*[/\\]/, '')) ?? null) : null;
  return runLitmusFile(path, opts, indexed);
}

export const litmusCommand: Command = {
  name: 'litmus',
  usage: 'litmus FILE.litmus|DIR... [--memory-model M] [--expect] [--json]',
  summary: "run C litmus tests of tools/memory-model; print herd7's verdicts",
  flags: {
    'memory-model': { type: { oneOf: MEMORY_MODELS }, help: `memory model: ${MEMORY_MODELS.join('|')} (default lkmm)` },
    strategy: { type: { oneOf: LITMUS_STRATEGIES }, help: `exhaustive exploration: ${LITMUS_STRATEGIES.join('|')} (default dpor)` },
    budget: { type: 'int', min: 1, help: 'executions per test before giving up (default 1000000)' },
    expect: { type: 'bool', help: "compare with each test's Result: line; exit 1 on any difference" },
    json: { type: 'bool', help: 'print one JSON object' },
  },
  run(args, io) {
    if (args.positional.length === 0) throw new UsageError('litmus: which tests? give .litmus files or directories');
    const memoryModel = (str(args.flags, 'memory-model') ?? 'lkmm') as MemoryModelName;
    const strategy = (str(args.flags, 'strategy') ?? 'dpor') as LitmusStrategy;
    const budget = num(args.flags, 'budget');
    const opts: LitmusOptions = { memoryModel, strategy, ...(budget !== undefined ? { maxExecutions: budget } : {}) };
    const expect = bool(args.flags, 'expect');
    const json = bool(args.flags, 'json');
    const rows: DirectoryRow[] = [];
    const dirs: DirectoryReport[] = [];
    const blocks: string[] = [];
    try {
      for (const arg of args.positional) {
        const path = resolve(io.cwd, arg);
        let isDir: boolean;
        try {
          isDir = statSync(path).isDirectory();
        } catch {
          rows.push({ file: arg, expected: null, indexed: null, result: null, error: `litmus: no such file or directory: ${arg}`, agrees: null });
          continue;
        }
        if (isDir) {
          const rep = runLitmusDirectory(path, opts);
          dirs.push(rep);
          rows.push(...rep.rows);
          if (!json) blocks.push(formatTable(rep, memoryModel));
        } else {
          const row = fileRow(path, opts);
          rows.push(row);
          if (!json && row.result) blocks.push(formatResult(row.result, expect ? (row.expected ?? row.indexed) : undefined));
        }
      }
    } catch (e) {
      if (e instanceof UsageError && /memory model/.test(e.message)) throw new UsageError(`litmus --memory-model ${memoryModel}: ${e.message}`);
      throw e;
    }
    const errors = rows.filter((r) => r.error !== null);
    const mismatches = rows.filter((r) => r.result && r.agrees !== true);
    if (json) {
      io.out(JSON.stringify({
        memoryModel, strategy, results: rows.map(rowJson),
        directories: dirs.map((d) => ({ dir: d.dir, index: d.index, agree: d.agree, differ: d.differ, errors: d.errors, elapsedMs: d.elapsedMs })),
        errors: errors.length, mismatches: expect ? mismatches.length : null,
      }));
    } else {
      if (blocks.length > 0) io.out(blocks.join('\n\n'));
    }
    for (const r of errors) io.err(r.error as string);
    if (errors.length > 0) return EXIT_USAGE;
    return expect && mismatches.length > 0 ? EXIT_FOUND : EXIT_OK;
  },
};
