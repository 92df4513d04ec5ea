/**
 * Seed 002 fixed (see driver-fixed.ts for the list of corrections): nopage bound `>=`, shared-only
 * mappings that fit the buffer, module pinned by the file (fops owner + try_module_get in
 * misc_open, module_put by the VFS after release), boundary-respecting page-table walk, and init /
 * exit paths that release what they took.
 * Leaves out: nothing beyond driver-fixed.ts.
 */
import { defineKvmapModel } from './define-model.js';
import { fixedFops, kiomap_destroy_module_fixed, kiomap_release_fixed, kiomap_init_module_fixed, mmap_kiobuf_fixed } from './driver-fixed.js';
import { kvmap_close, kvmap_nopage, kvmap_open } from './iomap-posted.js';
import { map_kernel_kiobuf, unmap_kiobuf } from './memory-posted.js';
import type { KvmapVariant } from './state.js';

export const fixedVariant: KvmapVariant = {
  init: kiomap_init_module_fixed,
  exit: kiomap_destroy_module_fixed,
  fops: fixedFops,
};

export const kvmapFixed = defineKvmapModel({
  name: 'kiobuf-kvmap/fixed',
  description: 'seed 002 fixed: pgoff >= nr_pages, shared mappings within the buffer, module pinned by the file, clean init/exit',
  variant: fixedVariant,
  source: [kiomap_init_module_fixed, kiomap_destroy_module_fixed, fixedFops, kiomap_release_fixed, mmap_kiobuf_fixed, kvmap_open, kvmap_close, kvmap_nopage,
    map_kernel_kiobuf, unmap_kiobuf].map(String).join('\n'),
  provedScenarios: [
    // two-procs-fork is not here: DPOR no longer exhausts it within 200 000 executions since a Wait
    // races with every earlier write of its object (waits on insmod_done / joins / module count);
    // the suite checks it by DFS within preemption bound 1 instead.
    'nopage-bound', 'close-vs-unload', 'open-vs-unload', 'load-use-unload', 'fork-munmap', 'private-mprotect-write',
    'init-alloc-fail', 'misc-register-fails', 'heap-straddles-pmd',
  ],
});
