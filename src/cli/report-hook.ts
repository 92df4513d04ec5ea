/**
 * The report stage of `mapcheck check`: registered as a finding hook, it minimizes the finding,
 * writes its report as md + html + json into `--report-dir` (default `reports/` under the working
 * directory) and returns the markdown path, which check prints. `--no-report` skips it (check
 * itself does not call hooks then). A failure to minimize never hides the finding: the report is
 * then built from the unminimized token, and when even that replay does not show the violation
 * (findings that depend on earlier executions, like lockdep's graph) a one-line note says so.
 * Leaves out: the campaign's deduplicated report directory (the campaign calls report-files.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../engine/violation.js';
import { buildReport } from '../report/build.js';
import { str } from './args.js';
import type { CliIO } from './command.js';
import { onFinding } from './commands/check.js';
import type { ExploreResult } from '../engine/explore.js';
import { minimizedReport, writeReportFiles } from './report-files.js';
import { resolveModel } from './resolve.js';

export async function reportFinding(r: ExploreResult, flags: Record<string, unknown>, io: CliIO): Promise<string | undefined> {
  if (!r.finding) return undefined;
  const model = resolveModel(r.model);
  const dir = resolve(io.cwd, str(flags as Record<string, string | number | boolean | undefined>, 'report-dir') ?? 'reports');
  const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  let report;
  try {
    report = minimizedReport(model, r.finding.token).report;
  } catch (e) {
    try {
      report = buildReport(model, r.finding.token, { notMinimized: `the minimizer failed (${why(e)})` });
      io.err(`mapcheck: could not minimize the finding (${why(e)}); the report shows it as found`);
    } catch (e2) {
      // E.g. a lock-order finding that needs the lock graph of earlier executions: no single replay shows it.
      io.err(`mapcheck: no report written: the finding does not show up when its token is replayed alone (${why(e2)})`);
      return undefined;
    }
  }
  if (notADirectory(dir)) throw new UsageError(`--report-dir ${dir} is not a directory`);
  return Promise.resolve(writeReportFiles(dir, report).md);
}

function notADirectory(dir: string): boolean {
  return existsSync(dir) && !statSync(dir).isDirectory();
}

onFinding(reportFinding);
