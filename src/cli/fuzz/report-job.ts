/**
 * One report of a campaign, made in a worker thread: minimize the bug's smallest token within the
 * job's budget -- keeping the bug's signature, so the report can never be filed under another bug --
 * then build the report of the result (src/report) and render it as markdown, HTML and JSON. The
 * report says what minimization achieved: "minimized from N steps / P preemptions", that the budget
 * ran out before the fixed point, or "not minimized: <why>" (no budget left, the minimizer failed).
 * Leaves out: files and the record (report-stage.ts, in the main thread, writes both).
 */
import { replay } from '../../check.js';
import type { AnyModel } from '../../engine/model.js';
import { buildReport } from '../../report/build.js';
import { renderHtml } from '../../report/html.js';
import { renderMarkdown } from '../../report/markdown.js';
import { type Report, reportJson } from '../../report/report.js';
import { minimize } from '../../shrink/minimize.js';
import { resolveModel } from '../resolve.js';
import type { MinimizeMsg, ReportMsg } from './messages.js';
import { signature } from './signature.js';

/**
 * Executions the scenario phase searches each smaller scenario with (mapcheck minimize: 200). A
 * tenth of the default campaign's bugs end a few steps longer with 60, and minimizing all of them
 * costs under half the CPU time: the campaign's reports reach this minimizer's fixed point.
 */
export const CAMPAIGN_SEARCH_BUDGET = 60;

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'error';

function build(model: AnyModel, m: MinimizeMsg): { report: Report; token: string } {
  const bug = m.bug !== undefined ? { bug: m.bug } : {};
  if (m.budgetMs > 0) {
    try {
      const min = minimize(model, m.token, {
        timeMs: m.budgetMs, searchBudget: CAMPAIGN_SEARCH_BUDGET, keep: (v, names) => signature(model, v, names) === m.signature,
      });
      return { report: buildReport(model, min.token, { minimized: { from: min.before, fixedPoint: min.fixedPoint }, ...bug }), token: min.token };
    } catch (e) {
      return { report: buildReport(model, m.token, { notMinimized: `the minimizer failed (${why(e)})`, ...bug }), token: m.token };
    }
  }
  return { report: buildReport(model, m.token, { notMinimized: m.reason, ...bug }), token: m.token };
}

/** Run one minimize job; never throws (a failure comes back as `files: null` with the error). */
export function runReportJob(m: MinimizeMsg): ReportMsg {
  const t0 = Date.now();
  const base = { type: 'report' as const, n: m.n, signature: m.signature };
  try {
    const model = resolveModel(m.model);
    const { report, token } = build(model, m);
    const mz = report.minimization;
    const from = mz.status === 'not-minimized' ? { steps: report.size.steps, preemptions: report.size.preemptions } : { steps: mz.from.steps, preemptions: mz.from.preemptions };
    return {
      ...base, files: { md: renderMarkdown(report), html: renderHtml(report), json: reportJson(report) }, status: mz.status, token,
      steps: report.size.steps, preemptions: report.size.preemptions, from, ...(mz.status !== 'minimized' ? { reason: mz.reason } : {}),
      elapsedMs: Date.now() - t0,
    };
  } catch (e) {
    let size = { steps: 0, preemptions: 0 };
    try {
      const r = replay(resolveModel(m.model), m.token);
      size = { steps: r.exec.steps, preemptions: r.exec.preemptions };
    } catch { /* the error below says enough */ }
    return { ...base, files: null, status: 'not-minimized', token: m.token, ...size, from: size, reason: why(e), elapsedMs: Date.now() - t0, error: why(e) };
  }
}
