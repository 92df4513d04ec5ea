/**
 * Dependence between two pending ops as the schedulers that reason about it see it (DPOR's sleep
 * sets, POS's priority resets): `dependent()` from ops (same object, not both reads), plus a write
 * of a heap block against any access to an object inside it (kfree vs a field: KASAN's pair), plus,
 * when the model checks invariants after every step, any two state changes (the intermediate
 * states they pass through differ: the invisibility proviso of partial-order reduction, as in
 * Peled's ample sets, CAV 1993).
 * Leaves out: value-based commutativity (two increments commute on the counter, not for us).
 */
import { type Op, Access, accessOf, dependent } from '../engine/ops.js';
import type { SchedulerView } from '../engine/scheduler.js';

/** The part of the scheduler's view dependence needs (tests can stub it). */
export type DependenceView = Pick<SchedulerView, 'blockOf' | 'observesEveryStep' | 'observed'>;

/** Do ops `a` and `b` (of different threads) fail to commute? */
export function conflicts(a: Op, b: Op, view: DependenceView): boolean {
  if (dependent(a, b)) return true;
  if (a.obj < 0 || b.obj < 0) return false;
  const x = accessOf(a.kind);
  const y = accessOf(b.kind);
  if (x === Access.None || y === Access.None) return false;
  if (view.observesEveryStep && x !== Access.Read && y !== Access.Read && view.observed(a.obj) && view.observed(b.obj)) return true;
  return (x !== Access.Read && view.blockOf(b.obj) === a.obj) || (y !== Access.Read && view.blockOf(a.obj) === b.obj);
}
