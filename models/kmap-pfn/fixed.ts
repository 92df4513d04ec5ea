/**
 * Seed 003, fixed: the lifetime discipline later kernels used, kept in the posted API's shape.
 *  - `pfn_t` as mainline v4.5 defined it (include/linux/pfn_t.h): a u64 holding the pfn itself with
 *    the flags in the top bits, so a 32-bit kernel no longer shifts high pfns out of the value.
 *  - kunmap_atomic_pfn_t(pfn, addr) decides from the pfn it was given, not from the current
 *    contents of `ranges`: whether to kunmap_atomic() is a property of the mapping the reader made,
 *    and a range being torn down concurrently cannot change it. The reader's protection is exactly
 *    the RCU read section from kmap to kunmap, which matches how long the address is used;
 *    teardown_kmap's synchronize_rcu() waits for it before kfree.
 *  - The driver maps its range with devm_memremap (as pmem did from v4.3), registered before the
 *    kmap range, so devres undoes the mapping only after teardown_kmap has unpublished the range
 *    and waited for its readers.
 * Registration and teardown are the posted functions (they were right).
 * Leaves out: mainline's eventual replacement of the whole range list by ZONE_DEVICE struct pages
 * (devm_memremap_pages + percpu_ref), which removes kmap_atomic_pfn_t altogether.
 */
import { kunmap_atomic, rcu_read_unlock } from '../../src/index.js';
import { defineKmapPfnModel } from './define-model.js';
import { type PfnCodec, type PfnT, mainlinePfnCodec } from './pfn-t.js';
import { devm_register_kmap_pfn_range, findRange, kmap_atomic_pfn_t, rangeCovers, pfnTToPage, teardown_kmap } from './posted.js';
import type { G, KmapPfnApi, KmapPfnState } from './state.js';

/** void kunmap_atomic_pfn_t(pfn_t pfn, void *addr) */
export function* kunmap_atomic_pfn_t_fixed(s: KmapPfnState, codec: PfnCodec, pfn: PfnT, addr: number | null, reader: number): G<void> {
  if (addr === null) return;
  if (codec.hasPage(pfn)) yield* kunmap_atomic(s.layout, addr, 'kunmap_atomic_pfn_t: pfn_t_has_page(pfn): kunmap_atomic(addr)');
  /* done with the range: teardown_kmap's synchronize_rcu() may now complete */
  yield* rcu_read_unlock('kunmap_atomic_pfn_t: rcu_read_unlock()');
  s.holding[reader]?.pop();
}

export const fixedApi: KmapPfnApi = {
  codec: () => mainlinePfnCodec(),
  devm_register_kmap_pfn_range,
  kmap_atomic_pfn_t: (s, pfn, reader) => kmap_atomic_pfn_t(s, mainlinePfnCodec(), pfn, reader),
  kunmap_atomic_pfn_t: (s, pfn, addr, reader) => kunmap_atomic_pfn_t_fixed(s, mainlinePfnCodec(), pfn, addr, reader),
  driverAlwaysDevm: true,
};

export const kmapPfnFixed = defineKmapPfnModel({
  name: 'kmap-pfn/fixed',
  description: 'seed 003 fixed: u64 pfn_t, kunmap decided by the pfn, devm_memremap released after the range',
  api: fixedApi,
  source: [teardown_kmap, devm_register_kmap_pfn_range, findRange, rangeCovers, kmap_atomic_pfn_t, kunmap_atomic_pfn_t_fixed, pfnTToPage, mainlinePfnCodec].map(String).join('\n'),
  provedScenarios: ['reader-vs-remove', 'remove-unmaps-first', 'highmem-32bit', 'pmem-above-4g-32bit', 'page-reader-vs-remove', 'probe-vs-reader', 'alloc-fail'],
});
