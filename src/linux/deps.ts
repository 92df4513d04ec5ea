/**
 * Declaring dependencies for the LKMM memory model (`--memory-model lkmm`): the kernel's memory
 * model orders a marked read before a later access of the same thread when that access's address
 * (`addr_dep`), written value (`data_dep`) or execution (`ctrl_dep`) depends on the value read.
 * JavaScript data flow is invisible to the checker, so a model says so:
 *
 *   const p = yield* READ_ONCE(s.ptr);  const e = lastEvent();
 *   addr_dep(e); const v = yield* READ_ONCE(p.field);        // p->field: an address dependency
 *   if (v) { ctrl_dep(lastEvent()); yield* WRITE_ONCE(s.y, 1); } // a control dependency
 *
 * Under the default sequentially consistent model these are no-ops (every order is kept anyway).
 * Follows tools/memory-model/Documentation/explanation.txt ("DEPENDENCY RELATIONS") and herd7's
 * counting of ctrl (a branch on a value orders everything after it in the thread).
 * Leaves out: nothing is inferred, except that rcu_dereference's result used as a pointer is an
 * address dependency (the memory model infers that one from the objects reached through it).
 */
import { DepKind } from '../engine/deps.js';
import { currentExecution } from '../engine/execution.js';
import { UsageError } from '../engine/violation.js';

/** The event (step) of the op the running thread performed last; -1 before its first op. */
export function lastEvent(): number {
  const exec = currentExecution();
  return exec.running >= 0 ? exec.lastEventOf(exec.running) : -1;
}

function declare(kind: DepKind, what: string, events: readonly number[]): void {
  for (const e of events) {
    if (!Number.isInteger(e)) throw new UsageError(`${what}(${String(e)}): pass event ids from lastEvent()`);
  }
  const exec = currentExecution();
  if (exec.running < 0) throw new UsageError(`${what}() is called from thread code, after the read it depends on`);
  exec.deps?.declare(exec.running, kind, events.filter((e) => e >= 0));
}

/** The running thread's next access computes its address from the values read at `events`. */
export function addr_dep(...events: number[]): void {
  declare(DepKind.Addr, 'addr_dep', events);
}

/** The running thread's next write stores a value computed from the values read at `events`. */
export function data_dep(...events: number[]): void {
  declare(DepKind.Data, 'data_dep', events);
}

/** Every later access of the running thread executes only because of a branch on `events`. */
export function ctrl_dep(...events: number[]): void {
  declare(DepKind.Ctrl, 'ctrl_dep', events);
}
