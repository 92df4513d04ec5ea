/**
 * Hardware violations: the one place src/hw turns a bad access into a violation (page fault,
 * IOMMU fault, wrong target, use of a freed page frame, page refcount misuse). Each names the
 * thread and op that did it, with a kernel-style title (`BUG: unable to handle page fault for
 * address: ...`, `arm-smmu: Unhandled context fault: iova=...`).
 * Leaves out: recovery (a faulting thread is unwound; real kernels oops or kill the task).
 */
import { currentExecution } from '../engine/execution.js';
import { type ObjectRef, type Site, type ViolationKind, violation } from '../engine/violation.js';

export interface HwFailExtra {
  readonly title?: string;
  /** Another site involved (e.g. where the page was freed / the PTE was cleared). */
  readonly other?: Site;
  readonly object?: ObjectRef;
  readonly facts?: Record<string, string | number | boolean>;
}

/** Record a hardware violation for the running thread at op `label` and unwind it. */
export function hwFail(kind: ViolationKind, message: string, label: string, extra: HwFailExtra = {}): never {
  const e = currentExecution();
  const t = e.running;
  const site: Site = { thread: t, step: e.stepIndex - 1, label };
  const threads = t >= 0 ? [t] : [];
  if (extra.other && extra.other.thread !== t && extra.other.thread >= 0) threads.push(extra.other.thread);
  return e.fail(violation(kind, `${t >= 0 ? `T${t}` : 'setup'}: ${message}`, {
    threads,
    sites: extra.other ? [site, extra.other] : [site],
    step: e.stepIndex - 1,
    ...(extra.title !== undefined ? { title: extra.title } : {}),
    ...(extra.object ? { object: extra.object } : {}),
    ...(extra.facts ? { facts: extra.facts } : {}),
  }));
}

/** The site of the op the running thread performs now (for "last changed at" records). */
export function hereSite(label: string): Site {
  const e = currentExecution();
  return { thread: e.running, step: e.stepIndex - 1, label };
}

/** Is the code running inside an execution with sanitizers on? */
export function sanitizing(): boolean {
  return currentExecution().sanitize;
}
