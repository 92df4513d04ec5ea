/**
 * Run-time values of a litmus process: integers and pointers to shared locations (the mapcheck
 * object of the location itself: its Field, AtomicT or SpinlockT), each with its taint, the set of
 * read events (step ids from `lastEvent()`) the value was computed from. Taints are what herd7's
 * syntactic dependencies are made of (tools/memory-model/Documentation/explanation.txt,
 * "DEPENDENCY RELATIONS"): a register assigned from an expression carries the union of the taints
 * of its operands. Arithmetic follows C on herd7's integers: `/` and `%` truncate and refuse zero,
 * comparisons give 0 or 1, pointers compare by identity and refuse arithmetic.
 * Leaves out: pointer arithmetic (herd7's C has no arrays), integer widths (values are JS numbers;
 * bit operators work on 32 bits as JavaScript's do).
 */
import { type AtomicT, type Field, type SpinlockT } from '../index.js';
import type { BinOp, UnOp } from './ast.js';

/** A shared location at run time. */
export type LocObj = Field<Value> | AtomicT | SpinlockT;
export type Value = number | LocObj;
export type Taint = readonly number[];

export const NO_TAINT: Taint = [];

/** A value with the read events it depends on. */
export interface TV {
  readonly v: Value;
  readonly t: Taint;
}

/** The sorted union of two taints (either returned as is when the other adds nothing). */
export function union(a: Taint, b: Taint): Taint {
  if (b.length === 0 || a === b) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) { out.push(x as number); i++; }
    else if (x === undefined || y < x) { out.push(y); j++; }
    else { out.push(x); i++; j++; }
  }
  return out.length === a.length ? a : out.length === b.length ? b : out;
}

export function truthy(v: Value): boolean {
  return typeof v !== 'number' || v !== 0;
}

/** Thrown for a run-time error of the test (the caller adds file and line). */
export class ValueError extends Error {}

function num(v: Value, op: string, name: (o: LocObj) => string): number {
  if (typeof v !== 'number') throw new ValueError(`'${op}' on the address of ${name(v)} (herd7's C has no pointer arithmetic)`);
  return v;
}

export function unary(op: UnOp, v: Value, name: (o: LocObj) => string): number {
  if (op === '!') return truthy(v) ? 0 : 1;
  const n = num(v, op, name);
  return op === '-' ? -n : ~n;
}

export function binary(op: BinOp, a: Value, b: Value, name: (o: LocObj) => string): number {
  switch (op) {
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '&&': return truthy(a) && truthy(b) ? 1 : 0;
    case '||': return truthy(a) || truthy(b) ? 1 : 0;
    default:
  }
  const x = num(a, op, name);
  const y = num(b, op, name);
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': if (y === 0) throw new ValueError('division by zero'); return Math.trunc(x / y);
    case '%': if (y === 0) throw new ValueError('division by zero'); return x % y;
    case '&': return x & y;
    case '|': return x | y;
    case '^': return x ^ y;
    case '<<': return x << y;
    case '>>': return x >> y;
    case '<': return x < y ? 1 : 0;
    case '<=': return x <= y ? 1 : 0;
    case '>': return x > y ? 1 : 0;
    case '>=': return x >= y ? 1 : 0;
  }
}
