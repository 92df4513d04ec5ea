/**
 * Replay tokens: a schedule encoded as one compact, versioned, copy-pasteable string.
 *
 *   mc1.<base64url( 'M' 'C' version | model | hash u32 | scenario | strategy | seed u32 |
 *                   mode | count varint | width u8 | steps bit-packed LSB-first | crc32 u32 )>
 *
 * `mode` (v2) is how the executions ran besides the schedule (keep-going, the memory model), so
 * replay runs the steps the same way; v1 tokens have no mode and still decode.
 *
 * Strings are varint-length-prefixed UTF-8. Steps are the flat decision list of an execution
 * (thread picks and choose values in order), each in `width` bits, width = bits of the largest step.
 * The CRC catches corruption from copy and paste; the model hash catches tokens recorded against
 * another version of the model. Errors are one sentence saying what to do.
 * Leaves out: compression beyond bit-packing (schedules of a few hundred steps stay short).
 */
import { crc32 } from './hash.js';
import { PARAMS_LIMITS } from './params.js';
import { UsageError } from './violation.js';

export const TOKEN_PREFIX = 'mc1.';
/** v2 adds the execution mode after the seed; v1 tokens still decode (mode: defaults). */
const VERSION = 2;

/** How the executions were run, beyond the schedule: replay must run them the same way. */
export interface ExecMode {
  /** Executions continued past non-fatal violations (explore's keepGoing). */
  readonly keepGoing?: boolean;
  /** The memory model the schedule's steps were recorded under ('sc' when absent). */
  readonly memoryModel?: string;
}

/** The mode as a short string for the token (`keep-going;mm=lkmm`), '' for the defaults. */
function modeString(m: ExecMode | undefined): string {
  if (m === undefined) return '';
  const parts: string[] = [];
  if (m.keepGoing === true) parts.push('keep-going');
  if (m.memoryModel !== undefined && m.memoryModel !== 'sc') parts.push(`mm=${m.memoryModel}`);
  return parts.join(';');
}

function parseMode(s: string): ExecMode | undefined {
  if (s === '') return undefined;
  let keepGoing = false;
  let memoryModel: string | undefined;
  for (const p of s.split(';')) {
    if (p === 'keep-going') keepGoing = true;
    else if (p.startsWith('mm=') && /^mm=[a-z0-9]{1,16}$/.test(p)) memoryModel = p.slice(3);
    else throw new UsageError(`token names an execution mode this mapcheck does not know ('${p.slice(0, 24)}'); use the mapcheck version that recorded it`);
  }
  return { ...(keepGoing ? { keepGoing } : {}), ...(memoryModel !== undefined ? { memoryModel } : {}) };
}

/** Longest token accepted (characters): room for the largest scenario and ~100 000 steps. */
export const MAX_TOKEN_LENGTH = 512 * 1024;
/** Model and strategy names in a token: printable, no spaces, bounded (they are echoed to terminals). */
const NAME_RE = /^[\x21-\x7e]{1,200}$/;

/** Why a token cannot carry these names (null when it can): they are echoed to terminals and reports. */
function headerProblem(model: string, scenario: string, strategy: string): string | null {
  if (!NAME_RE.test(model)) return 'its model name is empty, too long or not printable';
  if (!NAME_RE.test(strategy)) return 'its strategy name is empty, too long or not printable';
  if (scenario.length === 0 || scenario.length > PARAMS_LIMITS.maxBytes) return `its scenario is ${scenario.length} characters (1..${PARAMS_LIMITS.maxBytes} allowed)`;
  if (!/^[{[]/.test(scenario) && !/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,200}$/u.test(scenario)) return 'its scenario name is too long or not printable';
  return null;
}

/** A few characters of untrusted input, safe to echo: printable ASCII only. */
function echo(s: string): string {
  return s.slice(0, 12).replace(/[^\x20-\x7e]/g, '?');
}

export interface Schedule {
  readonly model: string;
  readonly hash: number;
  /** Scenario name, or the JSON of generated scenario parameters. */
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  readonly steps: readonly number[];
  /** Execution mode (keep-going, memory model); absent: the defaults. */
  readonly mode?: ExecMode;
}

class Writer {
  private buf = new Uint8Array(64);
  len = 0;
  byte(b: number): void {
    if (this.len === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.len++] = b & 0xff;
  }
  varint(v: number): void {
    let x = v >>> 0;
    while (x >= 0x80) {
      this.byte((x & 0x7f) | 0x80);
      x >>>= 7;
    }
    this.byte(x);
  }
  u32(v: number): void {
    for (let i = 0; i < 4; i++) this.byte((v >>> (8 * i)) & 0xff);
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.varint(b.length);
    for (const x of b) this.byte(x);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array, private readonly end: number) {}
  byte(): number {
    if (this.pos >= this.end) throw new UsageError('token is truncated: copy the whole token, it ends before its checksum');
    return this.b[this.pos++] as number;
  }
  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const x = this.byte();
      v += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) return v;
    }
    throw new UsageError('token is corrupt: a length field is malformed');
  }
  u32(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) v += this.byte() * 2 ** (8 * i);
    return v >>> 0;
  }
  str(): string {
    const n = this.varint();
    if (this.pos + n > this.end) throw new UsageError('token is truncated: a string field runs past its end');
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

export function encodeToken(s: Schedule): string {
  const bad = headerProblem(s.model, s.scenario, s.strategy);
  if (bad) throw new UsageError(`cannot encode a token: ${bad}`);
  const w = new Writer();
  w.byte(0x4d);
  w.byte(0x43);
  w.byte(VERSION);
  w.str(s.model);
  w.u32(s.hash);
  w.str(s.scenario);
  w.str(s.strategy);
  w.u32(s.seed);
  w.str(modeString(s.mode));
  w.varint(s.steps.length);
  let max = 0;
  for (const v of s.steps) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new UsageError(`schedule step ${v} cannot be encoded (steps are 0..65535)`);
    if (v > max) max = v;
  }
  const width = max === 0 ? 1 : 32 - Math.clz32(max);
  w.byte(width);
  let acc = 0;
  let bits = 0;
  for (const v of s.steps) {
    acc |= v << bits;
    bits += width;
    while (bits >= 8) {
      w.byte(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) w.byte(acc & 0xff);
  const body = w.bytes();
  w.u32(crc32(body));
  return TOKEN_PREFIX + Buffer.from(w.bytes()).toString('base64url');
}

export function decodeToken(token: string): Schedule {
  if (typeof token !== 'string') throw new UsageError(`not a mapcheck token: expected a string, got ${token === null ? 'null' : typeof token}`);
  if (token.length > MAX_TOKEN_LENGTH) throw new UsageError(`token is ${token.length} characters long; tokens are at most ${MAX_TOKEN_LENGTH}`);
  const t = token.trim();
  if (!t.startsWith(TOKEN_PREFIX)) {
    throw new UsageError(`not a mapcheck token: tokens start with '${TOKEN_PREFIX}' (got '${echo(t)}')`);
  }
  const payload = t.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) throw new UsageError('token is corrupt: it contains characters outside base64url');
  const buf = Buffer.from(payload, 'base64url');
  // Non-canonical base64url (stray bits in the last character) would decode like another token.
  if (buf.toString('base64url') !== payload) throw new UsageError('token is corrupt: its last character was changed (not canonical base64url)');
  const b = new Uint8Array(buf);
  if (b.length < 8) throw new UsageError('token is truncated: copy the whole token');
  const body = b.subarray(0, b.length - 4);
  const tail = new Reader(b, b.length);
  tail.pos = b.length - 4;
  if (crc32(body) !== tail.u32()) throw new UsageError('token is corrupt: its checksum does not match (was it cut or edited?)');
  const r = new Reader(b, b.length - 4);
  if (r.byte() !== 0x4d || r.byte() !== 0x43) throw new UsageError('not a mapcheck token: bad magic');
  const version = r.byte();
  if (version !== VERSION && version !== 1) throw new UsageError(`token format v${version} is not supported by this mapcheck (reads v1 and v${VERSION}); use the mapcheck version that recorded it`);
  const model = r.str();
  const hash = r.u32();
  const scenario = r.str();
  const strategy = r.str();
  const bad = headerProblem(model, scenario, strategy);
  if (bad) throw new UsageError(`token is corrupt: ${bad}`);
  const seed = r.u32();
  const mode = version >= 2 ? parseMode(r.str()) : undefined;
  const count = r.varint();
  const width = r.byte();
  if (width < 1 || width > 16) throw new UsageError('token is corrupt: bad step width');
  if (Math.ceil((count * width) / 8) !== b.length - 4 - r.pos) throw new UsageError('token is corrupt: step count does not match its length');
  const steps: number[] = [];
  let acc = 0;
  let bits = 0;
  const mask = (1 << width) - 1;
  for (let i = 0; i < count; i++) {
    while (bits < width) {
      acc |= r.byte() << bits;
      bits += 8;
    }
    steps.push(acc & mask);
    acc >>>= width;
    bits -= width;
  }
  return { model, hash, scenario, strategy, seed, steps, ...(mode ? { mode } : {}) };
}
