/**
 * "The same violation": the notion every minimization step must preserve.
 *
 * Two violations are the same when they have the same kind, the same kernel-style title, and the
 * same set of site labels (the labelled ops involved: both accesses of a race, the use and the free
 * of a use-after-free, the ops each deadlocked thread waits in, the allocation site of a leak).
 * Thread ids, step numbers and object ids are deliberately ignored (also the `CPU: n PID: n` of a
 * WARN title): shrinking renumbers them.
 * The title matters because it names the function (`... use-after-free in iounmap`) or the broken
 * invariant (`invariant 'no 0->1 resurrection' violated`). Modelled on how syzbot deduplicates
 * crashes by their title, refined with the op labels so that two races on different fields differ.
 * One exception: a model's `final` check (run once every thread finished) has no site of its own
 * — the engine records whichever op happened to run last — so for those only kind and title count.
 * Leaves out: the message text (it carries values such as counts that legitimately change).
 */
import type { AnyModel } from '../engine/model.js';
import type { Violation } from '../engine/violation.js';

/** Is `v` the failure of one of the model's end-of-execution checks? */
export function isFinalCheck(v: Violation, model?: AnyModel): boolean {
  if (v.kind !== 'invariant' || !model?.final) return false;
  return model.final.some((c) => v.title === `WARNING: invariant '${c.name}' violated`);
}

/** A stable string naming the violation for equality; see the header for what it covers. */
export function violationSignature(v: Violation, model?: AnyModel): string {
  const labels = new Set<string>();
  if (!isFinalCheck(v, model)) {
    for (const s of v.sites) labels.add(s.label);
    for (const w of v.waits ?? []) labels.add(w.label);
  }
  // `WARNING: CPU: 0 PID: 2 at ...`: which thread hit it is renumbering, not a different bug.
  const title = v.title.replace(/\b(CPU|PID): \d+/g, '$1: _');
  return `${v.kind}\u0000${title}\u0000${[...labels].sort().join('\u0001')}`;
}

/** Does `candidate` count as the same violation as `target` (in `model`)? */
export function sameViolation(target: Violation, candidate: Violation | null, model?: AnyModel): boolean {
  if (!candidate) return false;
  if (candidate.kind === 'nondeterminism' && target.kind !== 'nondeterminism') return false;
  return violationSignature(target, model) === violationSignature(candidate, model);
}
