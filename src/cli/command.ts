/**
 * The shape of a CLI command (Quint-style typed stages): declared flags, a summary for `--help`,
 * and a `run` that returns the exit code. Exit codes are stable and scripted against:
 * 0 = nothing found / success, 1 = a violation was found (or reproduced), 2 = usage error,
 * 3 = internal error (a bug in mapcheck itself).
 * Leaves out: the dispatcher (main.ts) and the commands themselves (commands/).
 */
import { termText } from '../report/escape.js';
import type { FlagSpec, Parsed } from './args.js';

export const EXIT_OK = 0;
export const EXIT_FOUND = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** Where a command writes: injectable so tests run commands in-process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  /** Working directory for relative paths. */
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  run(args: Parsed, io: CliIO): Promise<number> | number;
}

/**
 * The real terminal. Everything printed goes through termText: a model's strings and a token's
 * scenario (echoed in results and one-line errors) cannot send escape sequences to the terminal
 * (inside JSON strings, the `\u…` escapes it writes are JSON's own, so values are unchanged).
 */
export const processIO: CliIO = {
  out: (t) => void process.stdout.write(termText(t.endsWith('\n') ? t : `${t}\n`)),
  err: (t) => void process.stderr.write(termText(t.endsWith('\n') ? t : `${t}\n`)),
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
};
