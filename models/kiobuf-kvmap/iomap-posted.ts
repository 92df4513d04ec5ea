/**
 * Seed 002's mm/iomap.c as posted: kvmap_open, kvmap_close, kvmap_nopage (kio_vmops), kvmap_init
 * and mmap_kiobuf, line by line. `refcount` and `deref_callback` are plain fields "always
 * protected by the semaphore"; vma fields are plain data under the mm's mmap_sem (src/hw).
 *
 * kvmap_nopage bounds pgoff with `pgoff > iobuf->nr_pages`, so pgoff == nr_pages reads
 * maplist[nr_pages]: one past a kmalloc'd maplist (DATA_SIZE > KIO_STATIC_PAGES) that is a KASAN
 * slab-out-of-bounds read whose garbage would be mapped into user space instead of a SIGBUS.
 * mmap_kiobuf installs vm_ops / vm_private_data / VM_LOCKED before it rejects a private writable
 * mapping, and lets a private read-only mapping through: mprotect(PROT_WRITE) (VM_MAYWRITE is set
 * for private mappings) makes the next write fault call nopage with no_share = 1, which BUG()s.
 * Leaves out: dprintk, PAGE_CACHE_SHIFT != PAGE_SHIFT configurations, `max_mapnr` (every frame here
 * is in mem_map).
 */
import { BUG, PAGE_SIZE, type NopageResult, type Vma, type VmOps, VM_LOCKED, VM_SHARED, VM_WRITE, deref, down, up } from '../../src/index.js';
import { maplistGet } from './memory-posted.js';
import { type G, type KiobufVmap, type Kiobuf, type KvmapState, liveKvmapVmas } from './state.js';

const EINVAL = 22;

/** vma->vm_private_data as the kvmap (a plain load under mmap_sem). */
function vmapOf(vma: Vma): KiobufVmap {
  return vma.vmPrivateData as KiobufVmap;
}

/** static void kvmap_open(struct vm_area_struct *vma) */
export function* kvmap_open(vma: Vma): G<void> {
  const vmap = vmapOf(vma);
  /* an unmap or fork increasing the number of vmas on this kvmap */
  yield* down(vmap.sem, 'kvmap_open: down(&vmap->sem)');
  const r = yield* vmap.refcount.get('kvmap_open: vmap->refcount++');
  yield* vmap.refcount.set(r + 1, 'kvmap_open: vmap->refcount++');
  yield* up(vmap.sem, 'kvmap_open: up(&vmap->sem)');
}

/** static void kvmap_close(struct vm_area_struct *vma) */
export function* kvmap_close(s: KvmapState, vma: Vma): G<void> {
  const vmap = vmapOf(vma);
  yield* down(vmap.sem, 'kvmap_close: down(&vmap->sem)');
  const r = (yield* vmap.refcount.get('kvmap_close: --vmap->refcount')) - 1;
  yield* vmap.refcount.set(r, 'kvmap_close: --vmap->refcount');
  if (r === 0) {
    const cb = yield* vmap.deref_callback.get('kvmap_close: if (vmap->deref_callback)');
    if (cb) {
      s.derefCalls++;
      if (liveKvmapVmas(s) > 0) s.derefWithLiveVma++;
      yield* cb(vmap);
    }
  }
  yield* up(vmap.sem, 'kvmap_close: up(&vmap->sem)');
}

/** The nopage bound: posted `pgoff > nr_pages`, fixed `pgoff >= nr_pages`. */
export type NopageBound = (pgoff: number, nrPages: number) => boolean;
export const postedBound: NopageBound = (pgoff, nr) => pgoff > nr;

/** static struct page *kvmap_nopage(struct vm_area_struct *vma, unsigned long address, int no_share) */
export function* kvmap_nopage(s: KvmapState, vma: Vma, address: number, no_share: boolean, beyond: NopageBound): G<NopageResult> {
  const vmap = vmapOf(vma);
  const iobuf = (yield* vmap.kiobuf.get('kvmap_nopage: iobuf = vmap->kiobuf')) as Kiobuf;
  const pgoff = (address - vma.vmStart) / PAGE_SIZE + vma.vmPgoff;
  if (no_share) BUG('kvmap_nopage: if (no_share) BUG()');
  /* mmap() of a larger region than specified by the kiobuf results in a SIGBUS */
  const nr = yield* iobuf.nr_pages.get('kvmap_nopage: if (pgoff > iobuf->nr_pages)');
  if (beyond(pgoff, nr)) return null;
  const m = yield* iobuf.maplist.get('kvmap_nopage: iobuf->maplist');
  const entry = yield* maplistGet(m, pgoff, 'kvmap_nopage: page = iobuf->maplist[pgoff]');
  if (!entry) return null;
  /* same rules as copy_page_range(): only normal, present, unreserved pages get a reference */
  const page = deref(entry, 'kvmap_nopage: (page-mem_map) < max_mapnr && !PageReserved(page)');
  yield* s.phys.getPage(page, 'kvmap_nopage: get_page(page)');
  return page;
}

/** struct vm_operations_struct kio_vmops = { open, close, nopage }. */
export function kioVmops(s: KvmapState, beyond: NopageBound): VmOps {
  return {
    open: (vma) => kvmap_open(vma),
    close: (vma) => kvmap_close(s, vma),
    nopage: (vma, address, noShare) => kvmap_nopage(s, vma, address, noShare, beyond),
  };
}

/** void kvmap_init(struct kiobuf_vmap *vmap, struct kiobuf *iobuf) */
export function* kvmap_init(vmap: KiobufVmap, iobuf: Kiobuf, label: string): G<void> {
  yield* vmap.refcount.set(0, `${label}: kvmap_init: memset(vmap, 0, sizeof(*vmap))`);
  yield* vmap.deref_callback.set(null, `${label}: kvmap_init: memset(vmap, 0, sizeof(*vmap))`);
  yield* vmap.kiobuf.set(iobuf, `${label}: kvmap_init: vmap->kiobuf = iobuf`);
  // init_MUTEX(&vmap->sem): the semaphore is created with count 1 in setup (no user before init).
}

/** int mmap_kiobuf(struct kiobuf_vmap *vmap, struct vm_area_struct *vma); vmap->sem held. */
export function* mmap_kiobuf(s: KvmapState, vmap: KiobufVmap, vma: Vma): G<number> {
  let retval = 0;
  vma.vmOps = kioVmops(s, postedBound);
  vma.vmPrivateData = vmap;
  vma.vmFlags |= VM_LOCKED; /* Don't swap out kvmaps! */
  /* This is supposed to be a shared map --- reject COW mappings. */
  if ((vma.vmFlags & VM_WRITE) && !(vma.vmFlags & VM_SHARED)) return -EINVAL;
  const r = (yield* vmap.refcount.get('mmap_kiobuf: vmap->refcount++')) + 1;
  yield* vmap.refcount.set(r, 'mmap_kiobuf: vmap->refcount++');
  if ((yield* vmap.refcount.get('mmap_kiobuf: if (vmap->refcount == 1)')) === 1) retval = 1;
  if (retval === 1) s.firstRefs++;
  return retval;
}
