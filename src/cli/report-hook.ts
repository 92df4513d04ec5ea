/**
 * The report stage of `mapcheck check`: registered as a finding hook, it minimizes the finding and
 * builds its report in the sandbox (sandbox.ts: model code never runs in the main thread), writes
 * it as md + html + json into `--report-dir` (default `reports/` under the working directory) and
 * returns the markdown path, which check prints. `--no-report` skips it (check itself does not
 * call hooks then). A failure to minimize never hides the finding: the report is then built from
 * the unminimized token, and when even that replay does not show the violation (findings that
 * depend on earlier executions, like lockdep's graph) a one-line note says so.
 * Leaves out: the campaign's deduplicated report directory (the campaign calls report-files.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExploreResult } from '../engine/explore.js';
import { thrownText } from '../engine/thrown.js';
import { UsageError } from '../engine/violation.js';
import { type FlagValues, str } from './args.js';
import type { CliIO } from './command.js';
import { onFinding } from './commands/check.js';
import { writeReportFiles } from './report-files.js';
import { SandboxStop, runSandboxed, sandboxOptions } from './sandbox.js';

export async function reportFinding(r: ExploreResult, flags: Record<string, unknown>, io: CliIO): Promise<string | undefined> {
  if (!r.finding) return undefined;
  const f = flags as FlagValues;
  const dir = resolve(io.cwd, str(f, 'report-dir') ?? 'reports');
  if (notADirectory(dir)) throw new UsageError(`--report-dir ${dir} is not a directory`);
  let out;
  try {
    out = await runSandboxed({ kind: 'report', token: r.finding.token, minimize: true }, sandboxOptions(f, io.cwd, `model '${r.model}'`));
  } catch (e) {
    // E.g. a lock-order finding that needs the lock graph of earlier executions: no single replay shows it.
    io.err(`mapcheck: no report written: ${e instanceof SandboxStop ? e.message : `the finding does not show up when its token is replayed alone (${thrownText(e)})`}`);
    return undefined;
  }
  for (const n of out.notes) io.err(`mapcheck: ${n}`);
  return out.report ? writeReportFiles(dir, out.report).md : undefined;
}

function notADirectory(dir: string): boolean {
  return existsSync(dir) && !statSync(dir).isDirectory();
}

onFinding(reportFinding);
