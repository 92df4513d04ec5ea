/**
 * The report stage of `mapcheck check`: registered as a finding hook, it minimizes the finding,
 * writes its report as md + html + json into `--report-dir` (default `reports/` under the working
 * directory) and returns the markdown path, which check prints. `--no-report` skips it (check
 * itself does not call hooks then). A failure to minimize never hides the finding: the report is
 * then built from the unminimized token.
 * Leaves out: the campaign's deduplicated report directory (the campaign calls report-files.ts).
 */
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
  let report;
  try {
    report = minimizedReport(model, r.finding.token).report;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    io.err(`mapcheck: minimizing failed (${e instanceof Error ? e.message : String(e)}); writing the unminimized report`);
    report = buildReport(model, r.finding.token);
  }
  return Promise.resolve(writeReportFiles(dir, report).md);
}

onFinding(reportFinding);
