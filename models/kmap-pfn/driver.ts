/**
 * The pmem-like driver of the kmap-pfn models and the readers that use its pfns, written once
 * against `KmapPfnApi` so both variants run the same driver and workloads.
 *
 * The driver follows drivers/nvdimm/pmem.c as of v4.2 + this series: probe (pmem_alloc: kzalloc the
 * pmem_device, memremap_pmem the resource; then devm_register_kmap_pfn_range; dev_set_drvdata) and
 * remove (nd_pmem_remove -> pmem_free: memunmap_pmem, kfree), after which the driver core runs
 * devres_release_all (devm actions newest first) -- also when probe fails. `unmapIn: 'devm'` is the
 * v4.3 shape (devm_memremap, registered before the range, so released after teardown_kmap); the
 * fixed variant always uses it. devm_memremap here maps first and then adds the devres node (the C
 * allocates the node first); the difference is invisible to readers.
 * The driver may be bound `cycles` times (unbind, bind again: a new struct kmap for the same range);
 * memremap (ioremap_cache) can fail under allocation-failure injection.
 * A reader is one I/O on a pfn it already holds (a bio_vec / scatterlist entry): kmap_atomic_pfn_t,
 * copy through the returned address (a CPU access that must reach the pfn asked for), optionally
 * sleep as the series' DAX users do inside the window (dax_clear_blocks' cond_resched(), dax_io's
 * user copy, a might_fault()), optionally kmap further pfns (nested) and copy again, then
 * kunmap_atomic_pfn_t. It takes no reference on the device: that is the design under review. A
 * NULL for a device pfn whose range stayed registered (and, in the fixed design, alive) during the
 * whole lookup is a violation (the address returned must map the pfn asked for).
 * Leaves out: gendisk add/del (no block layer), request_mem_region, ioremap's vmalloc area search
 * (the range is mapped at PMEM_VA).
 */
import {
  Field, GFP_KERNEL, ListHead, PAGE_SIZE, type KPtr, choose, cond_resched, hwFail, devm_add_action, devres_release_all, hex, join,
  kfree, kzalloc, lastEvent, might_sleep, onlyLatestReadsSince, op, thread, type ThreadSpec, READS_OWN, smp_store_release,
} from '../../src/index.js';
import type { PfnCodec } from './pfn-t.js';
import { type G, type Kmap, type KmapPfnApi, type KmapPfnState, PMEM_VA, type PmemDevice, type ReaderPfn, wantedPa } from './state.js';

const ENOMEM = 12;
const ENXIO = 6;

/** memremap_pmem(offset, size) -> ioremap_cache: map the range write-back cacheable; NULL when it fails. */
function* memremap_pmem(s: KmapPfnState, offset: number, size: number, label: string): G<number | null> {
  if (s.p.failAllocs && (yield* choose(2, `${label}: ioremap_cache fails?`)) === 1) return null;
  yield* s.kpt.map(PMEM_VA, offset, size, 'cached', { label: `${label}: ioremap_cache(${hex(offset)})` });
  return PMEM_VA;
}

/** memunmap_pmem(addr) -> iounmap. */
function* memunmap_pmem(s: KmapPfnState, addr: number, label: string): G<void> {
  yield* s.kpt.unmap(addr, s.p.pmemPages * PAGE_SIZE, `${label}: iounmap(${hex(addr)})`);
}

/** devm_memremap(dev, offset, size): the mapping becomes a devres action (devm_memremap_release). */
function* devm_memremap(s: KmapPfnState, offset: number, size: number): G<number | null> {
  const addr = yield* memremap_pmem(s, offset, size, 'pmem_alloc: devm_memremap');
  if (addr === null) return null;
  const rc = yield* devm_add_action(s.dev, (a: number) => memunmap_pmem(s, a, 'devm_memremap_release'), addr, 'devm_memremap_release',
    'pmem_alloc: devm_memremap');
  if (rc !== 0) {
    yield* memunmap_pmem(s, addr, 'pmem_alloc: devm_memremap: error');
    return null;
  }
  return addr;
}

/** nd_pmem_probe: returns 0 or a negative errno. */
export function* pmem_probe(s: KmapPfnState, api: KmapPfnApi): G<number> {
  const devm = api.driverAlwaysDevm || s.p.unmapIn === 'devm';
  const pmem: KPtr<PmemDevice> | null = yield* kzalloc<PmemDevice>('struct pmem_device', GFP_KERNEL, (b) => ({
    phys_addr: new Field(0, 'phys_addr', b), size: new Field(0, 'size', b), virt_addr: new Field(0, 'virt_addr', b),
  }), 'pmem_alloc: kzalloc(sizeof(*pmem))');
  if (pmem === null) return -ENOMEM;
  const start = yield* s.res.start.get('pmem_alloc: res->start');
  const end = yield* s.res.end.get('pmem_alloc: res->end');
  const size = end - start + 1;
  yield* pmem.phys_addr.set(start, 'pmem_alloc: pmem->phys_addr = res->start');
  yield* pmem.size.set(size, 'pmem_alloc: pmem->size = resource_size(res)');
  let virt: number | null;
  if (devm) virt = yield* devm_memremap(s, start, size);
  else virt = yield* memremap_pmem(s, start, size, 'pmem_alloc: memremap_pmem');
  if (virt === null) {
    yield* kfree(pmem, 'pmem_alloc: kfree(pmem)');
    yield* devres_release_all(s.dev, 'really_probe: probe failed: devres_release_all');
    return -ENXIO;
  }
  yield* pmem.virt_addr.set(virt, 'pmem_alloc: pmem->virt_addr = memremap_pmem(...)');
  const rc = yield* api.devm_register_kmap_pfn_range(s, s.res, virt);
  if (rc !== 0) {
    if (!devm) yield* memunmap_pmem(s, virt, 'nd_pmem_probe: error: pmem_free: memunmap_pmem');
    yield* kfree(pmem, 'nd_pmem_probe: error: pmem_free: kfree(pmem)');
    yield* devres_release_all(s.dev, 'really_probe: probe failed: devres_release_all');
    return rc;
  }
  yield* s.drvdata.set(pmem, 'nd_pmem_probe: dev_set_drvdata(dev, pmem)');
  return 0;
}

/** nd_pmem_remove + __device_release_driver's devres_release_all. */
export function* pmem_remove(s: KmapPfnState, api: KmapPfnApi): G<void> {
  const devm = api.driverAlwaysDevm || s.p.unmapIn === 'devm';
  const pmem = yield* s.drvdata.get('nd_pmem_remove: dev_get_drvdata(dev)');
  if (pmem !== null) {
    if (!devm) {
      const virt = yield* pmem.virt_addr.get('pmem_free: pmem->virt_addr');
      yield* memunmap_pmem(s, virt, 'pmem_free: memunmap_pmem(pmem->virt_addr)');
    }
    yield* kfree(pmem, 'pmem_free: kfree(pmem)');
    yield* s.drvdata.set(null, '__device_release_driver: dev_set_drvdata(dev, NULL)');
  }
  yield* devres_release_all(s.dev, '__device_release_driver: devres_release_all(dev)');
  s.removed = true;
}

/** The probe / remove cycles of one device: the last remove at once or after the readers, as the scenario says. */
function* probeRemoveCycles(s: KmapPfnState, api: KmapPfnApi): G<void> {
  const cycles = s.p.cycles ?? 1;
  for (let c = 0; c < cycles; c++) {
    const rc = yield* pmem_probe(s, api);
    s.probeRc = rc;
    if (rc === 0) s.removed = false;
    // Harness ordering: a reader's open() of the device follows probe's return through the driver
    // core's locks, so the flag is a release store the readers' wait acquires.
    if (c === 0) yield* smp_store_release(s.probed, true, 'really_probe: probe returned');
    if (rc !== 0) return;
    if (c === cycles - 1 && s.p.remove === 'after') {
      for (let i = 0; i < s.p.readers.length; i++) yield* join(i + 1, 'wait for reader (quiescent unbind)');
    }
    yield* pmem_remove(s, api);
  }
}

/** The driver-core thread: probe, then unbind (at once, or after every reader finished), `cycles` times. */
export function driverThread(s: KmapPfnState, api: KmapPfnApi): ThreadSpec {
  return thread('pmem-driver', () => probeRemoveCycles(s, api));
}

/** The registered range covering `pa` that is neither unpublished nor killed (a ghost walk: no ops). */
function liveRangeCovering(s: KmapPfnState, pa: number): KPtr<Kmap> | null {
  let pos = s.ranges.next.v;
  while (pos !== s.ranges && pos instanceof ListHead) {
    const k = pos.owner;
    const res = k?.res.v;
    if (k && res && k.list.deletedAt === null && !k.ref.dead && pa >= res.start.v && pa <= res.end.v) return k;
    pos = pos.next.v;
  }
  return null;
}

/** One kmap / copy / (sleep) / (nested kmaps, copy again) / kunmap of a reader. */
function* readOne(s: KmapPfnState, api: KmapPfnApi, codec: PfnCodec, i: number, rp: ReaderPfn): G<void> {
  const pfn = rp.dev ? codec.fromDevPhys(rp.pfn * PAGE_SIZE) : codec.fromPage(rp.pfn);
  const before = liveRangeCovering(s, wantedPa(rp));
  const since = lastEvent();
  const addr = yield* api.kmap_atomic_pfn_t(s, pfn, i);
  // Under the LKMM a walk not ordered after a (re-)registration may read the list as it was before: not this bug.
  if (addr === null && rp.dev && before !== null && liveRangeCovering(s, wantedPa(rp)) === before && onlyLatestReadsSince(since)) {
    hwFail('wrong-target', `kmap_atomic_pfn_t(pfn ${hex(rp.pfn)}) returned NULL although the range covering it stayed registered during the whole lookup (the pfn encoding lost address bits)`,
      `reader${i}: kmap_atomic_pfn_t(pfn ${hex(rp.pfn)})`, { title: 'BUG: kmap_atomic_pfn_t: registered pfn not found' });
  }
  if (addr !== null) {
    const label = `reader${i}: memcpy(buf, kmap_atomic_pfn_t(pfn ${hex(rp.pfn)}))`;
    yield* s.kpt.access(addr, { expectPa: wantedPa(rp), label });
    if (rp.between === 'cond_resched') yield* cond_resched(`dax_clear_blocks: cond_resched() (reader${i})`);
    if (rp.between === 'copy_to_user') {
      const L = `dax_io: copy_to_user(buf, addr): might_fault() (reader${i})`;
      might_sleep(L);
      yield op.yield(L);
    }
    for (const inner of rp.inner ?? []) yield* readOne(s, api, codec, i, inner);
    if ((rp.inner ?? []).length > 0) yield* s.kpt.access(addr, { expectPa: wantedPa(rp), label: `${label} again` });
  }
  yield* api.kunmap_atomic_pfn_t(s, pfn, addr, i);
}

/** Reader `i`: one kmap / copy / kunmap per pfn of its list. */
export function readerThread(s: KmapPfnState, api: KmapPfnApi, i: number): ThreadSpec {
  const codec = api.codec(s.p.bits);
  const pfns = s.p.readers[i] ?? [];
  return thread(`reader${i}`, () => readerBody(s, api, codec, i, pfns));
}

/*
 * Thread bodies are module-level generators reached through arrows: a `function*` expression made
 * per execution gets its own hidden class, which keeps that execution's whole world alive through
 * every scavenge until the next full GC.
 */
function* readerBody(s: KmapPfnState, api: KmapPfnApi, codec: PfnCodec, i: number, pfns: readonly ReaderPfn[]): G<void> {
  if (s.p.readersStart === 'after-probe') {
    yield op.wait(s.probed.id, `reader${i}: I/O after the device was probed`, () => s.probed.v, READS_OWN);
  }
  for (const rp of pfns) yield* readOne(s, api, codec, i, rp);
}
