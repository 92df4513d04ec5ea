/**
 * Invariants of the kiobuf-kvmap models (issue 5), checked when every thread has finished: the
 * kvmap refcount equals the VMAs that reference it; deref_callback ran once per first reference,
 * never while a VMA still referenced the kvmap; the module use count is back to zero (and the module
 * was not unloaded with a non-zero count); every page reference taken was dropped (after unload
 * every frame is free, before it the data pages hold exactly vmalloc's and the kiobuf's references);
 * unload released every allocation init made; no PTE is left outside the ranges that were asked
 * for (init_mm maps exactly the data area, an exited process maps nothing). Uses of the module after unload (text or data) are
 * KASAN use-after-free violations at the access, and a fault past the buffer that maps anything
 * but SIGBUS is caught at the access (out-of-bounds maplist read, or a page not owned by the data
 * area), not here.
 * A user access inside DATA_SIZE of a mapping that init set up must never get SIGBUS (a kiobuf
 * that silently holds fewer pages than the area).
 * Leaves out: checks after every step (the refcount is only meaningful outside vmap->sem).
 */
import type { Check } from '../../src/index.js';
import { type KvmapState, liveKvmapVmas } from './state.js';

export const kvmapFinal: readonly Check<KvmapState>[] = [
  {
    name: 'a fault inside the buffer is never SIGBUS',
    check: (s) => s.sigbusInBuffer.length === 0 || `SIGBUS inside the buffer: ${s.sigbusInBuffer.join('; ')}`,
  },
  {
    name: 'kvmap refcount equals the live VMAs that reference it',
    check: (s) => {
      const live = liveKvmapVmas(s);
      const rc = s.local_vmap.refcount.v;
      return rc === live || `local_vmap.refcount is ${rc} but ${live} VMA(s) reference the kvmap`;
    },
  },
  {
    name: 'deref_callback runs exactly once, after the last close',
    check: (s) => {
      if (s.derefWithLiveVma > 0) return `deref_callback ran ${s.derefWithLiveVma} time(s) while a VMA still referenced the kvmap`;
      return s.derefCalls === s.firstRefs || `deref_callback ran ${s.derefCalls} time(s) for ${s.firstRefs} first reference(s)`;
    },
  },
  {
    name: 'module use count returns to zero',
    check: (s) => s.mod.count === 0 || `kiobuf_sample use count is ${s.mod.count} after every process exited${s.unloaded ? ' (and the module was unloaded)' : ''}`,
  },
  {
    name: 'every page reference taken is dropped',
    check: (s) => {
      const heap = new Set(s.heap ? s.heap.pages : []);
      for (const pg of s.phys.allPages()) {
        const want = heap.has(pg) ? 2 : 0;
        if (pg.count !== want) {
          return `frame pfn 0x${pg.pfn.toString(16)} has count ${pg.count}, expected ${want}${s.unloaded ? ' after the module was unloaded' : ''} (owner ${pg.owner ?? 'none'})`;
        }
      }
      return true;
    },
  },
  {
    name: 'no page-table entry outside the requested ranges',
    check: (s) => {
      const kernel = s.kpt.presentCount;
      const want = s.heap ? s.heap.pages.length : 0;
      if (kernel !== want) return `init_mm has ${kernel} present PTE(s), expected ${want} (the data area's)`;
      for (const mm of s.mms) {
        if (mm.vmas.length === 0 && mm.pt.presentCount !== 0) return `${mm.name} exited but ${mm.pt.presentCount} PTE(s) stay present`;
      }
      return true;
    },
  },
  {
    name: 'unload releases everything init allocated',
    check: (s) => {
      if (!s.unloaded) return true;
      const left = s.objects.leaked();
      if (left.length === 0) return true;
      return `after rmmod ${left.length} allocation(s) are still live: ${left.map((b) => `${s.objects.kind[b]} ${s.objects.name[b]}`).join(', ')}`;
    },
  },
];

export function kvmapInspect(s: KvmapState): Record<string, string | number | boolean> {
  const m = s.local_kiobuf.maplist.v;
  return {
    'local_vmap.refcount': s.local_vmap.refcount.v,
    live_kvmap_vmas: liveKvmapVmas(s),
    module_count: s.mod.count,
    module_state: s.unloaded ? 'unloaded' : s.initRc === null ? 'loading' : s.initRc === 0 ? 'live' : `init failed ${s.initRc}`,
    deref_callback_calls: s.derefCalls,
    first_refs: s.firstRefs,
    'local_kiobuf.nr_pages': s.local_kiobuf.nr_pages.v,
    maplist: m.heap ? `kmalloc'd, ${m.entries.length} entries` : `map_array, ${m.entries.length} entries`,
    page_counts: s.phys.allPages().map((p) => `${p.pfn.toString(16)}:${p.count}`).join(' '),
    signals: s.signals.join('; ') || 'none',
  };
}
