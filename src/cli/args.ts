/**
 * Typed command-line flags for the mapcheck CLI: each command declares its flags (string, integer,
 * boolean, enum, duration), and `parseArgs` either returns typed values or throws a UsageError with
 * one sentence naming the bad flag — never a stack trace. Durations accept `90s`, `10m`, `2h`.
 * Leaves out: abbreviations and `--no-x` forms (explicit is easier to script against).
 */
import { UsageError } from '../engine/violation.js';

export type FlagType = 'string' | 'int' | 'bool' | 'duration' | { readonly oneOf: readonly string[] };

export interface FlagSpec {
  readonly type: FlagType;
  readonly help: string;
  /** Allowed to repeat: values are collected into a comma-joined string. */
  readonly repeat?: boolean;
  readonly min?: number;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface Parsed {
  readonly positional: string[];
  readonly flags: FlagValues;
}

/** Parse `--x=1`, `--x 1` and bare `--flag` booleans; positional arguments in order. */
export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>, command: string): Parsed {
  const positional: string[] = [];
  const flags: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
        throw new UsageError(`${command}: unknown option '${a}' (options are long: ${Object.keys(specs).map((k) => `--${k}`).join(' ')})`);
      }
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs).map((k) => `--${k}`).join(' ');
      throw new UsageError(`${command}: unknown option '--${name}'${known ? ` (known: ${known})` : ''}`);
    }
    let raw: string | undefined = eq >= 0 ? a.slice(eq + 1) : undefined;
    if (spec.type === 'bool') {
      if (raw !== undefined && raw !== 'true' && raw !== 'false') throw new UsageError(`${command}: --${name} takes no value (or =true/=false)`);
      flags[name] = raw !== 'false';
      continue;
    }
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${command}: --${name} needs a value (${describe(spec.type)})`);
      raw = next;
      i++;
    }
    const v = convert(raw, spec, name, command);
    const prev = flags[name];
    flags[name] = spec.repeat && typeof prev === 'string' ? `${prev},${String(v)}` : v;
  }
  return { positional, flags };
}

function describe(t: FlagType): string {
  if (typeof t === 'object') return `one of ${t.oneOf.join('|')}`;
  return t === 'int' ? 'a whole number' : t === 'duration' ? 'a duration like 90s, 10m, 2h' : 'text';
}

function convert(raw: string, spec: FlagSpec, name: string, command: string): string | number {
  const t = spec.type;
  if (typeof t === 'object') {
    if (!t.oneOf.includes(raw)) throw new UsageError(`${command}: --${name} must be one of ${t.oneOf.join('|')} (got '${raw}')`);
    return raw;
  }
  if (t === 'int') {
    if (!/^\d+$/.test(raw)) throw new UsageError(`${command}: --${name} must be a whole number (got '${raw}')`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) throw new UsageError(`${command}: --${name} is too large (got '${raw}')`);
    if (spec.min !== undefined && n < spec.min) throw new UsageError(`${command}: --${name} must be at least ${spec.min} (got ${n})`);
    return n;
  }
  if (t === 'duration') return parseDuration(raw, `${command}: --${name}`);
  return raw;
}

/** `90s` / `10m` / `2h` / `500ms` / a bare number of seconds -> milliseconds. */
export function parseDuration(raw: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`${what} must be a duration like 90s, 10m or 2h (got '${raw}')`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  if (!(ms > 0)) throw new UsageError(`${what} must be positive (got '${raw}')`);
  return ms;
}

export function str(f: FlagValues, k: string): string | undefined {
  const v = f[k];
  return typeof v === 'string' ? v : undefined;
}

export function num(f: FlagValues, k: string): number | undefined {
  const v = f[k];
  return typeof v === 'number' ? v : undefined;
}

export function bool(f: FlagValues, k: string): boolean {
  return f[k] === true;
}
