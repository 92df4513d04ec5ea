/**
 * kmalloc / kzalloc / kcalloc / kfree, vmalloc / vzalloc / vfree, kvfree, with GFP flags.
 * A kmalloc'd struct is an engine heap block; its fields (Field, AtomicT, RefcountT, locks, list
 * heads created with the block id `make` receives) die with it, so any access after kfree is a
 * KASAN use-after-free naming both sites, a second kfree a double-free, kfree of something that
 * was not allocated (or vfree of kmalloc memory) an invalid-free, and a block nobody freed when
 * every thread has finished a kmemleak leak; freeing a struct whose lock a thread still holds is
 * lockdep's "held lock freed!" (debug_check_no_locks_freed).
 *
 * Follows mm/slab_common.c and mm/vmalloc.c semantics: a GFP flag set with __GFP_DIRECT_RECLAIM
 * (GFP_KERNEL, GFP_NOFS, GFP_NOIO) may sleep (might_sleep_if), GFP_ATOMIC / GFP_NOWAIT may not;
 * vmalloc always may sleep; kfree(NULL) is a no-op. Allocation failure is injected only when the
 * execution's kernelConfig has `failAllocs` on: each allocation without __GFP_NOFAIL is then a
 * choose(2) point (1 = fail, return null), explored and minimized like any schedule step.
 * Leaves out: sizes and slab caches (a block is a struct, not bytes), per-byte shadow, quarantine.
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { ctxOf, kernelOf, kctx, kwarnNext, threadLabel } from './kernel.js';
import { mightSleep } from './lockdep.js';

type G<R> = Generator<Op, R, unknown>;

export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_NOWARN = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_NOFAIL = 0x8000;
export const GFP_ATOMIC = __GFP_HIGH;
export const GFP_NOWAIT = 0;
export const GFP_NOIO = __GFP_DIRECT_RECLAIM;
export const GFP_NOFS = __GFP_DIRECT_RECLAIM | __GFP_IO;
export const GFP_KERNEL = __GFP_DIRECT_RECLAIM | __GFP_IO | __GFP_FS;

/** Does an allocation with these flags may sleep? */
export function gfpflags_allow_blocking(gfp: number): boolean {
  return (gfp & __GFP_DIRECT_RECLAIM) !== 0;
}

/** A pointer to a heap-allocated struct: the struct's fields plus its block id. */
export type KPtr<T extends object> = T & { readonly kblock: number };

/** Fields factory: builds the struct's members inside block `b` (pass `b` to every Field / AtomicT / lock). */
export type Make<T extends object> = (b: number) => T;

function* alloc<T extends object>(
  allocator: 'kmalloc' | 'vmalloc', name: string, gfp: number, make: Make<T> | undefined, label: string,
): G<KPtr<T> | null> {
  const exec = currentExecution();
  if (gfpflags_allow_blocking(gfp)) mightSleep(exec, kctx(exec), `${allocator}(${gfpName(gfp)})`, label);
  if ((gfp & __GFP_NOFAIL) === 0 && kernelOf(exec).config.failAllocs) {
    const fail = (yield op.choose(2, `${label}: allocation fails?`)) as number;
    if (fail === 1) return null;
  }
  yield op.alloc(-1, label);
  const b = exec.objects.addHeap(allocator, name, exec.site(label));
  const s = make ? make(b) : ({} as T);
  return Object.assign(s, { kblock: b });
}

/** kmalloc(): `make` builds the struct's fields in the new block. Returns null on (injected) failure. */
export function* kmalloc<T extends object>(name: string, gfp: number, make?: Make<T>, label = 'kmalloc'): G<KPtr<T> | null> {
  return yield* alloc('kmalloc', name, gfp, make, label);
}

/** kzalloc(): as kmalloc (fields get the initial values `make` gives them, conventionally zero). */
export function* kzalloc<T extends object>(name: string, gfp: number, make?: Make<T>, label = 'kzalloc'): G<KPtr<T> | null> {
  return yield* alloc('kmalloc', name, gfp, make, label);
}

/** kcalloc(n, ...): one block holding an array of n elements built by `make(b, i)`. */
export function* kcalloc<T extends object>(name: string, n: number, gfp: number, make: (b: number, i: number) => T, label = 'kcalloc'): G<KPtr<{ items: T[] }> | null> {
  return yield* alloc('kmalloc', name, gfp, (b) => ({ items: Array.from({ length: n }, (_, i) => make(b, i)) }), label);
}

export function* vmalloc<T extends object>(name: string, make?: Make<T>, label = 'vmalloc'): G<KPtr<T> | null> {
  return yield* alloc('vmalloc', name, GFP_KERNEL, make, label);
}

export function* vzalloc<T extends object>(name: string, make?: Make<T>, label = 'vzalloc'): G<KPtr<T> | null> {
  return yield* alloc('vmalloc', name, GFP_KERNEL, make, label);
}

function* release(p: { readonly kblock?: number } | null | undefined, want: string | null, fn: string, label: string): G<void> {
  if (p === null || p === undefined) return;
  const exec = currentExecution();
  const b = typeof p === 'object' ? p.kblock : undefined;
  if (b === undefined) {
    kwarnNext('invalid-free', `${fn}() of an object that was not allocated with kmalloc/vmalloc`, label, { title: `BUG: KASAN: invalid-free in ${label.split(':')[0] ?? label}` });
    return;
  }
  const kind = exec.objects.kind[b];
  if (want !== null && (kind === 'kmalloc' || kind === 'vmalloc') && kind !== want) {
    kwarnNext('invalid-free', `${fn}() of ${exec.objects.label(b)}, which was allocated by ${kind}()`, label, {
      title: `BUG: KASAN: invalid-free in ${label.split(':')[0] ?? label}`, object: exec.objects.ref(b),
    });
    return;
  }
  if (exec.sanitize) heldLockFreed(b, label);
  yield op.free(b, label);
}

/** debug_check_no_locks_freed(): freeing memory that holds a lock some thread still holds. */
function heldLockFreed(b: number, label: string): void {
  const exec = currentExecution();
  for (let t = 0; t < exec.threads.length; t++) {
    for (const h of ctxOf(exec, t).held) {
      if (exec.objects.block[h.id] !== b) continue;
      kwarnNext('lock-misuse', `${threadLabel(exec, exec.running)} frees ${exec.objects.label(b)} at '${label}' while ${threadLabel(exec, t)} holds ${exec.objects.label(h.id)} inside it (taken at '${h.label}')`, label, {
        title: 'WARNING: held lock freed!',
        threads: t === exec.running ? [t] : [exec.running, t],
        object: exec.objects.ref(b),
      });
    }
  }
}

/** kfree(): NULL is a no-op; double / invalid frees are KASAN violations. */
export function* kfree(p: { readonly kblock?: number } | null | undefined, label = 'kfree'): G<void> {
  yield* release(p, 'kmalloc', 'kfree', label);
}

export function* vfree(p: { readonly kblock?: number } | null | undefined, label = 'vfree'): G<void> {
  yield* release(p, 'vmalloc', 'vfree', label);
}

/** kvfree(): frees either kind. */
export function* kvfree(p: { readonly kblock?: number } | null | undefined, label = 'kvfree'): G<void> {
  yield* release(p, null, 'kvfree', label);
}

/** GFP flags by name, for messages. */
export function gfpName(gfp: number): string {
  const base = gfp & ~(__GFP_NOFAIL | __GFP_ZERO | __GFP_NOWARN);
  const name = base === GFP_KERNEL ? 'GFP_KERNEL' : base === GFP_ATOMIC ? 'GFP_ATOMIC' : base === GFP_NOFS ? 'GFP_NOFS'
    : base === GFP_NOIO ? 'GFP_NOIO' : base === GFP_NOWAIT ? 'GFP_NOWAIT' : `0x${base.toString(16)}`;
  return (gfp & __GFP_NOFAIL) !== 0 ? `${name}|__GFP_NOFAIL` : name;
}
