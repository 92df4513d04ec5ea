/**
 * Heap blocks for hardware-side kernel structs (vmap_area, vm_struct, vm_area_struct): a kmalloc /
 * kmem_cache_alloc that creates a KASAN-tracked block and yields its Alloc op, and the matching
 * kfree. Kept here so src/hw does not depend on src/linux; a model that wants allocation-failure
 * injection on these paths uses `mayFail` (an explored choose point, like GFP fault injection).
 * Leaves out: GFP flags and sleeping-allocation checks (src/linux's kmalloc has them).
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { hereSite } from './fault.js';

type G<R> = Generator<Op, R, unknown>;

/** Allocate a heap block of `kind`; returns its object id, or -1 when an injected failure fires. */
export function* heapAlloc(kind: string, name: string, label: string, mayFail = false): G<number> {
  if (mayFail) {
    const fail = (yield op.choose(2, `${label}: fail?`)) as number;
    if (fail === 1) return -1;
  }
  const e = currentExecution();
  const id = e.objects.addHeap(kind, name, { thread: e.running, step: e.stepIndex, label });
  yield op.alloc(id, label);
  e.objects.allocSite[id] = hereSite(label);
  return id;
}

/** kfree / kmem_cache_free of a block from heapAlloc (double / invalid frees are violations). */
export function* heapFree(id: number, label: string): G<void> {
  yield op.free(id, label);
}
