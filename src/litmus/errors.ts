/**
 * The one-line errors of the litmus front end. Every problem with a litmus file (a syntax error,
 * a construct the front end does not support, a name no process declares, a run-time error such as
 * dereferencing a number) is a LitmusError: a UsageError whose message names the file, the line and
 * the construct, so the CLI prints it as one line with exit code 2 and never a stack trace.
 * Leaves out: errors of the engine itself (those stay internal errors, exit 3).
 */
import { UsageError } from '../index.js';
import type { Pos } from './ast.js';

export class LitmusError extends UsageError {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(message);
  }
}

/** `FILE:LINE: syntax error in CONSTRUCT: DETAIL`. */
export function syntaxError(file: string, pos: Pos, construct: string, detail: string): LitmusError {
  return new LitmusError(file, pos.line, `${file}:${pos.line}: syntax error in ${construct}: ${detail}`);
}

/** `unsupported construct CONSTRUCT at FILE:LINE (WHY)`. */
export function unsupported(file: string, pos: Pos, construct: string, why?: string): LitmusError {
  return new LitmusError(file, pos.line, `unsupported construct ${construct} at ${file}:${pos.line}${why !== undefined ? ` (${why})` : ''}`);
}

/** `FILE:LINE: MESSAGE` for a test that parses but cannot mean anything (an unknown name, ...). */
export function semanticError(file: string, pos: Pos, message: string): LitmusError {
  return new LitmusError(file, pos.line, `${file}:${pos.line}: ${message}`);
}
