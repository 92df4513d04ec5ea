/**
 * `mapcheck report <token|report.json> [--format md|json|html|text] [--out path] [--no-minimize]`:
 * render a counterexample report. From a token it minimizes first (unless --no-minimize), then
 * builds the report; from a report JSON file it re-renders it (a file of a newer format version
 * is refused with one line). Without --out it prints to stdout; with --out it writes the file and
 * prints its path. Exit 0 on success, 2 on bad input (token, file, format version, unwritable path).
 * Model code (minimizing, replaying) runs in the sandbox (sandbox.ts): exit 2 with one line when a
 * token makes the model loop or allocate without bound.
 * Leaves out: batch generation (scripts/examples.ts writes the curated examples).
 */
import { resolve } from 'node:path';
import { TOKEN_PREFIX, decodeToken } from '../../engine/token.js';
import { thrownText } from '../../engine/thrown.js';
import { UsageError } from '../../engine/violation.js';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../../report/render.js';
import { type Report, parseReport } from '../../report/report.js';
import { type FlagValues, bool, num, str } from '../args.js';
import { type CliIO, type Command, EXIT_OK } from '../command.js';
import { readTextFile } from '../fuzz/files.js';
import { writeOut } from '../report-files.js';
import { SANDBOX_FLAGS, runSandboxed, sandboxOptions } from '../sandbox.js';

async function load(arg: string, f: FlagValues, io: CliIO): Promise<Report> {
  if (arg.trim().startsWith(TOKEN_PREFIX)) {
    const s = decodeToken(arg); // a malformed token is refused before any worker starts
    const timeMs = num(f, 'time');
    const out = await runSandboxed({ kind: 'report', token: arg.trim(), minimize: !bool(f, 'no-minimize'), ...(timeMs !== undefined ? { timeMs } : {}) },
      sandboxOptions(f, io.cwd, `model '${s.model}'`));
    for (const n of out.notes) io.err(`mapcheck: ${n}`);
    if (!out.report) throw new UsageError(`no report for this token of ${s.model}`);
    return out.report;
  }
  let text: string;
  try {
    text = readTextFile(resolve(io.cwd, arg), 'report file');
  } catch (e) {
    throw new UsageError(`report: '${arg.slice(0, 60)}' is neither a token (mc1.…) nor a readable report file (${thrownText(e).replace(/^cannot read report file \S+: /, '')})`);
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
    ...SANDBOX_FLAGS,
  },
  async run(args, io) {
    const [input, extra] = args.positional;
    if (input === undefined) throw new UsageError('report: give a token (mc1.…) or a report .json file');
    if (extra !== undefined) throw new UsageError(`report: unexpected argument '${extra.slice(0, 20)}'`);
    const report = await load(input, args.flags, io);
    const out = str(args.flags, 'out');
    const format = (str(args.flags, 'format') ?? (out?.endsWith('.html') ? 'html' : out?.endsWith('.json') ? 'json' : 'md')) as ReportFormat;
    let text: string;
    try {
      text = renderReport(report, format);
    } catch (e) {
      // A report file is outside input: one with fields of the wrong shape is the file's fault.
      throw new UsageError(`report: ${input.slice(0, 60)} is not a well-formed report (${thrownText(e)})`);
    }
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
