/**
 * The campaign's report stage (on finish and on SIGINT): for every signature that is new in this
 * session, or whose smallest token changed since its report was written, minimize the token
 * (src/shrink) and write `reports/<signature>.md`, `.html` and `.json`. Rendering uses src/report
 * (`buildReport`, `renderMarkdown`, `renderHtml`, `reportJson`), loaded at run time so the campaign
 * still writes a plain report (violation, op trace, replay command) when a renderer is missing.
 * The whole stage has a time budget; past it, reports are written from the unminimized token.
 * Model code (minimizing, replaying) runs in the sandbox (sandbox.ts), one job per report, so a
 * counterexample that makes the model loop or blow its heap costs that report, not the campaign.
 * Leaves out: hang findings (no token exists for a run that never finished: their record says how
 * to reproduce them).
 */
import { join } from 'node:path';
import { thrownText } from '../../engine/thrown.js';
import { mdCode, mdFence, mdText } from '../../report/escape.js';
import type { PlainReplay } from '../sandbox-jobs.js';
import { runSandboxed } from '../sandbox.js';
import { writeAtomic } from './files.js';
import type { FindingRecord } from './store.js';

interface Renderers {
  renderMarkdown?: (r: unknown) => string;
  renderHtml?: (r: unknown) => string;
  reportJson?: (r: unknown) => string;
}

let renderers: Renderers | null = null;

async function loadRenderers(): Promise<Renderers> {
  if (renderers) return renderers;
  const spec = '../../report/index.js';
  try {
    renderers = (await import(spec)) as Renderers;
  } catch {
    renderers = {};
  }
  return renderers;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Plain report (violation, trace, replay command) when no full report can be built or rendered. */
function plain(p: PlainReplay, rec: FindingRecord, token: string): { md: string; html: string; json: string } {
  const v = p.violation;
  const head = v ? v.title : `${rec.title} (does not reproduce any more)`;
  const md = [
    `# ${mdText(head)}`, '', mdText(v ? v.message : rec.message), '',
    `model ${mdCode(p.model)} (hash ${p.hash.toString(16)}), scenario ${mdCode(rec.scenario)}, ${p.steps} steps, ${p.preemptions} preemptions`, '',
    ...mdFence(p.trace), '', `replay: ${mdCode(`npx mapcheck replay ${token}`)}`, '',
  ].join('\n');
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(head)}</title><h1>${esc(head)}</h1><p>${esc(v ? v.message : rec.message)}</p><pre>${esc(p.trace.join('\n'))}</pre><p>replay: <code>npx mapcheck replay ${esc(token)}</code></p>\n`;
  const json = `${JSON.stringify({ format: 'mapcheck-report-plain', version: 1, model: p.model, hash: p.hash, scenario: rec.scenario, violation: v, trace: p.trace, token }, null, 2)}\n`;
  return { md, html, json };
}

export interface ReportStageResult {
  readonly written: number;
  readonly errors: string[];
}

/** Write the reports that are due; calls `done(sig, path, token)` for each. */
export async function writeReports(
  dir: string, records: readonly FindingRecord[], fresh: ReadonlySet<string>, budgetMs: number,
  done: (sig: string, path: string, token: string) => Promise<void>, log: (line: string) => void,
): Promise<ReportStageResult> {
  const due = records.filter((r) => r.token !== '' && (fresh.has(r.signature) || r.report_token !== r.token || r.report === undefined));
  const deadline = Date.now() + budgetMs;
  const rr = await loadRenderers();
  const errors: string[] = [];
  let written = 0;
  for (const [i, rec] of due.entries()) {
    try {
      const left = deadline - Date.now();
      const per = Math.min(8000, Math.floor(left / (due.length - i)));
      const known = rec.known?.[0];
      const r = await runSandboxed({
        kind: 'report', token: rec.token, minimize: left > 500, timeMs: Math.max(per, 0), plainFallback: true,
        ...(known !== undefined ? { bug: known } : {}),
      }, { what: `model '${rec.model}'` });
      for (const n of r.notes) log(`  ${rec.signature}: ${n}`);
      let out;
      if (r.report && rr.renderMarkdown && rr.renderHtml) {
        out = { md: rr.renderMarkdown(r.report), html: rr.renderHtml(r.report), json: rr.reportJson ? rr.reportJson(r.report) : `${JSON.stringify(r.report, null, 2)}\n` };
      } else if (r.plain) {
        out = plain(r.plain, rec, rec.token);
      } else {
        throw new Error('no report and no replay came back');
      }
      const base = join('reports', rec.signature);
      writeAtomic(join(dir, `${base}.md`), out.md);
      writeAtomic(join(dir, `${base}.html`), out.html);
      writeAtomic(join(dir, `${base}.json`), out.json);
      await done(rec.signature, `${base}.md`, rec.token);
      written++;
    } catch (e) {
      errors.push(`${rec.signature}: ${thrownText(e)}`);
    }
  }
  return { written, errors };
}
