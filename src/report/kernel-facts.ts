/**
 * What the kernel's own report of a violation would print, gathered from the replayed trace: the
 * task and call trace of the op that completes it; for KASAN (mm/kasan/report.c) the access -- read
 * or write, its size where the op knows it, the object and the field it hit -- and the "Allocated by
 * task" / "Freed by task" stacks; for KCSAN both racing accesses with their stacks; for lockdep's
 * circular dependency (kernel/locking/lockdep.c print_circular_bug) the lock being acquired, the lock
 * held, and the existing dependency chain with where each link was taken.
 *
 * Stacks are the generator call chains of the ops (src/engine/callchain.ts), innermost first; an op
 * whose chain was not captured gets the function its label names. A task is a model thread, named
 * as the kernel names tasks (`comm/pid` = thread name / thread id).
 * Leaves out: byte addresses and offsets (objects are structs of fields, not bytes: the report names
 * the field and its position instead), sizes nobody declared (a plain field's type is not known),
 * stacks of lock dependencies learnt in an earlier execution of the run (that trace is gone).
 */
import type { ObjectTable } from '../engine/objects.js';
import type { Site, Violation } from '../engine/violation.js';
import { labelFunction } from './format.js';
import type { AccessInfo, KasanInfo, LockdepInfo, Report, ReportStep, Task } from './report.js';

type Threads = readonly { readonly id: number; readonly name: string }[];

/** Bytes of an access, where the object kind or the accessor says it (else unknown). */
const SIZE_BY_KIND: Readonly<Record<string, number>> = {
  atomic_t: 4, atomic: 4, refcount_t: 4, module_refcnt: 4, spinlock_t: 4, pte: 8, atomic64_t: 8, atomic_long_t: 8,
};
const SIZE_BY_CALL: Readonly<Record<string, number>> = { b: 1, w: 2, l: 4, q: 8 };

export function accessSize(objectKind: string | undefined, call: string): number | undefined {
  const io = /^(?:read|write|ioread|iowrite)([bwlq])(?:_relaxed)?$/.exec(call);
  if (io?.[1] !== undefined) return SIZE_BY_CALL[io[1]];
  if (/^atomic64_|^atomic_long_/.test(call)) return 8;
  return objectKind !== undefined ? SIZE_BY_KIND[objectKind] : undefined;
}

const READS = new Set(['read', 'plain-read', 'wait']);

function taskOf(threads: Threads, tid: number): Task {
  return { thread: tid, name: tid < 0 ? 'setup' : threads.find((t) => t.id === tid)?.name ?? `T${tid}` };
}

function stackOf(step: ReportStep | undefined, label: string): readonly string[] {
  return step?.stack && step.stack.length > 0 ? step.stack : [labelFunction(label)];
}

function stepAt(steps: readonly ReportStep[], site: Site): ReportStep | undefined {
  const s = steps[site.step];
  return s && s.thread === site.thread ? s : undefined;
}

function accessAt(steps: readonly ReportStep[], threads: Threads, objects: ObjectTable, site: Site, objId: number | undefined): AccessInfo {
  const st = stepAt(steps, site);
  const op = st?.op ?? 'read';
  const kind = objId !== undefined && objId >= 0 ? objects.kind[objId] : undefined;
  const size = accessSize(kind, st?.call ?? '');
  return {
    type: READS.has(op) ? 'read' : 'write', ...(size !== undefined ? { size } : {}), object: st?.object ?? '?', step: site.step,
    task: taskOf(threads, site.thread), stack: stackOf(st, site.label),
  };
}

/** The op id a step ran, found back from its object name (the report keeps names, not ids). */
function objectIdOf(objects: ObjectTable, block: number, name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  for (let i = 0; i < objects.size; i++) if ((objects.block[i] === block || i === block) && objects.label(i) === name) return i;
  return undefined;
}

function kasan(v: Violation, steps: readonly ReportStep[], threads: Threads, objects: ObjectTable): KasanInfo | undefined {
  const o = v.object;
  if (!o) return undefined;
  const use = v.kind === 'use-after-free' ? v.sites[0] : undefined;
  const st = use ? stepAt(steps, use) : undefined;
  const objId = objectIdOf(objects, o.id, st?.object);
  const fields: number[] = [];
  for (let i = 0; i < objects.size; i++) if (objects.block[i] === o.id && i !== o.id) fields.push(i);
  const fieldPos = objId !== undefined ? fields.indexOf(objId) : -1;
  const life = (site: Site | undefined): { task: Task; stack: readonly string[]; step: number } | undefined => site
    ? { task: taskOf(threads, site.thread), stack: site.thread < 0 ? [labelFunction(site.label)] : stackOf(stepAt(steps, site), site.label), step: site.step }
    : undefined;
  const allocated = life(o.allocated);
  const freed = life(o.freed);
  return {
    ...(use ? { access: accessAt(steps, threads, objects, use, objId) } : {}),
    object: {
      name: objects.name[o.id] ?? o.name, kind: o.kind,
      ...(fieldPos >= 0 && objId !== undefined ? { field: objects.name[objId] ?? '?', fieldIndex: fieldPos + 1, fields: fields.length } : {}),
    },
    ...(allocated ? { allocated } : {}),
    ...(freed ? { freed } : {}),
  };
}

function lockdep(v: Violation, steps: readonly ReportStep[], threads: Threads): LockdepInfo | undefined {
  const f = v.facts ?? {};
  const trip = v.threads[0] ?? -1;
  const attempted = steps.find((s) => s.violating);
  const recursive = typeof f.lock_class === 'string' && typeof f.held_at === 'string' && v.kind === 'lock-misuse';
  if (v.kind !== 'lock-order' && !recursive) return undefined;
  if (!recursive && (typeof f.acquiring !== 'string' || typeof f.held !== 'string')) return undefined;
  const heldSite = v.sites.find((s) => s.thread === trip && s.step < (attempted?.index ?? Infinity) && s.label === f.held_at);
  const task = taskOf(threads, trip);
  const chain: LockdepInfo['chain'][number][] = [];
  for (let i = 0; typeof f[`dep${i}`] === 'string'; i++) {
    const [from = '?', cls = '?'] = String(f[`dep${i}`]).split(' -> ');
    const at = String(f[`dep${i}_at`] ?? '');
    const by = String(f[`dep${i}_by`] ?? '');
    const earlier = f[`dep${i}_earlier`] === true;
    // Where this link was taken in this execution: the acquire with that label by that thread.
    const st = earlier ? undefined : [...steps].reverse().find((s) => !s.attempted && s.label === at && threads.find((t) => t.id === s.thread)?.name === by);
    chain.push({
      cls, from, at, holdingAt: String(f[`dep${i}_holding_at`] ?? ''), by, earlier,
      ...(st ? { task: taskOf(threads, st.thread), stack: stackOf(st, at) } : {}),
    });
  }
  const cls = (x: unknown): string => String(x);
  return {
    task,
    acquiring: { cls: cls(recursive ? f.lock_class : f.acquiring), at: attempted?.label ?? '', task, ...(attempted ? { stack: stackOf(attempted, attempted.label) } : {}) },
    held: {
      cls: cls(recursive ? f.lock_class : f.held), at: cls(f.held_at), task,
      ...(heldSite ? { stack: stackOf(stepAt(steps, heldSite), heldSite.label) } : {}),
    },
    chain,
  };
}

/** The kernel-report parts of a report (only those the violation's kind has). */
export function kernelFacts(v: Violation, steps: readonly ReportStep[], threads: Threads, objects: ObjectTable): Pick<Report, 'callTrace' | 'kasan' | 'kcsan' | 'lockdep'> {
  const bug = steps.find((s) => s.violating);
  const out: { -readonly [K in 'callTrace' | 'kasan' | 'kcsan' | 'lockdep']?: Report[K] } = {};
  if (bug) out.callTrace = { task: taskOf(threads, bug.thread), stack: stackOf(bug, bug.label) };
  if (v.kind === 'use-after-free' || v.kind === 'double-free' || v.kind === 'invalid-free') {
    const k = kasan(v, steps, threads, objects);
    if (k) out.kasan = k;
  }
  if (v.kind === 'data-race' && v.sites.length >= 2) {
    out.kcsan = { accesses: v.sites.slice(0, 2).map((s) => accessAt(steps, threads, objects, s, objectIdOf(objects, v.object?.id ?? -1, stepAt(steps, s)?.object))) };
  }
  const l = lockdep(v, steps, threads);
  if (l) out.lockdep = l;
  return out;
}
