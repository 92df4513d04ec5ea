/**
 * Bug signatures for deduplication, the way syzbot buckets kernel crashes by title: two violations
 * are one bug when they have the same model, kind and violating function -- the function of the bad
 * access or of the broken check -- and, for KASAN kinds, the same allocating and freeing functions.
 * Not every label of the trace: a use-after-free reached through three field reads is one bug.
 *
 * Per kind: KASAN (use-after-free, double / invalid free) the function of the access (or second
 * free), the allocator the object came from (kmalloc, vmalloc, a module) and the free function that
 * freed it (kfree, kfree_rcu, vfree, free_module) -- not the functions that called them: a struct
 * allocated by the model's setup and one allocated at run time by the same path are one object
 * type, and the free function tells a free after a grace period from an immediate one; KCSAN both functions of the race, sorted (found read-first
 * or write-first, one bug); a deadlock the functions its threads wait in; lockdep the function of the
 * refused acquire and the lock classes of the cycle; a page fault its function and the bad pointer
 * (NULL, ERR_PTR(-ENOMEM), an uninitialised local named by its origin) or, for a fault through the
 * page tables, the kind of access; an invariant its name, the function of the op after which it
 * broke (none for an end-of-execution check) and its message with values blanked (the message
 * names the failure mode: "is not mapped" vs "is mapped device"); a WARN / BUG / other kind its
 * title with numbers blanked. A function named like the thread that ran the op (thread-level code
 * labelled with its thread's name) counts as the same function in every scenario, and so does a
 * thread name inside a message: scenarios name their threads differently.
 * The signature is `<kind>-<8 hex>` (a file name); its parts stay readable in the finding record.
 * Scheme 2; findings of scheme 1 (a hash of every op-site label) are re-signed by `merge`.
 * Leaves out: fuzzy matching (two functions that differ only in a number are different bugs), and
 * the root cause behind a symptom (two causes of one crash site are one bug, as for syzbot).
 */
import { fnv1a } from '../../engine/hash.js';
import type { AnyModel } from '../../engine/model.js';
import type { Site, Violation } from '../../engine/violation.js';
import { isFinalCheck } from '../../shrink/same.js';

export const SIGNATURE_SCHEME = 2;

export interface SignatureParts {
  readonly model: string;
  readonly kind: string;
  /** The violating function(s). */
  readonly where: readonly string[];
  /** KASAN kinds: the allocator of the object and the free function that freed it ('' when none). */
  readonly allocated: string;
  readonly freed: string;
  /** What else tells two bugs at one place apart (the check and its failure mode, the bad pointer). */
  readonly what: string;
}

const THREAD = '<thread>';

/** The function a label names; thread-level code (labelled with its thread's name) is `<thread>`. */
function fnOf(label: string, thread: number, names: readonly string[]): string {
  const f = (label.split(':')[0] ?? label).trim();
  return thread >= 0 && names[thread] === f ? THREAD : f;
}

function siteFn(s: Site | undefined, names: readonly string[]): string {
  return s ? fnOf(s.label, s.thread, names) : '';
}

/**
 * The free function a free site called: `kfree_rcu` in `__free_vmap_area: kfree_rcu(va, rcu_head):
 * kfree (RCU callback)`, `kfree` in `__vunmap: kfree(area)`; the site's function when it names no call.
 */
function freeCall(label: string): string {
  const after = label.slice(label.indexOf(':') + 1).trim();
  return /^([A-Za-z_]\w*)\s*\(/.exec(after)?.[1] ?? (label.split(':')[0] ?? label).trim();
}

/** Blank what varies between occurrences of one bug: thread names, and every word with a digit in it. */
export function messageShape(message: string, threadNames: readonly string[] = []): string {
  let m = message;
  for (const n of [...new Set(threadNames)].filter((x) => x.length > 1).sort((a, b) => b.length - a.length)) m = m.split(n).join(THREAD);
  return m.replace(/[\w#.+\-[\]/]*\d[\w#.+\-[\]/]*/g, '?');
}

/** The bad pointer of a dereference fault, as its kind (NULL, the error code, the uninitialised local). */
function pointerClass(v: Violation, names: readonly string[]): string {
  const p = v.facts?.pointer;
  if (typeof p === 'string') return p === 'null' || p === 'undefined' ? 'NULL' : p;
  return messageShape(v.message, names);
}

export function signatureParts(model: AnyModel, v: Violation, threadNames: readonly string[]): SignatureParts {
  const names = threadNames;
  const first = v.sites[0];
  const base = { model: model.name, kind: v.kind, allocated: '', freed: '', what: '' };
  switch (v.kind) {
    case 'use-after-free': case 'double-free': case 'invalid-free': {
      const use = v.sites.find((s) => s !== v.object?.freed && !(s.thread === v.object?.freed?.thread && s.step === v.object.freed.step)) ?? first;
      const freed = v.object?.freed;
      return {
        ...base, where: [siteFn(use, names)],
        allocated: v.object?.kind ?? '', freed: freed && (v.kind === 'double-free' || v.kind === 'use-after-free') ? freeCall(freed.label) : '',
      };
    }
    case 'data-race':
      return { ...base, where: [...new Set(v.sites.map((s) => siteFn(s, names)))].sort() };
    case 'deadlock':
      return { ...base, where: [...new Set((v.waits ?? []).map((w) => fnOf(w.label, w.thread, names)))].sort(), what: v.waits?.length === v.threads.length ? 'cycle' : 'stuck' };
    case 'lock-order': {
      const chain = String(v.facts?.existing_chain ?? v.facts?.lock_class ?? '').split(' -> ');
      return { ...base, where: [siteFn(first, names)], what: `${v.title} ${[...new Set(chain)].sort().join(',')}` };
    }
    case 'invariant':
      return {
        // An end-of-execution check runs after whichever op happened to be last: that op is no site.
        ...base, where: isFinalCheck(v, model) ? [] : [siteFn(first, names)],
        what: `${v.title}  |  ${messageShape(v.message.replace(/^T\d+: /, ''), names)}`,
      };
    case 'page-fault':
      return { ...base, where: [siteFn(first, names)], what: `${messageShape(v.title, names).replace(/ in \S+$/, '')}  |  ${pointerClass(v, names)}` };
    case 'leak':
      return { ...base, where: [siteFn(first, names)], what: v.object?.kind ?? '' };
    case 'step-bound':
      return { ...base, where: [...new Set((v.cycle ?? []).map((c) => fnOf(c.replace(/^T\d+: /, ''), -1, names)))].sort() };
    case 'exception': case 'usage': case 'nondeterminism':
      return { ...base, where: [], what: messageShape(v.message, names) };
    default:
      // WARN / BUG / assert, refcount_t, RCU, sleeping in atomic, wrong target, IOMMU faults: title and message shape.
      return { ...base, where: [siteFn(first, names)], what: `${messageShape(v.title, names)}  |  ${v.kind === 'assertion' ? messageShape(v.message, names) : ''}` };
  }
}

export function signatureOf(p: SignatureParts): string {
  const h = fnv1a([SIGNATURE_SCHEME, p.model, p.kind, p.where.join(' / '), p.allocated, p.freed, p.what].join('\u0002'));
  return `${p.kind}-${h.toString(16).padStart(8, '0')}`;
}

/** The signature of violation `v` of `model` whose execution named its threads `threadNames`. */
export function signature(model: AnyModel, v: Violation, threadNames: readonly string[]): string {
  return signatureOf(signatureParts(model, v, threadNames));
}

/** A short readable bug name, syzbot-style: `use-after-free in obj_hit (kmalloc, freed by kfree_rcu)`. */
export function bugName(p: SignatureParts): string {
  const life = [p.allocated, p.freed ? `freed by ${p.freed}` : ''].filter(Boolean).join(', ');
  const check = p.kind === 'invariant' ? / '(.*?)' violated/.exec(p.what)?.[1] : undefined;
  return `${p.kind}${check !== undefined ? ` '${check}'` : ''}${p.where.length ? ` in ${p.where.join(' / ')}` : ''}${life ? ` (${life})` : ''}`;
}

/** Signature of a watchdog finding: a model that stopped yielding in one scenario. */
export function hangSignature(model: string, scenario: string): string {
  return `hang-${fnv1a(`${model}\u0001${scenario}`).toString(16).padStart(8, '0')}`;
}

/**
 * The key a worker caches signatures under, computed without thread names: every input of the
 * signature except those, plus the target (a target's threads have the same names every time).
 */
export function quickKey(target: number, v: Violation): string {
  const labels = [...new Set(v.sites.map((s) => s.label))].sort();
  return [target, v.kind, messageShape(v.title), labels.join('  |  '), v.object?.allocated?.label ?? '', v.object?.freed?.label ?? '', v.object?.kind ?? '',
    (v.waits ?? []).map((w) => w.label).sort().join('  |  '), String(v.facts?.pointer ?? ''), String(v.facts?.existing_chain ?? ''),
    v.sites.length, messageShape(v.message)].join('\u0002');
}
