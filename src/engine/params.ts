/**
 * Scenario parameters from outside (a token's scenario JSON, `--scenario '{...}'`, a value a test
 * generated) are untrusted: before any model code sees them they are checked here — JSON only, at
 * most `PARAMS_LIMITS.maxBytes` of text and `maxDepth` levels — and then against the model's
 * `paramsSchema` when it declares one (src/engine/schema.ts). Every refusal is one UsageError line
 * naming the field, what was given and what is allowed, so a hostile token is exit code 2, never a
 * found bug, a proof or a heap blow-up.
 * Leaves out: named scenarios' lookup (model.ts) and constraints between fields (the model's own).
 */
import { type Schema, showValue, validate } from './schema.js';
import { UsageError } from './violation.js';

export const PARAMS_LIMITS = {
  /** Longest scenario JSON text, in UTF-16 units. */
  maxBytes: 64 * 1024,
  /** Deepest nesting of arrays and objects. */
  maxDepth: 32,
  /** Most values (numbers, strings, arrays, objects...) in one parameter value. */
  maxValues: 16 * 1024,
} as const;

/** Why `v` is not a JSON value within the limits (null when it is). */
export function jsonProblem(v: unknown, path = 'params'): string | null {
  let nodes = 0;
  const walk = (x: unknown, p: string, depth: number): string | null => {
    if (++nodes > PARAMS_LIMITS.maxValues) return `${path}: more than ${PARAMS_LIMITS.maxValues} values`;
    if (x === null || typeof x === 'boolean' || typeof x === 'string') return null;
    if (typeof x === 'number') return Number.isFinite(x) ? null : `${p}: got ${String(x)}; allowed: finite numbers (JSON)`;
    if (typeof x !== 'object') return `${p}: got a ${typeof x}; allowed: JSON values only`;
    if (depth >= PARAMS_LIMITS.maxDepth) return `${p}: nested deeper than ${PARAMS_LIMITS.maxDepth} levels`;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const e = walk(x[i] as unknown, `${p}[${i}]`, depth + 1);
        if (e) return e;
      }
      return null;
    }
    const proto = Object.getPrototypeOf(x) as unknown;
    if (proto !== Object.prototype && proto !== null) return `${p}: got ${showValue(x)} of a class; allowed: plain JSON objects`;
    for (const [k, y] of Object.entries(x)) {
      const e = walk(y, `${p}.${k}`, depth + 1);
      if (e) return e;
    }
    return null;
  };
  return walk(v, path, 0);
}

/** Parse scenario JSON text from outside; a UsageError for oversized, malformed or too deep input. */
export function parseParamsJson(text: string, model: string): unknown {
  if (text.length > PARAMS_LIMITS.maxBytes) {
    throw new UsageError(`scenario of '${model}' is ${text.length} characters of JSON; at most ${PARAMS_LIMITS.maxBytes} are accepted`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`scenario '${text.slice(0, 40)}' of '${model}' is neither a scenario name nor valid JSON`);
  }
  return v;
}

/** Why `params` does not fit: not JSON, over the limits, or outside the model's schema (null when it fits). */
export function paramsProblem(schema: Schema | undefined, params: unknown): string | null {
  return jsonProblem(params) ?? (schema ? validate(schema, params) : null);
}

/** Throw a one-line UsageError when `params` do not fit; `what` names where they came from. */
export function checkParams(model: string, schema: Schema | undefined, params: unknown, what: string): void {
  const p = paramsProblem(schema, params);
  if (p) throw new UsageError(`${what} of model '${model}' is refused: ${p}`);
}
