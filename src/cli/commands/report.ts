/**
 * `mapcheck report <token|report.json> [--format md|json|html|text] [--out path] [--no-minimize]`:
 * render a counterexample report. From a token it minimizes first (unless --no-minimize), then
 * builds the report; from a report JSON file it re-renders it (a file of a newer format version
 * is refused with one line). Without --out it prints to stdout; with --out it writes the file and
 * prints its path. Exit 0 on success, 2 on bad input (token, file, format version, unwritable path).
 * Leaves out: batch generation (scripts/examples.ts writes the curated examples).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TOKEN_PREFIX } from '../../engine/token.js';
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { buildReport } from '../../report/build.js';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../../report/render.js';
import { type Report, parseReport } from '../../report/report.js';
import { bool, num, str } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';
import { minimizedReport, writeOut } from '../report-files.js';
import { resolveModel } from '../resolve.js';

function load(arg: string, cwd: string, minimizeFirst: boolean, timeMs: number | undefined): Report {
  if (arg.trim().startsWith(TOKEN_PREFIX)) {
    const s = decodeToken(arg);
    const model = resolveModel(s.model);
    if (!minimizeFirst) return buildReport(model, arg, { notMinimized: 'reported as recorded (--no-minimize)' });
    return minimizedReport(model, arg.trim(), timeMs !== undefined ? { timeMs } : {}).report;
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, arg), 'utf8');
  } catch (e) {
    throw new UsageError(`report: '${arg.slice(0, 60)}' is neither a token (mc1.…) nor a readable report file (${(e as { code?: string }).code ?? 'error'})`);
  }
  return parseReport(text);
}

export const reportCommand: Command = {
  name: 'report',
  usage: 'report <token|report.json> [--format md|json|html|text] [--out path]',
  summary: 'render a minimized counterexample report (markdown, JSON, HTML or text)',
  flags: {
    format: { type: { oneOf: REPORT_FORMATS }, help: 'md (default), json, html or text' },
    out: { type: 'string', help: 'write to this file instead of stdout' },
    'no-minimize': { type: 'bool', help: 'report the token as recorded, without minimizing it' },
    time: { type: 'duration', help: 'minimization time limit (default 8s)' },
  },
  run(args, io) {
    const [input, extra] = args.positional;
    if (input === undefined) throw new UsageError('report: give a token (mc1.…) or a report .json file');
    if (extra !== undefined) throw new UsageError(`report: unexpected argument '${extra.slice(0, 20)}'`);
    const report = load(input, io.cwd, !bool(args.flags, 'no-minimize'), num(args.flags, 'time'));
    const out = str(args.flags, 'out');
    const format = (str(args.flags, 'format') ?? (out?.endsWith('.html') ? 'html' : out?.endsWith('.json') ? 'json' : 'md')) as ReportFormat;
    const text = renderReport(report, format);
    if (out !== undefined) {
      const path = resolve(io.cwd, out);
      writeOut(path, text);
      io.out(path);
    } else {
      io.out(text);
    }
    return EXIT_OK;
  },
};
