/**
 * Seed 002 fixed: what review would ask for and later mainline did, in the posted code's shape.
 *  - kvmap_nopage bounds with `pgoff >= nr_pages` (SIGBUS for the first page past the buffer).
 *  - mmap_kiobuf checks before it touches the vma, accepts only shared mappings (no COW, so no
 *    nopage with no_share, whatever mprotect does later) and, like vm_map_pages(), refuses a
 *    mapping that does not fit in the buffer (vma_pages + vm_pgoff > nr_pages: -ENXIO).
 *  - Module pinning as 2.4+ did it: kiomap_fops.owner = THIS_MODULE, misc_open takes
 *    try_module_get under misc_sem (fops_get) and the VFS drops it in fput after ->release has
 *    returned (fops_put); every VMA holds its vm_file, so the module stays pinned while any
 *    mapping exists. The driver no longer touches its own use count (no MOD_INC / MOD_DEC).
 *  - map_pte_range / map_pmd_range stop at PMD / PGDIR boundaries (`va & ~PMD_MASK`), walk init_mm
 *    (`pgd_offset_k`, as 2.4.19's vmalloc_to_page does) rather than insmod's page table, whose
 *    vmalloc pmd entries i386 fills lazily, and map_kernel_kiobuf reports a short walk as -EFAULT.
 *  - mmap_kiobuf sets VM_IO next to VM_LOCKED, so the patch's own vmscan test keeps kswapd away
 *    after munlock() (2.4 named this VM_RESERVED; remap_page_range users set it).
 *  - create_local_heap returns its error instead of memset()ing NULL; init undoes everything on
 *    failure; exit deregisters the device first, then unmap_kiobuf, frees the maplist, vfree.
 * Leaves out: a kvmap refcount as refcount_t (the semaphore-protected int is correct as used).
 */
import {
  type File, type FileOps, PAGE_SIZE, type Vma, VM_IO, VM_LOCKED, VM_SHARED, down, kfree, module_call, module_put,
  mutex_unlock, try_module_get, up,
} from '../../src/index.js';
import { sleepingLock } from './bkl.js';
import { type NopageBound, kioVmops, kvmap_init } from './iomap-posted.js';
import { type WalkTests, kiobuf_init, map_kernel_kiobuf, unmap_kiobuf, vfree_data, vmalloc_data } from './memory-posted.js';
import { misc_deregister, misc_register } from './driver-posted.js';
import type { G, KiobufVmap, KvmapState } from './state.js';

const EINVAL = 22;
const ENXIO = 6;
const ENODEV = 19;

export const fixedBound: NopageBound = (pgoff, nr) => pgoff >= nr;

/** `(va & ~PMD_MASK)` / `(va & ~PGDIR_MASK)`: continue only while va is not on a boundary. */
export const fixedWalkTests: WalkTests = {
  ptePmdTest: (va, s) => va % (s.p.ptrsPerPte * PAGE_SIZE) !== 0,
  pmdPgdTest: (va, s) => va % (s.p.ptrsPerPte * PAGE_SIZE) !== 0,
  pmd: (s) => s.initMmPmd,
  mmName: 'init_mm (pgd_offset_k)',
};

/** mmap_kiobuf, fixed: validate first, shared mappings only, within the buffer. vmap->sem held. */
export function* mmap_kiobuf_fixed(s: KvmapState, vmap: KiobufVmap, vma: Vma): G<number> {
  if (!(vma.vmFlags & VM_SHARED)) return -EINVAL;
  const iobuf = yield* vmap.kiobuf.get('mmap_kiobuf: vmap->kiobuf');
  const nr = iobuf ? yield* iobuf.nr_pages.get('mmap_kiobuf: iobuf->nr_pages') : 0;
  if (vma.size / PAGE_SIZE + vma.vmPgoff > nr) return -ENXIO;
  vma.vmOps = kioVmops(s, fixedBound);
  vma.vmPrivateData = vmap;
  vma.vmFlags |= VM_LOCKED | VM_IO; /* the swapper skips VM_IO whatever munlock does to VM_LOCKED */
  const r = (yield* vmap.refcount.get('mmap_kiobuf: vmap->refcount++')) + 1;
  yield* vmap.refcount.set(r, 'mmap_kiobuf: vmap->refcount++');
  if (r === 1) s.firstRefs++;
  return r === 1 ? 1 : 0;
}

/** kiomap_finished: nothing left to do with the module count (the file pins the module). */
function* kiomap_finished(s: KvmapState, _vmap: KiobufVmap): G<void> {
  yield* module_call(s.mod, 'kiomap_finished: call into module (module pinned by vm_file)');
}

/** Free the maplist expand_kiobuf allocated (kiobuf_free's part). */
function* kiobuf_free_maplist(s: KvmapState, label: string): G<void> {
  const m = yield* s.local_kiobuf.maplist.get(`${label}: iobuf->maplist`);
  if (m.heap) yield* kfree(m.heap, `${label}: kfree(iobuf->maplist)`);
  yield* s.local_kiobuf.maplist.set(s.local_kiobuf.map_array, `${label}: iobuf->maplist = iobuf->map_array`);
}

/** create_local_heap, fixed: returns 0 or -errno and leaves nothing allocated on failure. */
function* create_local_heap_fixed(s: KvmapState): G<number> {
  const L = 'create_local_heap';
  const va = yield* vmalloc_data(s, L);
  yield* s.local_data_area.set(va, `${L}: local_data_area = vmalloc(DATA_SIZE)`);
  if (!va) return -12;
  yield* kiobuf_init(s, s.local_kiobuf, L);
  yield* kvmap_init(s.local_vmap, s.local_kiobuf, L);
  yield* s.local_vmap.deref_callback.set((v) => kiomap_finished(s, v), `${L}: local_vmap.deref_callback = kiomap_finished`);
  const err = yield* map_kernel_kiobuf(s, s.local_kiobuf, va, s.p.dataPages * PAGE_SIZE, fixedWalkTests, true);
  if (err) {
    yield* unmap_kiobuf(s, s.local_kiobuf, `${L}: error`);
    yield* kiobuf_free_maplist(s, `${L}: error`);
    yield* vfree_data(s, va, `${L}: error: vfree(local_data_area)`);
    yield* s.local_data_area.set(0, `${L}: local_data_area = NULL`);
    return err;
  }
  for (let i = 0; i < s.p.dataPages; i++) {
    yield* s.kpt.access(va + i * PAGE_SIZE, { write: true, value: 0xff, label: `${L}: memset(local_data_area, 0xff, DATA_SIZE)` });
  }
  return 0;
}

function* teardown_heap(s: KvmapState, label: string): G<void> {
  yield* unmap_kiobuf(s, s.local_kiobuf, label);
  yield* kiobuf_free_maplist(s, label);
  const a = yield* s.local_data_area.get(`${label}: local_data_area`);
  yield* vfree_data(s, a, label);
  yield* s.local_data_area.set(0, `${label}: local_data_area = NULL`);
}

export function* kiomap_init_module_fixed(s: KvmapState): G<number> {
  const err = yield* create_local_heap_fixed(s);
  if (err) return err;
  const rc = yield* misc_register(s, 'kiomap_init_module');
  if (rc) yield* teardown_heap(s, 'kiomap_init_module: misc_register failed');
  return rc;
}

export function* kiomap_destroy_module_fixed(s: KvmapState): G<number> {
  yield* misc_deregister(s, 'kiomap_destroy_module');
  yield* teardown_heap(s, 'kiomap_destroy_module');
  return 0;
}

/** misc_open with fops_get: try_module_get(owner) under misc_sem, then the driver's open. */
function* misc_open_fixed(s: KvmapState, _file: File): G<number> {
  yield* sleepingLock(s, s.misc_sem, 'misc_open: down(&misc_sem)');
  if (!(yield* s.misc_registered.get('misc_open: walk misc_list for the minor'))) {
    yield* mutex_unlock(s.misc_sem, 'misc_open: up(&misc_sem)');
    return -ENODEV;
  }
  yield* s.kiomap_device_fops.get('misc_open: new_fops = fops_get(c->fops)');
  if (!(yield* try_module_get(s.mod, 'misc_open: fops_get: try_module_get(fops->owner)'))) {
    yield* mutex_unlock(s.misc_sem, 'misc_open: up(&misc_sem)');
    return -ENODEV;
  }
  yield* module_call(s.mod, 'kiomap_open: call into module');
  yield* mutex_unlock(s.misc_sem, 'misc_open: up(&misc_sem)');
  return 0;
}

function* kiomap_mmap_fixed(s: KvmapState, vma: Vma): G<number> {
  yield* module_call(s.mod, 'kiomap_mmap: call into module');
  if (!(yield* s.local_data_area.get('kiomap_mmap: if (!local_data_area)'))) return -12;
  yield* down(s.local_vmap.sem, 'kiomap_mmap: down(&local_vmap.sem)');
  const err = yield* mmap_kiobuf_fixed(s, s.local_vmap, vma);
  yield* up(s.local_vmap.sem, 'kiomap_mmap: up(&local_vmap.sem)');
  return err < 0 ? err : 0;
}

export function fixedFops(s: KvmapState): FileOps {
  return {
    open: (f) => misc_open_fixed(s, f),
    mmap: (_f, vma) => kiomap_mmap_fixed(s, vma),
    release: () => kiomap_release_fixed(s),
  };
}

/** kiomap_release: the module's file release (module level: no generator closure per open file). */
export function* kiomap_release_fixed(s: KvmapState): G<void> {
  yield* module_call(s.mod, 'kiomap_release: call into module');
  // __fput: fops_put(file->f_op) after ->release returned, from VFS code
  yield* module_put(s.mod, '__fput: fops_put: module_put(fops->owner)');
}
