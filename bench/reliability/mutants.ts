/**
 * Token and scenario mutants for the reliability probes. Base tokens come from short runs of every
 * built-in model (named scenarios, and the same parameters as scenario JSON); a token mutant flips,
 * inserts, deletes or cuts bytes of the payload and, half of the time, recomputes the CRC so the
 * mutant gets past the checksum to the fields behind it; a scenario mutant edits the parameters
 * JSON at one spot (a huge or negative number, a fraction, a long string, a wrong type, an unknown
 * or missing field, a 100 000-item array, deep nesting, `__proto__`) and is encoded with a valid
 * CRC. Each mutant says whether its parameters fit the model's schema, the oracle of the probes.
 * Leaves out: running them (tokens.ts, library-worker.ts).
 */
import { allModels } from '../../models/index.js';
import { crc32 } from '../../src/engine/hash.js';
import { type AnyModel, type Json, TOKEN_PREFIX, check, decodeToken, encodeToken, paramsProblem } from '../../src/index.js';

export interface Mutant {
  readonly token: string;
  readonly kind: 'token' | 'scenario';
  /** For scenario mutants: the parameters do not fit the model's schema or the JSON limits. */
  readonly invalidParams: boolean;
  readonly what: string;
}

/** A few replay tokens per built-in model: named scenarios and their parameters as JSON. */
export function baseTokens(perModel = 2): string[] {
  const out: string[] = [];
  for (const m of allModels) {
    const names = Object.keys(m.scenarios).slice(0, perModel);
    for (const name of names) {
      const r = check(m, { strategy: 'random', seed: 3, scenario: name, maxExecutions: 3 });
      const t = r.finding?.token;
      const steps = t ? decodeToken(t).steps : [];
      out.push(encodeToken({ model: m.name, hash: m.hash, scenario: name, strategy: 'random', seed: 3, steps }));
      out.push(encodeToken({ model: m.name, hash: m.hash, scenario: JSON.stringify(m.scenarios[name]), strategy: 'random', seed: 3, steps }));
    }
  }
  return out;
}

function payload(token: string): Uint8Array {
  return new Uint8Array(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url'));
}

function withCrc(body: Uint8Array): string {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  const c = crc32(body);
  for (let i = 0; i < 4; i++) out[body.length + i] = (c >>> (8 * i)) & 0xff;
  return TOKEN_PREFIX + Buffer.from(out).toString('base64url');
}

export function tokenMutant(base: string, rnd: () => number): Mutant {
  const b = payload(base);
  const body = Array.from(b.subarray(0, b.length - 4));
  const at = Math.floor(rnd() * Math.max(1, body.length));
  const op = Math.floor(rnd() * 4);
  if (op === 0) body[at] = (body[at] ?? 0) ^ (1 << Math.floor(rnd() * 8));
  else if (op === 1) body.splice(at, 0, Math.floor(rnd() * 256));
  else if (op === 2) body.splice(at, 1);
  else body.length = at;
  if (rnd() < 0.5) return { token: withCrc(Uint8Array.from(body)), kind: 'token', invalidParams: false, what: `payload op ${op} at ${at}, CRC fixed` };
  const raw = TOKEN_PREFIX + Buffer.from([...body, ...b.subarray(b.length - 4)]).toString('base64url');
  return { token: raw, kind: 'token', invalidParams: false, what: `payload op ${op} at ${at}` };
}

const REPLACEMENTS: readonly (() => unknown)[] = [
  () => 1e9, () => 1e12, () => -1, () => 1.5, () => 2 ** 53, () => 'x'.repeat(300), () => null, () => true, () => [], () => ({}),
  () => Array.from({ length: 100_000 }, () => 0), () => JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown,
  () => JSON.parse('{"__proto__": {"polluted": true}}') as unknown, () => '\u001b[31m<img src=x>',
];

/** Every spot of a JSON value: a path of keys and indexes. */
function spots(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (Array.isArray(v)) v.forEach((x, i) => spots(x, [...path, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) spots(x, [...path, k], out);
  return out;
}

function edit(v: unknown, path: readonly (string | number)[], f: (x: unknown, parent: unknown, key: string | number) => unknown): unknown {
  if (path.length === 0) return f(v, null, '');
  const [k, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === k ? (rest.length ? edit(x, rest, f) : f(x, v, i)) : x));
  const o = { ...(v as Record<string, unknown>) };
  const key = k as string;
  if (rest.length) o[key] = edit(o[key], rest, f);
  else {
    const nv = f(o[key], o, key);
    if (nv === DELETE) delete o[key];
    else o[key] = nv;
  }
  return o;
}

const DELETE = Symbol('delete');

export function scenarioMutant(model: AnyModel, rnd: () => number): Mutant {
  const names = Object.keys(model.scenarios);
  const name = names[Math.floor(rnd() * names.length)] as string;
  const params = model.scenarios[name] as Json;
  const all = spots(params);
  const path = all[Math.floor(rnd() * all.length)] ?? [];
  const op = rnd();
  let mutated: unknown;
  let what: string;
  if (op < 0.15 && path.length > 0) {
    mutated = edit(params, path, () => DELETE);
    what = `delete ${path.join('.')}`;
  } else if (op < 0.25) {
    mutated = edit(params, path.slice(0, -1), (x) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? { ...x, extra_field: 1 } : x));
    what = `extra field at ${path.slice(0, -1).join('.')}`;
  } else {
    const i = Math.floor(rnd() * REPLACEMENTS.length);
    mutated = edit(params, path, () => (REPLACEMENTS[i] as () => unknown)());
    what = `${path.join('.') || '(root)'} = replacement ${i}`;
  }
  let text = JSON.stringify(mutated);
  if (!text.startsWith('{') && !text.startsWith('[')) text = `[${text}]`;
  const problem = paramsProblem(model.paramsSchema, JSON.parse(text));
  const tooLong = text.length > 64 * 1024;
  // A token cannot carry a scenario over the JSON limit: it is encoded by hand, with a valid CRC.
  const token = tooLong ? rawToken(model, text) : encodeToken({ model: model.name, hash: model.hash, scenario: text, strategy: 'random', seed: 1, steps: [] });
  return { token, kind: 'scenario', invalidParams: problem !== null || tooLong, what: `${model.name} ${name}: ${what}` };
}

function varint(out: number[], v: number): void {
  let x = v >>> 0;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x >>>= 7;
  }
  out.push(x);
}

/** Token v1 layout (src/engine/token.ts), written without its encoder's limits, for oversized fields. */
export function rawToken(model: AnyModel, scenario: string): string {
  const b: number[] = [0x4d, 0x43, 1];
  const str = (s: string): void => {
    const e = new TextEncoder().encode(s);
    varint(b, e.length);
    for (const x of e) b.push(x);
  };
  const u32 = (v: number): void => { for (let i = 0; i < 4; i++) b.push((v >>> (8 * i)) & 0xff); };
  str(model.name);
  u32(model.hash);
  str(scenario);
  str('random');
  u32(1);
  varint(b, 0);
  b.push(1);
  return withCrc(Uint8Array.from(b));
}

/** The hostile tokens: valid CRC, a huge size in the scenario JSON. */
export function hostileTokens(): Mutant[] {
  const out: Mutant[] = [];
  const huge: Record<string, (p: Record<string, unknown>) => unknown> = {
    'litmus/readers': () => ({ n: 100_000_000 }),
    'ioremap-reuse/posted': (p) => ({ ...p, threads: [{ name: 'a', sessions: [{ paddr: 0x20001000, size: 1e12, type: 'device', premapped: false, accesses: 1 }], holdUntilOthersDone: false }] }),
    'kiobuf-kvmap/posted': (p) => ({ ...p, dataPages: 1e9 }),
    'iova-extend/posted': (p) => ({ ...p, maxPages: 1e9, initialPages: 1e9 }),
    'vcm/posted': (p) => ({ ...p, ramPages: 1e9 }),
    'kmap-pfn/posted': (p) => ({ ...p, pmemPages: 1e9 }),
  };
  for (const m of allModels) {
    const f = huge[m.name];
    if (!f) continue;
    const text = JSON.stringify(f(m.scenarios[m.defaultScenario] as Record<string, unknown>));
    out.push({ token: encodeToken({ model: m.name, hash: m.hash, scenario: text, strategy: 'random', seed: 1, steps: [0] }), kind: 'scenario', invalidParams: true, what: `${m.name}: huge size` });
  }
  return out;
}
