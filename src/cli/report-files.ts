/**
 * Writing reports to disk, shared by `mapcheck report`, the finding hook of `mapcheck check` and
 * the curated-examples script: minimize a token, build its report, write it as md + html + json
 * under a directory with a stable name (`<model>-<kind>-<token crc>.md`). An unwritable path is a
 * one-line UsageError (exit 2), never a stack trace.
 * Leaves out: choosing what to minimize (the callers).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { crc32 } from '../engine/hash.js';
import type { AnyModel } from '../engine/model.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { buildReport } from '../report/build.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { type Report, reportJson } from '../report/report.js';
import { type MinimizeResult, minimize } from '../shrink/minimize.js';
import { sameViolation } from '../shrink/same.js';

/**
 * mkdir -p, one level at a time: Node's own `recursive: true` spins forever under /proc on this
 * kernel instead of failing, so each missing level is created (and fails) on its own.
 */
function makeDirs(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    return;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  mkdirSync(dir);
}

/** Write `text` to `path`, creating its directory; one-line UsageError when that fails. */
export function writeOut(path: string, text: string): void {
  try {
    makeDirs(dirname(resolve(path)));
    writeFileSync(path, text);
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    throw new UsageError(`cannot write ${path} (${code}): choose a writable path`);
  }
}

/** Minimize `token` and build the report of the minimized schedule. */
export function minimizedReport(model: AnyModel, token: string, opts: { timeMs?: number; maxRuns?: number; bug?: string; target?: Violation } = {}): { report: Report; min: MinimizeResult } {
  const min = minimize(model, token, {
    ...(opts.timeMs !== undefined ? { timeMs: opts.timeMs } : {}), ...(opts.maxRuns !== undefined ? { maxRuns: opts.maxRuns } : {}),
    ...(opts.target !== undefined ? { target: opts.target } : {}),
  });
  const focus = (v: Violation): boolean => sameViolation(min.violation, v, model);
  const report = buildReport(model, min.token, { minimized: { from: min.before, fixedPoint: min.fixedPoint }, focus, ...(opts.bug !== undefined ? { bug: opts.bug } : {}) });
  return { report, min };
}

/** The file stem of a report: model, violation kind and a short checksum of the token. */
export function reportStem(r: Report): string {
  const model = r.model.name.replace(/[^a-z0-9.-]+/gi, '-');
  const crc = crc32(new TextEncoder().encode(r.token)).toString(16).padStart(8, '0');
  return `${model}-${r.bug ?? r.kind}-${crc}`;
}

/** Write md, html and json of `r` under `dir` (stem from reportStem unless given); returns the md path. */
export function writeReportFiles(dir: string, r: Report, stem = reportStem(r)): { md: string; html: string; json: string } {
  const base = join(resolve(dir), stem);
  const paths = { md: `${base}.md`, html: `${base}.html`, json: `${base}.json` };
  writeOut(paths.md, renderMarkdown(r));
  writeOut(paths.html, renderHtml(r));
  writeOut(paths.json, reportJson(r));
  return paths;
}
