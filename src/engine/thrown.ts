/**
 * Describing a value model code threw, without trusting it: `throw` takes any value, and a hostile
 * or broken one — an object whose `toString` or `message` getter throws, a Proxy whose traps throw,
 * a Symbol, a string of megabytes — must still become one line of a violation or an error message,
 * never a second exception out of the handler (which the CLI would report as its own internal error).
 * Leaves out: stack traces (reports show the model's ops, not ours).
 */
import { UsageError } from './violation.js';

/** Longest description kept (a thrown multi-megabyte string is cut). */
const MAX = 500;

export interface Thrown {
  /** `TypeError: x is undefined`, `'some string'`, `an object whose toString threw`, ... */
  readonly text: string;
  /** The value was a mapcheck UsageError (API misuse, or a model refusing its parameters). */
  readonly usage: boolean;
}

function cut(s: string): string {
  const line = s.replace(/\s*\n\s*/g, ' ');
  return line.length > MAX ? `${line.slice(0, MAX - 3)}...` : line;
}

function attempt(f: () => unknown): string | null {
  try {
    const v = f();
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** Describe a thrown value; never throws. */
export function describeThrown(e: unknown): Thrown {
  let usage = false;
  try {
    usage = e instanceof UsageError;
    if (e instanceof Error) {
      const name = attempt(() => e.name) ?? 'Error';
      const message = attempt(() => e.message) ?? '(its message could not be read)';
      return { text: cut(name === 'Error' || usage ? message : `${name}: ${message}`), usage };
    }
  } catch {
    // instanceof itself threw (a Proxy's getPrototypeOf trap): fall through to the plain cases.
  }
  if (typeof e === 'string') return { text: cut(e), usage: false };
  if (typeof e === 'symbol') return { text: cut(attempt(() => e.toString()) ?? 'a symbol'), usage: false };
  if (e === null || typeof e !== 'object' && typeof e !== 'function') return { text: cut(String(e)), usage: false };
  const s = attempt(() => String(e));
  return { text: s === null ? `a thrown ${typeof e} whose toString threw` : cut(s), usage };
}

/** The one-line text of a thrown value (see describeThrown). */
export function thrownText(e: unknown): string {
  return describeThrown(e).text;
}
