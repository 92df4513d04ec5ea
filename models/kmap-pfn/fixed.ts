/**
 * Seed 003, fixed: the lifetime discipline mainline adopted for the same readers, kept in the
 * posted API's shape.
 *  - `pfn_t` as mainline v4.5 defined it (include/linux/pfn_t.h): a u64 holding the pfn itself with
 *    the flags in the top bits, so a 32-bit kernel no longer shifts high pfns out of the value.
 *  - A device range is pinned by a reference, not by an RCU read section, because the series' own
 *    users sleep inside the window (dax_clear_blocks' cond_resched(), dax_io's user copies; verified
 *    in the series' fs/dax.c conversion). This is the shape of v4.5's `dax_map_atomic()` ("dax: fix
 *    lifetime of in-kernel dax mappings with dax_map_atomic()", Dan Williams, Jan 2016), which pins
 *    the device with `blk_queue_enter()` = `percpu_ref_tryget_live(&q->q_usage_counter)` and
 *    unpins with `blk_queue_exit()` = `percpu_ref_put()`, while teardown (`blk_cleanup_queue` ->
 *    `blk_freeze_queue`) kills the ref and waits for it to reach zero. Here each struct kmap has a
 *    percpu_ref: kmap_atomic_pfn_t looks the range up under rcu_read_lock(), takes a live
 *    reference and drops the RCU lock before returning, so the reader may sleep; kunmap puts it.
 *    teardown_kmap kills the ref (new lookups fail: NULL, an -EIO for the caller), waits for the
 *    last reader's put (the release completes kmap->done), and only then unpublishes the range,
 *    waits for lookups still walking the list (synchronize_rcu) and frees it.
 *  - kunmap_atomic_pfn_t(pfn, addr) decides from the pfn it was given, not from the current contents
 *    of `ranges`: whether to kunmap_atomic() is a property of the mapping the reader made. A
 *    page-backed pfn is still mapped with kmap_atomic (atomic: its reader must not sleep).
 *  - The driver maps its range with devm_memremap (as pmem did from v4.3), registered before the
 *    kmap range, so devres undoes the mapping only after teardown_kmap has waited for its readers.
 * Leaves out: mainline's eventual replacement of the whole range list by ZONE_DEVICE struct pages
 * (devm_memremap_pages + percpu_ref), which removes kmap_atomic_pfn_t altogether.
 */
import {
  GFP_KERNEL, type KPtr, complete, devm_add_action, kfree, kmap_atomic, kunmap_atomic, list_add_rcu, list_del_rcu, mutex_lock,
  mutex_unlock, percpu_ref_exit, percpu_ref_init, percpu_ref_kill, percpu_ref_put, percpu_ref_tryget_live, rcu_read_lock,
  rcu_read_unlock, synchronize_rcu, wait_for_completion,
} from '../../src/index.js';
import { defineKmapPfnModel } from './define-model.js';
import { type PfnCodec, type PfnT, mainlinePfnCodec } from './pfn-t.js';
import { findRange, kzallocKmap, pfnTToPage, rangeCovers } from './posted.js';
import type { G, Kmap, KmapPfnApi, KmapPfnState, Resource } from './state.js';

const ENOMEM = 12;

/** teardown_kmap: no new users, wait for the current ones (sleeping ones included), then unpublish and free. */
export function* teardown_kmap_fixed(s: KmapPfnState, kmap: KPtr<Kmap>): G<void> {
  yield* percpu_ref_kill(kmap.ref, 'teardown_kmap: percpu_ref_kill(&kmap->ref)');
  yield* wait_for_completion(kmap.done, 'teardown_kmap: wait_for_completion(&kmap->done)');
  yield* mutex_lock(s.register_lock, 'teardown_kmap: mutex_lock(&register_lock)');
  yield* list_del_rcu(kmap.list, 'teardown_kmap: list_del_rcu(&kmap->list)');
  yield* mutex_unlock(s.register_lock, 'teardown_kmap: mutex_unlock(&register_lock)');
  yield* synchronize_rcu('teardown_kmap: synchronize_rcu()');
  yield* percpu_ref_exit(kmap.ref, 'teardown_kmap: percpu_ref_exit(&kmap->ref)');
  yield* kfree(kmap, 'teardown_kmap: kfree(kmap)');
}

/** int devm_register_kmap_pfn_range(dev, res, base): the posted one plus the range's percpu_ref. */
export function* devm_register_kmap_pfn_range_fixed(s: KmapPfnState, res: Resource, base: number): G<number> {
  const kmap = yield* kzallocKmap(s);
  if (kmap === null) return -ENOMEM;
  const done = kmap.done;
  let rc = yield* percpu_ref_init(kmap.ref, () => complete(done, 'kmap_ref_release: complete(&kmap->done)'), GFP_KERNEL,
    'devm_register_kmap_pfn_range: percpu_ref_init(&kmap->ref, kmap_ref_release)');
  if (rc !== 0) {
    yield* kfree(kmap, 'devm_register_kmap_pfn_range: kfree(kmap)');
    return rc;
  }
  yield* kmap.res.set(res, 'devm_register_kmap_pfn_range: kmap->res = res');
  yield* kmap.base.set(base, 'devm_register_kmap_pfn_range: kmap->base = base');
  yield* kmap.dev.set(s.dev, 'devm_register_kmap_pfn_range: kmap->dev = dev');
  rc = yield* devm_add_action(s.dev, (k: KPtr<Kmap>) => teardown_kmap_fixed(s, k), kmap, 'teardown_kmap',
    'devm_register_kmap_pfn_range: devm_add_action(dev, teardown_kmap, kmap)');
  if (rc !== 0) {
    yield* percpu_ref_exit(kmap.ref, 'devm_register_kmap_pfn_range: percpu_ref_exit(&kmap->ref)');
    yield* kfree(kmap, 'devm_register_kmap_pfn_range: kfree(kmap)');
    return rc;
  }
  yield* mutex_lock(s.register_lock, 'devm_register_kmap_pfn_range: mutex_lock(&register_lock)');
  yield* list_add_rcu(kmap.list, s.ranges, 'devm_register_kmap_pfn_range: list_add_rcu(&kmap->list, &ranges)');
  yield* mutex_unlock(s.register_lock, 'devm_register_kmap_pfn_range: mutex_unlock(&register_lock)');
  return 0;
}

/** void *kmap_atomic_pfn_t(pfn_t pfn): a page via kmap_atomic; a device pfn pinned by a live reference (may sleep). */
export function* kmap_atomic_pfn_t_fixed(s: KmapPfnState, codec: PfnCodec, pfn: PfnT, reader: number): G<number | null> {
  const page = pfnTToPage(s, codec, pfn, 'kmap_atomic_pfn_t: pfn_t_to_page(pfn)');
  if (page !== null) {
    const a = yield* kmap_atomic(s.layout, page, 'kmap_atomic_pfn_t: return kmap_atomic(page)');
    s.holding[reader]?.push({ addr: a, pfn: codec.toPfn(pfn), kmap: null });
    return a;
  }
  const addr = codec.toPhys(pfn);
  yield* rcu_read_lock('kmap_atomic_pfn_t: rcu_read_lock()');
  const hit = yield* findRange(s, addr, 'kmap_atomic_pfn_t');
  let a: number | null = null;
  if (hit !== null && (yield* percpu_ref_tryget_live(hit.kmap.ref, 'kmap_atomic_pfn_t: percpu_ref_tryget_live(&kmap->ref)'))) {
    a = (yield* hit.kmap.base.get('kmap_atomic_pfn_t: kmap->base + addr - kmap->res->start')) + addr - hit.start;
    s.holding[reader]?.push({ addr: a, pfn: codec.toPfn(pfn), kmap: hit.kmap });
  }
  yield* rcu_read_unlock('kmap_atomic_pfn_t: rcu_read_unlock()');
  return a;
}

/** void kunmap_atomic_pfn_t(pfn_t pfn, void *addr): decided by the pfn; a device pfn drops its reference. */
export function* kunmap_atomic_pfn_t_fixed(s: KmapPfnState, codec: PfnCodec, pfn: PfnT, addr: number | null, reader: number): G<void> {
  if (addr === null) return;
  if (codec.hasPage(pfn)) {
    yield* kunmap_atomic(s.layout, addr, 'kunmap_atomic_pfn_t: pfn_t_has_page(pfn): kunmap_atomic(addr)');
  } else {
    // The range cannot leave the list while this reader holds its reference (teardown waits for it).
    yield* rcu_read_lock('kunmap_atomic_pfn_t: rcu_read_lock()');
    const hit = yield* findRange(s, codec.toPhys(pfn), 'kunmap_atomic_pfn_t');
    yield* rcu_read_unlock('kunmap_atomic_pfn_t: rcu_read_unlock()');
    if (hit !== null) yield* percpu_ref_put(hit.kmap.ref, 'kunmap_atomic_pfn_t: percpu_ref_put(&kmap->ref)');
  }
  s.holding[reader]?.pop();
}

export const fixedApi: KmapPfnApi = {
  codec: () => mainlinePfnCodec(),
  devm_register_kmap_pfn_range: devm_register_kmap_pfn_range_fixed,
  kmap_atomic_pfn_t: (s, pfn, reader) => kmap_atomic_pfn_t_fixed(s, mainlinePfnCodec(), pfn, reader),
  kunmap_atomic_pfn_t: (s, pfn, addr, reader) => kunmap_atomic_pfn_t_fixed(s, mainlinePfnCodec(), pfn, addr, reader),
  driverAlwaysDevm: true,
};

export const kmapPfnFixed = defineKmapPfnModel({
  name: 'kmap-pfn/fixed',
  description: 'seed 003 fixed: u64 pfn_t, device ranges pinned by a percpu_ref (sleeping readers allowed), kunmap decided by the pfn, devm_memremap released after the range',
  api: fixedApi,
  source: [teardown_kmap_fixed, devm_register_kmap_pfn_range_fixed, findRange, rangeCovers, kmap_atomic_pfn_t_fixed, kunmap_atomic_pfn_t_fixed, pfnTToPage,
    mainlinePfnCodec, kzallocKmap].map(String).join('\n'),
  // Measured with DPOR (60 s cap), then DFS within preemption bounds 1..3. DPOR does not finish
  // three-readers (122 k executions in 60 s), two-readers (127 k) or rebind (114 k); DFS pb 3 does not finish
  // three-readers in 120 s (471 k). page-reader-vs-remove is one execution (a RAM page's kmap
  // touches nothing the driver does) and is checked by the suite, not listed.
  proofs: [
    { scenario: 'reader-vs-remove', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 880 },
    { scenario: 'remove-unmaps-first', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 880 },
    { scenario: 'highmem-32bit', strategy: 'dpor', tier: 'prove', maxExecutions: 30_000, executions: 7252 },
    { scenario: 'pmem-above-4g-32bit', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 880 },
    { scenario: 'probe-vs-reader', strategy: 'dpor', tier: 'ci', maxExecutions: 20_000, executions: 4495 },
    { scenario: 'alloc-fail', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 886 },
    { scenario: 'two-readers', strategy: 'dfs', preemptionBound: 2, tier: 'ci', maxExecutions: 20_000, executions: 3786 },
    { scenario: 'two-readers', strategy: 'dfs', preemptionBound: 3, tier: 'prove', maxExecutions: 400_000, executions: 85_935 },
    { scenario: 'sleeping-reader', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 880 },
    { scenario: 'user-copy-reader', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 880 },
    { scenario: 'nested-kmaps', strategy: 'dpor', tier: 'ci', maxExecutions: 10_000, executions: 1803 },
    { scenario: 'three-readers', strategy: 'dfs', preemptionBound: 1, tier: 'ci', maxExecutions: 5000, executions: 522 },
    { scenario: 'three-readers', strategy: 'dfs', preemptionBound: 2, tier: 'prove', maxExecutions: 100_000, executions: 25_838 },
    { scenario: 'rebind', strategy: 'dfs', preemptionBound: 2, tier: 'ci', maxExecutions: 5000, executions: 820 },
    { scenario: 'rebind', strategy: 'dfs', preemptionBound: 3, tier: 'prove', maxExecutions: 50_000, executions: 11_055 },
  ],
});
