/**
 * Seed 002's mm/memory.c hunk as posted -- map_kernel_kiobuf with map_pmd_range / map_pte_range --
 * plus the 2.3.50 fs/iobuf.c and mm/memory.c helpers it relies on (kiobuf_init, expand_kiobuf,
 * unmap_kiobuf), and the data area's vmalloc / vfree.
 *
 * The page-table walk is two-level as on i386 without PAE (the pmd folded into the pgd): a PMD
 * covers PTRS_PER_PTE pages, and `pte++` past the last entry of a PTE page reads whatever follows
 * that page -- the model reports it as soon as the index leaves the table. The posted loop tests
 * are `(va && PMD_MASK)` / `(va && PGDIR_MASK)`, logical ANDs that are always true, so an area that
 * crosses a PMD boundary walks off its PTE page. The walk is of `current->mm`, insmod's page table,
 * whose kernel pmd entry for a freshly vmalloc'd area i386 2.4 fills only at insmod's first fault
 * there (do_page_fault's vmalloc_fault, verified): `pmd_none(*pmd)` (folded pgd) is then true, the
 * walk maps nothing, and map_kernel_kiobuf ignores `err = -EFAULT` and returns 0 with an empty
 * kiobuf whose kmalloc'd maplist is garbage (scenario `lazy-pmd`). Every PTE read is an op (a walk
 * of the page table), and so is every maplist store.
 * Out-of-bounds array reads (maplist, PTE page) are reported with KASAN's title as 'wrong-target'
 * (the engine has no out-of-bounds kind): the access reaches memory that is not the object meant.
 * Leaves out: PAE's third level, set_pgdir syncing of other processes' kernel pgds.
 */
import {
  Field, GFP_KERNEL, PAGE_SHIFT, PAGE_SIZE, type Page, UNINIT, type Uninit, deref, hex, hwFail, kfree, kmalloc, spin_lock, spin_unlock,
  vfree, vmalloc,
} from '../../src/index.js';
import { type G, type Kiobuf, type KvmapState, type Maplist, heapVa } from './state.js';

const EINVAL = 22;
const ENOMEM = 12;

/** Read maplist[i]: past the end of the array is an out-of-bounds access (KASAN). */
export function* maplistGet(m: Maplist, i: number, label: string): G<Page | null | Uninit> {
  const e = m.entries[i];
  if (e === undefined) {
    hwFail('wrong-target', `${label}: reads ${m.name}[${i}] of a ${m.entries.length}-entry array`, label, {
      title: `BUG: KASAN: ${m.heap ? 'slab' : 'global'}-out-of-bounds in ${label.split(':')[0] ?? label}`,
    });
  }
  return yield* e.get(`${label}: ${m.name}[${i}]`);
}

function* maplistSet(m: Maplist, i: number, page: Page | null | Uninit, label: string): G<void> {
  const e: Field<Page | null | Uninit> | undefined = m.entries[i];
  if (e === undefined) {
    hwFail('wrong-target', `${label}: writes ${m.name}[${i}] of a ${m.entries.length}-entry array`, label, {
      title: `BUG: KASAN: ${m.heap ? 'slab' : 'global'}-out-of-bounds in ${label.split(':')[0] ?? label}`,
    });
  }
  yield* e.set(page, `${label}: *pmap++ = page`);
}

/** vmalloc(DATA_SIZE): a vmalloc block, one frame per page, mapped in init_mm. 0 (NULL) on failure or size 0. */
export function* vmalloc_data(s: KvmapState, label: string): G<number> {
  if (s.p.dataPages <= 0) return 0; // __vmalloc: if (!size || ...) return NULL;
  const block = yield* vmalloc<object>('local_data_area', undefined, `${label}: vmalloc(DATA_SIZE)`);
  if (block === null) return 0;
  const va = heapVa(s.p);
  const pages: Page[] = [];
  for (let i = 0; i < s.p.dataPages; i++) {
    const pg = yield* s.phys.allocPage('local_data_area', { mayFail: s.p.failAllocs, label: `${label}: vmalloc_area_pages: alloc_page` });
    if (pg === null) {
      for (let k = 0; k < pages.length; k++) {
        yield* s.kpt.unmap(va + k * PAGE_SIZE, PAGE_SIZE, `${label}: vmalloc failed: vfree`);
        yield* s.phys.putPage(pages[k] as Page, `${label}: vmalloc failed: __free_page`);
      }
      yield* vfree(block, `${label}: vmalloc failed: vfree`);
      return 0;
    }
    pages.push(pg);
    yield* s.kpt.map(va + i * PAGE_SIZE, pg.pa, PAGE_SIZE, 'cached', { label: `${label}: vmalloc_area_pages: set_pte` });
  }
  s.heap = { block, pages, va };
  return va;
}

/** vfree(addr): unmap and free the pages (put_page: a page someone else holds stays allocated). */
export function* vfree_data(s: KvmapState, addr: number, label: string): G<void> {
  const h = s.heap;
  if (addr === 0 || h === null || addr !== h.va) return;
  for (let i = 0; i < h.pages.length; i++) {
    yield* s.kpt.unmap(h.va + i * PAGE_SIZE, PAGE_SIZE, `${label}: vmfree_area_pages: pte_clear`);
    yield* s.phys.putPage(h.pages[i] as Page, `${label}: vmfree_area_pages: __free_page`);
  }
  yield* vfree(h.block, `${label}: vfree`);
  s.heap = null;
}

/** kiobuf_init(iobuf): memset 0, array_len = KIO_STATIC_PAGES, maplist = map_array. */
export function* kiobuf_init(s: KvmapState, iobuf: Kiobuf, label: string): G<void> {
  yield* iobuf.nr_pages.set(0, `${label}: kiobuf_init: memset`);
  yield* iobuf.array_len.set(s.p.kioStaticPages, `${label}: kiobuf_init: iobuf->array_len = KIO_STATIC_PAGES`);
  yield* iobuf.maplist.set(iobuf.map_array, `${label}: kiobuf_init: iobuf->maplist = iobuf->map_array`);
}

/** expand_kiobuf(iobuf, wanted): a kmalloc'd maplist when the static one is too short. */
export function* expand_kiobuf(s: KvmapState, iobuf: Kiobuf, wanted: number, label: string): G<number> {
  if ((yield* iobuf.array_len.get(`${label}: expand_kiobuf: iobuf->array_len >= wanted`)) >= wanted) return 0;
  // kmalloc does not zero: entries the memcpy and the walk do not write stay garbage.
  const maplist = yield* kmalloc<Maplist>('kiobuf maplist', GFP_KERNEL, (b) => ({
    entries: Array.from({ length: wanted }, (_, i) => new Field<Page | null | Uninit>(UNINIT(`iobuf->maplist[${i}]`), `maplist[${i}]`, b)),
    heap: null, name: 'iobuf->maplist',
  }), `${label}: expand_kiobuf: kmalloc(wanted * sizeof(struct page **), GFP_KERNEL)`);
  if (maplist === null) return -ENOMEM;
  const m: Maplist = { entries: maplist.entries, heap: maplist, name: 'iobuf->maplist (kmalloc)' };
  const len = yield* iobuf.array_len.get(`${label}: expand_kiobuf: did it grow while we waited?`);
  if (len >= wanted) {
    yield* kfree(maplist, `${label}: expand_kiobuf: kfree(maplist)`);
    return 0;
  }
  const old = yield* iobuf.maplist.get(`${label}: expand_kiobuf: memcpy(maplist, iobuf->maplist, ...)`);
  for (let i = 0; i < len; i++) {
    const pg = yield* maplistGet(old, i, `${label}: expand_kiobuf: memcpy`);
    yield* maplistSet(m, i, pg, `${label}: expand_kiobuf: memcpy`);
  }
  if (len > s.p.kioStaticPages && old.heap) yield* kfree(old.heap, `${label}: expand_kiobuf: kfree(iobuf->maplist)`);
  yield* iobuf.maplist.set(m, `${label}: expand_kiobuf: iobuf->maplist = maplist`);
  yield* iobuf.array_len.set(wanted, `${label}: expand_kiobuf: iobuf->array_len = wanted`);
  return 0;
}

/**
 * The loop tests of the two walkers -- posted `(va && MASK)`, fixed `(va & ~MASK)` (not at a
 * boundary) -- and whose page table they walk: posted `current->mm` (insmod's), fixed init_mm
 * (`pgd_offset_k`, as 2.4.19's vmalloc_to_page does).
 */
export interface WalkTests {
  readonly ptePmdTest: (va: number, s: KvmapState) => boolean;
  readonly pmdPgdTest: (va: number, s: KvmapState) => boolean;
  readonly pmd: (s: KvmapState) => Field<boolean>;
  readonly mmName: string;
}

/** Posted: `(va && PMD_MASK)`, `(va && PGDIR_MASK)` -- true whenever va != 0 -- over current->mm. */
export const postedWalkTests: WalkTests = {
  ptePmdTest: (va) => va !== 0,
  pmdPgdTest: (va) => va !== 0,
  pmd: (s) => s.insmodPmd,
  mmName: 'current->mm',
};

/** map_pte_range(pmap, pmd, va, end): pmap is an index into the maplist. */
function* map_pte_range(s: KvmapState, m: Maplist, pmap: number, pmdBase: number, va: number, end: number, t: WalkTests, label: string): G<number> {
  let nr_pages = 0;
  if (!(yield* t.pmd(s).get(`${label}: map_pte_range: if (pmd_none(*pmd)) (${t.mmName})`))) return 0;
  let idx = (va - pmdBase) / PAGE_SIZE; // pte = pte_offset(pmd, va)
  do {
    if (idx >= s.p.ptrsPerPte) {
      hwFail('wrong-target', `map_pte_range: pte++ walked past the ${s.p.ptrsPerPte}-entry PTE page of the PMD at ${hex(pmdBase)} (va ${hex(va)}): the loop test (va && PMD_MASK) is always true`, `${label}: map_pte_range`, {
        title: 'BUG: KASAN: out-of-bounds in map_pte_range (PTE page)',
      });
    }
    const pte = yield* s.kpt.walk(pmdBase + idx * PAGE_SIZE, `${label}: map_pte_range: pte_none(*pte)`);
    let page: Page | null = null;
    if (pte.present) {
      page = s.phys.pageAt(pte.pa) ?? null;
      if (page) yield* s.phys.getPage(page, `${label}: map_pte_range: atomic_inc(&page->count)`);
    }
    yield* maplistSet(m, pmap + nr_pages, page, `${label}: map_pte_range`);
    va += PAGE_SIZE;
    idx++;
    nr_pages++;
  } while (va < end && t.ptePmdTest(va, s));
  return nr_pages;
}

/** map_pmd_range(pmap, dir, va, end) with the pmd folded into the pgd. */
function* map_pmd_range(s: KvmapState, m: Maplist, pmap: number, va: number, end: number, t: WalkTests, label: string): G<number> {
  const pmdSize = s.p.ptrsPerPte * PAGE_SIZE;
  let pmdBase = va - (va % pmdSize); // pmd = pmd_offset(dir, va)
  let total = 0;
  let nr: number;
  do {
    nr = yield* map_pte_range(s, m, pmap, pmdBase, va, end, t, label);
    pmdBase += pmdSize; // pmd++
    pmap += nr;
    va += nr << PAGE_SHIFT;
    total += nr;
  } while (nr !== 0 && va < end && t.pmdPgdTest(va, s));
  return total;
}

/** int map_kernel_kiobuf(struct kiobuf *iobuf, unsigned long va, size_t len) */
export function* map_kernel_kiobuf(s: KvmapState, iobuf: Kiobuf, va: number, len: number, t: WalkTests, checkAll: boolean): G<number> {
  const L = 'map_kernel_kiobuf';
  if ((yield* iobuf.nr_pages.get(`${L}: if (iobuf->nr_pages)`)) !== 0) return -EINVAL;
  let ptr = va - (va % PAGE_SIZE);
  const end = (va + len + PAGE_SIZE - 1) - ((va + len + PAGE_SIZE - 1) % PAGE_SIZE);
  const err = yield* expand_kiobuf(s, iobuf, (end - ptr) / PAGE_SIZE, L);
  if (err) return err;
  yield* iobuf.locked.set(0, `${L}: iobuf->locked = 0`);
  yield* iobuf.nr_pages.set(0, `${L}: iobuf->nr_pages = 0`);
  yield* iobuf.offset.set(va % PAGE_SIZE, `${L}: iobuf->offset = va & ~PAGE_MASK`);
  yield* iobuf.length.set(len, `${L}: iobuf->length = len`);
  yield* spin_lock(s.page_table_lock, `${L}: spin_lock(&mm->page_table_lock)`);
  const m = yield* iobuf.maplist.get(`${L}: pmap = iobuf->maplist`);
  let pmap = 0;
  while (ptr < end) {
    const nr = yield* map_pmd_range(s, m, pmap, ptr, end, t, L);
    if (!nr) break;
    ptr += nr << PAGE_SHIFT;
    pmap += nr;
    const n = yield* iobuf.nr_pages.get(`${L}: iobuf->nr_pages += nr_pages`);
    yield* iobuf.nr_pages.set(n + nr, `${L}: iobuf->nr_pages += nr_pages`);
  }
  yield* spin_unlock(s.page_table_lock, `${L}: spin_unlock(&mm->page_table_lock)`);
  // Posted: `err = -EFAULT` is never returned. Fixed: a short walk is an error.
  if (checkAll && ptr < end) return -14;
  return 0;
}

/** void unmap_kiobuf(struct kiobuf *iobuf): release every page reference the kiobuf holds. */
export function* unmap_kiobuf(s: KvmapState, iobuf: Kiobuf, label: string): G<void> {
  const n = yield* iobuf.nr_pages.get(`${label}: unmap_kiobuf: iobuf->nr_pages`);
  const m = yield* iobuf.maplist.get(`${label}: unmap_kiobuf: iobuf->maplist`);
  for (let i = 0; i < n; i++) {
    const page = yield* maplistGet(m, i, `${label}: unmap_kiobuf: map = iobuf->maplist[i]`);
    if (page) yield* s.phys.putPage(deref(page, `${label}: unmap_kiobuf: __free_page(map)`), `${label}: unmap_kiobuf: __free_page(map)`);
  }
  yield* iobuf.nr_pages.set(0, `${label}: unmap_kiobuf: iobuf->nr_pages = 0`);
  yield* iobuf.locked.set(0, `${label}: unmap_kiobuf: iobuf->locked = 0`);
}
