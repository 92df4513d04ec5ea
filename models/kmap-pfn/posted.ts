/**
 * Seed 003 as posted: mm/kmap_pfn.c of "[PATCH v5 2/5] allow mapping page-less memremaped areas
 * into KVA" (Dan Williams, Aug 2015) with the `__pfn_t` of include/linux/mm.h, line by line:
 * teardown_kmap (list_del_rcu under register_lock, synchronize_rcu, kfree),
 * devm_register_kmap_pfn_range (kzalloc, devm_add_action, list_add_rcu under register_lock),
 * kmap_atomic_pfn_t (rcu_read_lock; a page-backed pfn returns kmap_atomic(page), a device pfn the
 * matching range's base + offset -- both *with the RCU read lock still held*), and
 * kunmap_atomic_pfn_t (walk `ranges` again to decide whether `addr` was a device address; if not,
 * kunmap_atomic(addr); then rcu_read_unlock).
 *
 * What the checker finds (expectedBugs): kunmap_atomic_pfn_t re-derives "was this a device
 * address?" from the list, so a range list_del_rcu'd between a reader's kmap and its kunmap makes
 * the reader kunmap_atomic() an address it never kmap_atomic()ed (preempt / pagefault count
 * underflow; BUG_ON on 32-bit HIGHMEM); with the v4.2 pmem driver, which memunmaps in ->remove()
 * before devres runs teardown_kmap, a reader copies through an address that is no longer mapped;
 * on a 32-bit kernel `page_to_pfn_t` shifts the pfn out of `unsigned long`, so kmap maps
 * another frame than the one asked for (and a device range above 4 GiB is never found); and the
 * series' own DAX users sleep inside the window (dax_clear_blocks' cond_resched(), dax_io's user
 * copies: verified in the series' fs/dax.c conversion), under the RCU read lock the API returns
 * with.
 * Leaves out: dev_dbg, the !CONFIG_KMAP_PFN inline stubs (this is the CONFIG_KMAP_PFN=y build).
 */
import {
  Completion, GFP_KERNEL, Field, ListHead, type KPtr, PercpuRef, devm_add_action, hwFail, kfree, kmap_atomic, kunmap_atomic, kzalloc,
  list_add_rcu, list_del_rcu, list_for_each_entry_rcu, mutex_lock, mutex_unlock, rcu_read_lock, rcu_read_unlock,
  synchronize_rcu, type Page,
} from '../../src/index.js';
import { defineKmapPfnModel } from './define-model.js';
import { type PfnCodec, type PfnT, postedPfnCodec } from './pfn-t.js';
import type { G, Kmap, KmapPfnApi, KmapPfnState, Resource } from './state.js';

const ENOMEM = 12;

/** __pfn_t_to_page(pfn): NULL for PFN_DEV, else pfn_to_page(__pfn_t_to_pfn(pfn)). */
export function pfnTToPage(s: KmapPfnState, codec: PfnCodec, pfn: PfnT, label: string): Page | null {
  if (!codec.hasPage(pfn)) return null;
  const n = codec.toPfn(pfn);
  const page = s.phys.page(n);
  if (page === undefined) {
    hwFail('wrong-target', `pfn_to_page(${n.toString(16)}): no struct page for this pfn (the __pfn_t decoded to a frame outside memmap)`, label);
  }
  return page;
}

/** static void teardown_kmap(void *data) */
export function* teardown_kmap(s: KmapPfnState, kmap: KPtr<Kmap>): G<void> {
  yield* mutex_lock(s.register_lock, 'teardown_kmap: mutex_lock(&register_lock)');
  yield* list_del_rcu(kmap.list, 'teardown_kmap: list_del_rcu(&kmap->list)');
  yield* mutex_unlock(s.register_lock, 'teardown_kmap: mutex_unlock(&register_lock)');
  yield* synchronize_rcu('teardown_kmap: synchronize_rcu()');
  yield* kfree(kmap, 'teardown_kmap: kfree(kmap)');
}

/** kzalloc(sizeof(struct kmap)): the members of both designs (the posted one never touches `ref` / `done`). */
export function* kzallocKmap(s: KmapPfnState): G<KPtr<Kmap> | null> {
  const kmap = yield* kzalloc<Kmap>('struct kmap', GFP_KERNEL, (b) => ({
    list: new ListHead<KPtr<Kmap>>('kmap->list', b),
    res: new Field<Resource | null>(null, 'res', b),
    dev: new Field(null, 'dev', b),
    base: new Field(0, 'base', b),
    ref: new PercpuRef('kmap->ref', b),
    done: new Completion('kmap->done', b),
  }), 'devm_register_kmap_pfn_range: kzalloc(sizeof(*kmap), GFP_KERNEL)');
  if (kmap === null) return null;
  kmap.list.owner = kmap; // INIT_LIST_HEAD(&kmap->list) + container_of
  s.kmaps.push(kmap);
  return kmap;
}

/** int devm_register_kmap_pfn_range(struct device *dev, struct resource *res, void *base) */
export function* devm_register_kmap_pfn_range(s: KmapPfnState, res: Resource, base: number): G<number> {
  const kmap = yield* kzallocKmap(s);
  if (kmap === null) return -ENOMEM;
  yield* kmap.res.set(res, 'devm_register_kmap_pfn_range: kmap->res = res');
  yield* kmap.base.set(base, 'devm_register_kmap_pfn_range: kmap->base = base');
  yield* kmap.dev.set(s.dev, 'devm_register_kmap_pfn_range: kmap->dev = dev');
  const rc = yield* devm_add_action(s.dev, (k: KPtr<Kmap>) => teardown_kmap(s, k), kmap, 'teardown_kmap',
    'devm_register_kmap_pfn_range: devm_add_action(dev, teardown_kmap, kmap)');
  if (rc !== 0) {
    yield* kfree(kmap, 'devm_register_kmap_pfn_range: kfree(kmap)');
    return rc;
  }
  yield* mutex_lock(s.register_lock, 'devm_register_kmap_pfn_range: mutex_lock(&register_lock)');
  yield* list_add_rcu(kmap.list, s.ranges, 'devm_register_kmap_pfn_range: list_add_rcu(&kmap->list, &ranges)');
  yield* mutex_unlock(s.register_lock, 'devm_register_kmap_pfn_range: mutex_unlock(&register_lock)');
  return 0;
}

/** The range lookup both variants share: list_for_each_entry_rcu over `ranges` for `addr`. */
export function* findRange(s: KmapPfnState, addr: number, fn: string): G<{ kmap: KPtr<Kmap>; start: number } | null> {
  const seen = { start: 0 };
  const kmap = yield* list_for_each_entry_rcu(s.ranges, (k: KPtr<Kmap>) => rangeCovers(k, addr, fn, seen), `${fn}: list_for_each_entry_rcu(kmap, &ranges, list)`);
  return kmap === null ? null : { kmap, start: seen.start };
}

/*
 * The loop bodies are module-level generators behind arrows, not `function*` expressions made per
 * call: each of those gets a hidden class that keeps the execution alive until the next full GC.
 */
export function* rangeCovers(k: KPtr<Kmap>, addr: number, fn: string, seen: { start: number }): G<boolean> {
  const res = yield* k.res.get(`${fn}: kmap->res`);
  if (res === null) return false;
  seen.start = yield* res.start.get(`${fn}: kmap->res->start`);
  if (!(addr >= seen.start)) return false;
  const end = yield* res.end.get(`${fn}: kmap->res->end`);
  return addr <= end;
}

/** void *kmap_atomic_pfn_t(__pfn_t pfn) */
export function* kmap_atomic_pfn_t(s: KmapPfnState, codec: PfnCodec, pfn: PfnT, reader: number): G<number | null> {
  const page = pfnTToPage(s, codec, pfn, 'kmap_atomic_pfn_t: __pfn_t_to_page(pfn)');
  yield* rcu_read_lock('kmap_atomic_pfn_t: rcu_read_lock()');
  if (page !== null) {
    const a = yield* kmap_atomic(s.layout, page, 'kmap_atomic_pfn_t: return kmap_atomic(page)');
    s.holding[reader]?.push({ addr: a, pfn: codec.toPfn(pfn), kmap: null });
    return a;
  }
  const addr = codec.toPhys(pfn);
  const hit = yield* findRange(s, addr, 'kmap_atomic_pfn_t');
  if (hit !== null) {
    const base = yield* hit.kmap.base.get('kmap_atomic_pfn_t: return kmap->base + addr - kmap->res->start');
    const a = base + addr - hit.start;
    s.holding[reader]?.push({ addr: a, pfn: codec.toPfn(pfn), kmap: hit.kmap });
    return a;
  }
  /* only unlock in the error case */
  yield* rcu_read_unlock('kmap_atomic_pfn_t: rcu_read_unlock() (error case)');
  return null;
}

/** kunmap_atomic_pfn_t's loop body: does `k` map `addr`? */
function* mapsAddr(k: KPtr<Kmap>, addr: number): G<boolean> {
  const base = yield* k.base.get('kunmap_atomic_pfn_t: kmap->base');
  const res = yield* k.res.get('kunmap_atomic_pfn_t: kmap->res');
  if (res === null) return false;
  const start = yield* res.start.get('kunmap_atomic_pfn_t: resource_size(kmap->res)');
  const end = yield* res.end.get('kunmap_atomic_pfn_t: resource_size(kmap->res)');
  return addr < base + (end - start + 1) && addr >= base;
}

/** void kunmap_atomic_pfn_t(void *addr) -- the pfn argument is the fixed API's; ignored here. */
export function* kunmap_atomic_pfn_t(s: KmapPfnState, addr: number | null, reader: number): G<void> {
  if (addr === null) return;
  /*
   * If the original __pfn_t had an entry in the memmap (i.e. !PFN_DEV) then 'addr' will be
   * outside of the registered ranges and we'll need to kunmap_atomic() it.
   */
  const dev_pfn = (yield* list_for_each_entry_rcu(s.ranges, (k: KPtr<Kmap>) => mapsAddr(k, addr), 'kunmap_atomic_pfn_t: list_for_each_entry_rcu(kmap, &ranges, list)')) !== null;
  // The report names where the reader's range was unpublished, when that is why it was not found.
  const held = s.holding[reader]?.[(s.holding[reader]?.length ?? 0) - 1];
  if (!dev_pfn) yield* kunmap_atomic(s.layout, addr, 'kunmap_atomic_pfn_t: kunmap_atomic(addr)', held?.kmap?.list.deletedAt ?? null);
  /* signal that we are done with the range */
  yield* rcu_read_unlock('kunmap_atomic_pfn_t: rcu_read_unlock()');
  s.holding[reader]?.pop();
}

export const postedApi: KmapPfnApi = {
  codec: postedPfnCodec,
  devm_register_kmap_pfn_range,
  kmap_atomic_pfn_t: (s, pfn, reader) => kmap_atomic_pfn_t(s, postedPfnCodec(s.p.bits), pfn, reader),
  kunmap_atomic_pfn_t: (s, _pfn, addr, reader) => kunmap_atomic_pfn_t(s, addr, reader),
  driverAlwaysDevm: false,
};

export const kmapPfnPosted = defineKmapPfnModel({
  name: 'kmap-pfn/posted',
  description: 'seed 003 as posted: RCU list of pmem ranges; kunmap re-walks the list; unsigned long __pfn_t',
  api: postedApi,
  source: [teardown_kmap, devm_register_kmap_pfn_range, findRange, rangeCovers, kmap_atomic_pfn_t, kunmap_atomic_pfn_t, mapsAddr, pfnTToPage, postedPfnCodec].map(String).join('\n'),
  expectedBugs: [
    {
      id: 'kunmap-after-list-del',
      description: 'teardown_kmap list_del_rcu()s the range while a reader holds a device address; the reader\'s kunmap_atomic_pfn_t no longer finds it and kunmap_atomic()s an address it never kmap_atomic()ed (preempt/pagefault count underflow)',
      scenario: 'reader-vs-remove',
      kinds: ['assertion'],
      match: 'without a matching kmap_atomic',
    },
    {
      id: 'unmap-before-teardown',
      description: 'the v4.2 pmem driver memunmaps in ->remove(), before devres runs teardown_kmap: a reader that found the range copies through an address whose mapping is gone',
      scenario: 'remove-unmaps-first',
      kinds: ['page-fault'],
      match: 'read through unmapped VA 0xf800',
    },
    {
      id: 'pfn-t-32bit',
      description: 'on a 32-bit kernel page_to_pfn_t shifts the pfn left in an unsigned long: a page above 4 GiB decodes to another frame, and kmap_atomic_pfn_t maps the wrong page',
      scenario: 'highmem-32bit',
      kinds: ['wrong-target'],
      match: 'caller was promised PA 0x100100000',
    },
    {
      id: 'pfn-t-32bit-dev',
      description: 'the same truncation for a device pfn: on a 32-bit PAE kernel a pmem range above 4 GiB is registered, but the __pfn_t of its pfns decodes below 4 GiB, so kmap_atomic_pfn_t finds no range and returns NULL',
      scenario: 'pmem-above-4g-32bit',
      kinds: ['wrong-target'],
      match: 'registered pfn not found',
    },
    {
      id: 'sleep-in-dax-clear',
      description: 'the series converts dax_clear_blocks to kmap_atomic_pfn_t with its cond_resched() still inside the window: it sleeps under the rcu_read_lock() that kmap_atomic_pfn_t returns with (the device lifetime is an RCU read section, so no reader may sleep)',
      scenario: 'sleeping-reader',
      kinds: ['sleep-in-atomic'],
      match: 'at dax_clear_blocks',
    },
    {
      id: 'sleep-in-dax-io',
      description: 'dax_io holds the kmap_atomic_pfn_t address across copy_to_iter / copy_from_iter: a user copy may fault and sleep inside the RCU read section',
      scenario: 'user-copy-reader',
      kinds: ['sleep-in-atomic'],
      match: 'at dax_io',
    },
  ],
});
