/**
 * The violation values the step loop reports, built from the object table and the op at hand:
 * KASAN use-after-free / double-free / invalid-free with both sites, KCSAN data races with both
 * accesses, bad unlock balance, broken invariants, and kmemleak-style leaks at the end. Pure
 * functions, so the hot loop in execution.ts stays short and these messages live in one place.
 * Leaves out: deadlock and livelock analysis (stuck.ts), sanitizers of the API layers (src/linux).
 */
import type { ObjectTable } from './objects.js';
import { type Op, OpKind } from './ops.js';
import type { PriorAccess } from './race.js';
import { describeThrown } from './thrown.js';
import { type Violation, violation } from './violation.js';

/** The function part of a label (`__vunmap: atomic_sub(used)` -> `__vunmap`). */
function fn(label: string): string {
  return label.split(':')[0] ?? label;
}

export function useAfterFree(objects: ObjectTable, tid: number, o: Op, step: number): Violation {
  const ref = objects.ref(o.obj);
  return violation('use-after-free', `T${tid} accessed ${ref.name} (${ref.kind}) after it was freed`, {
    title: `BUG: KASAN: use-after-free in ${fn(o.label)}`,
    threads: ref.freed ? [tid, ref.freed.thread] : [tid],
    sites: [{ thread: tid, step, label: o.label }, ...(ref.freed ? [ref.freed] : [])],
    step, object: ref,
  });
}

export function dataRace(objects: ObjectTable, tid: number, o: Op, prior: PriorAccess, step: number): Violation {
  const what = o.kind === OpKind.PlainWrite ? 'write' : 'read';
  return violation('data-race',
    `plain ${what} of ${objects.label(o.obj)} by T${tid} races with the ${prior.write ? 'write' : 'read'} by T${prior.thread}: no lock, atomic or RCU orders them`, {
      title: `BUG: KCSAN: data-race in ${fn(prior.label)} / ${fn(o.label)}`,
      threads: [tid, prior.thread],
      sites: [{ thread: prior.thread, step: prior.step, label: prior.label }, { thread: tid, step, label: o.label }],
      step, object: objects.ref(o.obj),
    });
}

export function badFree(objects: ObjectTable, r: 'double' | 'invalid', tid: number, o: Op, step: number): Violation {
  const ref = objects.ref(o.obj);
  return violation(r === 'double' ? 'double-free' : 'invalid-free',
    r === 'double' ? `T${tid} freed ${ref.name} (${ref.kind}) a second time` : `T${tid} freed ${ref.name}, which is not a live heap allocation`, {
      title: `BUG: KASAN: ${r === 'double' ? 'double-free' : 'invalid-free'} in ${fn(o.label)}`,
      threads: ref.freed ? [tid, ref.freed.thread] : [tid],
      sites: [{ thread: tid, step, label: o.label }, ...(ref.freed ? [ref.freed] : [])],
      step, object: ref,
    });
}

export function badUnlock(objects: ObjectTable, tid: number, o: Op, step: number): Violation {
  return violation('lock-misuse', `T${tid} released ${objects.label(o.obj)} which it does not hold`, {
    threads: [tid], sites: [{ thread: tid, step, label: o.label }], step,
  });
}

/** A model check returned false or a message after the op `label` of thread `who` (-1: none). */
export function brokenCheck(name: string, r: false | string, who: number, step: number, label: string): Violation {
  return violation('invariant', typeof r === 'string' ? `${name}: ${r}` : `invariant '${name}' does not hold`, {
    threads: who >= 0 ? [who] : [],
    sites: who >= 0 ? [{ thread: who, step, label }] : [],
    step,
    title: `WARNING: invariant '${name}' violated`,
  });
}

/** The scheduler picked a thread that is not enabled: a replayed schedule no longer fits the model. */
export function disabledPick(tid: number, step: number, enabled: Int32Array, exists: boolean): Violation {
  return violation('nondeterminism',
    `step ${step}: the schedule picks T${tid}, which is not enabled here (enabled: ${Array.from(enabled).map((t) => `T${t}`).join(' ')}); the model is nondeterministic or changed since the schedule was recorded`,
    { step, threads: exists ? [tid] : [] });
}

/** A model tried to create more threads than the engine tracks. */
export function tooManyThreads(max: number, name: string, parent: number, step: number): Violation {
  return violation('usage', `a model may create at most ${max} threads (creating '${name}')`, { threads: parent >= 0 ? [parent] : [], step });
}

/** Heap blocks still live when every thread finished. */
export function leaked(objects: ObjectTable): Violation {
  const ids = objects.leaked();
  const ref = objects.ref(ids[0] as number);
  const names = ids.slice(0, 4).map((b) => `${objects.kind[b]} ${objects.name[b]}`).join(', ');
  return violation('leak', `${ids.length} heap object(s) never freed when every thread finished: ${names}${ids.length > 4 ? ', ...' : ''}`, {
    threads: ref.allocated ? [ref.allocated.thread] : [], sites: ref.allocated ? [ref.allocated] : [], step: -1, object: ref,
    title: `unreferenced object ${ref.kind} ${ref.name} (kmemleak)`,
  });
}

/** Model code (a thread, or setup) threw: an 'exception' violation, or 'usage' for API misuse. */
export function threw(who: string, e: unknown, threads: readonly number[], step: number): Violation {
  const t = describeThrown(e);
  return violation(t.usage ? 'usage' : 'exception', `${who} threw: ${t.text}`, { threads, step });
}
