/**
 * Seed 002 fixed (see driver-fixed.ts for the list of corrections): nopage bound `>=`, shared-only
 * mappings that fit the buffer and are VM_IO (kswapd skips them after munlock), module pinned by
 * the file (fops owner + try_module_get in misc_open, module_put by the VFS after release), a
 * boundary-respecting page-table walk of init_mm, and init / exit paths that release what they took.
 * Leaves out: nothing beyond driver-fixed.ts.
 */
import { defineKvmapModel } from './define-model.js';
import { fixedFops, kiomap_destroy_module_fixed, kiomap_init_module_fixed, mmap_kiobuf_fixed } from './driver-fixed.js';
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
  source: [kiomap_init_module_fixed, kiomap_destroy_module_fixed, fixedFops, mmap_kiobuf_fixed, kvmap_open, kvmap_close, kvmap_nopage,
    map_kernel_kiobuf, unmap_kiobuf].map(String).join('\n'),
  proofs: [
  ],
});
