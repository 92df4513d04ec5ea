/**
 * Pointer dereference with the kernel's failure modes: dereferencing NULL, an error pointer
 * (ERR_PTR(-ENOMEM) = 0xfffffffffffffff4) or an uninitialised stack slot is an Oops, reported as
 * a 'page-fault' violation titled as x86 prints it ("BUG: kernel NULL pointer dereference" /
 * "BUG: unable to handle page fault for address: ..."). Models call `deref(p, label)` wherever
 * the C writes `p->field` (or calls through `p->fn`) and get the struct back when p is valid.
 *
 * `UNINIT(slot)` stands for the value of a local that C leaves uninitialised (`struct vcm_res *res;`).
 * It is modelled as non-NULL garbage, the pessimistic reading of undefined behaviour: `if (res)`
 * is true, `IS_ERR(res)` is false, and the first dereference faults. Seed 004's error paths read
 * such slots (`if (*res) vcm_unreserve(*res)`, `return ERR_CAST(res)`).
 * Follows include/linux/err.h (error pointers are the top MAX_ERRNO addresses) and x86's
 * page_fault_oops() wording. Leaves out: garbage that happens to point at a live object (a read
 * of stale stack data that "works"); every uninitialised pointer faults on first use.
 */
import { currentExecution } from '../engine/execution.js';
import { ErrPtr } from './bug.js';
import { kfailNext } from './kernel.js';

/** The value of an uninitialised pointer variable; `slot` names it, e.g. `vcm_make_binding: res`. */
export class Uninit {
  constructor(readonly slot: string) {}
  toString(): string {
    return `<uninitialised ${this.slot}>`;
  }
}

/** An uninitialised local pointer (`struct vcm_res *res;`). */
export function UNINIT(slot: string): Uninit {
  return new Uninit(slot);
}

/** A pointer as C code may hold it: a struct, NULL, an error pointer or stack garbage. */
export type CPtr<T> = T | ErrPtr | Uninit | null;

/** `if (p)` in C: NULL is false; error pointers and garbage are true. */
export function nonNull<T>(p: CPtr<T> | undefined): boolean {
  return p !== null && p !== undefined;
}

/** Is `p` a valid struct pointer (not NULL, not an error pointer, not garbage)? No op. */
export function isValidPtr<T>(p: CPtr<T> | undefined): p is T {
  return p !== null && p !== undefined && !(p instanceof ErrPtr) && !(p instanceof Uninit);
}

/** The address x86 would print for a bad pointer value. */
export function badPtrAddress(p: ErrPtr | Uninit | null | undefined): string {
  if (p instanceof ErrPtr) return (BigInt.asUintN(64, BigInt(p.err))).toString(16).padStart(16, '0');
  if (p instanceof Uninit) return 'ffffc90000badc0d';
  return '0000000000000000';
}

/**
 * `p->...`: returns `p` when it is a valid struct pointer; otherwise the running thread oopses
 * with a 'page-fault' violation at `label` (the C line doing the dereference), as the access the
 * thread was about to make (kfailNext: a report marks the dereference, not the op before it).
 */
export function deref<T>(p: CPtr<T> | undefined, label: string): T {
  if (isValidPtr(p)) return p;
  const exec = currentExecution();
  const addr = badPtrAddress(p);
  const what = p instanceof ErrPtr ? `the error pointer ERR_PTR(${p.err})`
    : p instanceof Uninit ? `the uninitialised pointer ${p.slot} (stack garbage)`
      : 'a NULL pointer';
  const title = p === null || p === undefined
    ? `BUG: kernel NULL pointer dereference, address: ${addr}`
    : `BUG: unable to handle page fault for address: ${addr}`;
  return kfailNext('page-fault', `T${exec.running} dereferenced ${what} at '${label}'`, label, {
    title, facts: { address: `0x${addr}`, pointer: String(p) },
  });
}
