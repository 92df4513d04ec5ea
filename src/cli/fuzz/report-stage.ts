/**
 * The campaign's report stage (on finish and on SIGINT): for every signature that is new in this
 * session, or whose smallest token changed since its report was written, minimize the token
 * (src/shrink) and write `reports/<signature>.md`, `.html` and `.json`. Rendering uses src/report
 * (`buildReport`, `renderMarkdown`, `renderHtml`, `reportJson`), loaded at run time so the campaign
 * still writes a plain report (violation, op trace, replay command) when a renderer is missing.
 * The whole stage has a time budget; past it, reports are written from the unminimized token.
 * Leaves out: hang findings (no token exists for a run that never finished: their record says how
 * to reproduce them).
 */
import { join } from 'node:path';
import { describeTrace, replay } from '../../check.js';
import type { AnyModel } from '../../engine/model.js';
import { minimize } from '../../shrink/index.js';
import { commandFor, resolveModel } from '../resolve.js';
import { writeAtomic } from './files.js';
import type { FindingRecord } from './store.js';

interface Renderers {
  buildReport?: (model: AnyModel, token: string, extra?: Record<string, unknown>) => unknown;
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

/** Plain report when src/report is not available: violation, trace, replay command. */
function plain(model: AnyModel, rec: FindingRecord, token: string): { md: string; html: string; json: string } {
  const r = replay(model, token);
  const v = r.violation;
  const trace = describeTrace(r);
  const head = v ? v.title : `${rec.title} (does not reproduce any more)`;
  const md = [
    `# ${head}`, '', v ? v.message : rec.message, '',
    `model \`${model.name}\` (hash ${model.hash.toString(16)}), scenario \`${rec.scenario}\`, ${r.exec.steps} steps, ${r.exec.preemptions} preemptions`, '',
    '```', ...trace, '```', '', `replay: \`${commandFor('replay', token, model.name)}\``, '',
  ].join('\n');
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(head)}</title><h1>${esc(head)}</h1><p>${esc(v ? v.message : rec.message)}</p><pre>${esc(trace.join('\n'))}</pre><p>replay: <code>${esc(commandFor('replay', token, model.name))}</code></p>\n`;
  const json = `${JSON.stringify({ format: 'mapcheck-report-plain', version: 1, model: model.name, hash: model.hash, scenario: rec.scenario, violation: v, trace, token }, null, 2)}\n`;
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
      const model = resolveModel(rec.model);
      let token = rec.token;
      const left = deadline - Date.now();
      if (left > 500) {
        try {
          const per = Math.min(8000, Math.floor(left / (due.length - i)));
          token = minimize(model, rec.token, { timeMs: per }).token;
        } catch (e) {
          log(`  ${rec.signature}: not minimized (${e instanceof Error ? e.message : String(e)})`);
        }
      }
      let out = plain(model, rec, token);
      if (rr.buildReport) {
        const known = rec.known?.[0];
        const rep = rr.buildReport(model, token, known !== undefined ? { bug: known } : {});
        out = {
          md: rr.renderMarkdown ? rr.renderMarkdown(rep) : out.md,
          html: rr.renderHtml ? rr.renderHtml(rep) : out.html,
          json: rr.reportJson ? rr.reportJson(rep) : `${JSON.stringify(rep, null, 2)}\n`,
        };
      }
      const base = join('reports', rec.signature);
      writeAtomic(join(dir, `${base}.md`), out.md);
      writeAtomic(join(dir, `${base}.html`), out.html);
      writeAtomic(join(dir, `${base}.json`), out.json);
      await done(rec.signature, `${base}.md`, rec.token);
      written++;
    } catch (e) {
      errors.push(`${rec.signature}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { written, errors };
}
