/**
 * WARN_ON / WARN_ON_ONCE / BUG_ON, errno values, and the error-pointer helpers ERR_PTR / IS_ERR /
 * PTR_ERR / ERR_CAST / IS_ERR_OR_NULL / PTR_ERR_OR_ZERO.
 *
 * Follows include/asm-generic/bug.h (a WARN prints "WARNING: CPU: 0 PID: <pid> at <file:line>"; a
 * BUG "kernel BUG at <file:line>!") and include/linux/err.h. A model's WARN_ON that fires is an
 * 'assertion' violation with that title: the execution stops there, since the warning is the
 * finding. `misuse(what, body)` runs a caller's deliberate misuse of an API (a wrong-length or
 * foreign free, an iounmap of an address ioremap never returned): a WARN the kernel raises inside
 * it is the diagnosis the caller earned, returned to the harness instead of reported. An error pointer is an ErrPtr value, never a real struct, so using one as a struct
 * fails loudly in TypeScript as it would oops in C.
 * Leaves out: taint flags, WARN's printk format arguments, the errno values nobody models.
 */
import { currentExecution } from '../engine/execution.js';
import type { Op } from '../engine/ops.js';
import { ctxOf, kfail, kwarn } from './kernel.js';

export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ERANGE = 34;
export const ENOSYS = 38;
export const MAX_ERRNO = 4095;

/** True (and the warning recorded) when the running thread is inside `misuse()`. */
function expectedWarning(pid: number, message: string): boolean {
  if (pid < 0) return false;
  const c = ctxOf(currentExecution(), pid);
  if (c.misuse === null) return false;
  c.misuse.push(message);
  return true;
}

/**
 * Run `body` as a deliberate misuse by the calling thread (a harness's buggy caller): WARN /
 * WARN_ON fired inside it are the kernel diagnosing the caller, collected and returned rather than
 * reported. Everything else (KASAN, KCSAN, an oops, a broken invariant, a WARN after `body`) is
 * reported as usual, so the kernel must still survive the misuse without damage to anyone else.
 * `sink`, when given, also gets them (as `what: warning`) however `body` ends -- also when an oops
 * inside it kills the thread, so a WARN the kernel printed before the oops is not lost.
 */
export function* misuse<R>(what: string, body: Generator<Op, R, unknown>, sink?: string[]): Generator<Op, { readonly result: R; readonly warnings: readonly string[] }, unknown> {
  const c = ctxOf(currentExecution(), currentExecution().running);
  const outer = c.misuse;
  const mine: string[] = [];
  c.misuse = mine;
  try {
    const result = yield* body;
    return { result, warnings: mine };
  } finally {
    c.misuse = outer;
    if (outer !== null) outer.push(...mine.map((m) => `${what}: ${m}`));
    if (sink !== undefined) sink.push(...mine.map((m) => `${what}: ${m}`));
  }
}

/** WARN_ON(cond): an 'assertion' violation when cond holds; returns cond otherwise (false). */
export function WARN_ON(cond: boolean | number | null | undefined, label = 'WARN_ON'): boolean {
  if (!cond) return false;
  const pid = currentExecution().running;
  if (expectedWarning(pid, `WARN_ON(${label})`)) return true;
  kwarn('assertion', `WARN_ON(${label}) fired in T${pid}`, label, { title: `WARNING: CPU: 0 PID: ${pid} at ${label}` });
  return true;
}

/** WARN_ON_ONCE: the same (keep-going reports each distinct warning once per execution anyway). */
export function WARN_ON_ONCE(cond: boolean | number | null | undefined, label = 'WARN_ON_ONCE'): boolean {
  return WARN_ON(cond, label);
}

/** WARN(cond, message). */
export function WARN(cond: boolean | number | null | undefined, message: string, label = 'WARN'): boolean {
  if (!cond) return false;
  const pid = currentExecution().running;
  if (expectedWarning(pid, message)) return true;
  kwarn('assertion', message, label, { title: `WARNING: CPU: 0 PID: ${pid} at ${label}` });
  return true;
}

/** BUG_ON(cond): 'assertion' violation titled `kernel BUG at <label>!`. */
export function BUG_ON(cond: boolean | number | null | undefined, label = 'BUG_ON'): void {
  if (!cond) return;
  kfail('assertion', `BUG_ON(${label}) in T${currentExecution().running}`, label, { title: `kernel BUG at ${label}!` });
}

/** BUG(). */
export function BUG(label = 'BUG'): never {
  return kfail('assertion', `BUG() reached in T${currentExecution().running}`, label, { title: `kernel BUG at ${label}!` });
}

/** An error pointer: ERR_PTR(-ENOMEM). */
export class ErrPtr {
  constructor(readonly err: number) {}
  toString(): string {
    return `ERR_PTR(${this.err})`;
  }
}

export function ERR_PTR(err: number): ErrPtr {
  return new ErrPtr(err);
}

export function IS_ERR<T>(p: T | ErrPtr): p is ErrPtr {
  return p instanceof ErrPtr;
}

export function IS_ERR_OR_NULL<T>(p: T | ErrPtr | null | undefined): p is ErrPtr | null | undefined {
  return p === null || p === undefined || p instanceof ErrPtr;
}

/** PTR_ERR(p): the negative errno of an error pointer (0 for a valid pointer, like casting it). */
export function PTR_ERR(p: unknown): number {
  return p instanceof ErrPtr ? p.err : 0;
}

/** PTR_ERR_OR_ZERO(p). */
export function PTR_ERR_OR_ZERO(p: unknown): number {
  return PTR_ERR(p);
}

/** ERR_CAST(p): an error pointer retyped. */
export function ERR_CAST(p: ErrPtr): ErrPtr {
  return p;
}

/** IS_ERR_VALUE(x): a negative errno in the top MAX_ERRNO values. */
export function IS_ERR_VALUE(x: number): boolean {
  return x < 0 && x >= -MAX_ERRNO;
}
