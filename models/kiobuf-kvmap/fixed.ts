/**
 * Seed 002 fixed (see driver-fixed.ts for the list of corrections): nopage bound `>=`, shared-only
 * mappings that fit the buffer and are VM_IO (kswapd skips them after munlock), module pinned by
 * the file (fops owner + try_module_get in misc_open, module_put by the VFS after release), a
 * boundary-respecting page-table walk of init_mm, and init / exit paths that release what they took.
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
  // Measured with DPOR (60 s cap) then DFS within preemption bound 1 and 2 (150 s cap). DPOR does not
  // finish two-procs-fork, three-procs-unload or remap-reopen in 60 s (53 k, 66 k, 54 k executions);
  // DFS pb 2 does not finish three-procs-unload in 150 s (171 k). Scenarios that are one execution
  // (private-mprotect-write, heap-straddles-pmd, lazy-pmd) prove nothing about interleavings and are
  // checked by the suite instead.
  proofs: [
    { scenario: 'nopage-bound', strategy: 'dpor', tier: 'ci', maxExecutions: 5000, executions: 502 },
    { scenario: 'close-vs-unload', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 3 },
    { scenario: 'release-vs-unload', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 10 },
    { scenario: 'open-vs-unload', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 10 },
    { scenario: 'open-vs-unload-nobkl', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 5 },
    { scenario: 'load-use-unload', strategy: 'dpor', tier: 'prove', maxExecutions: 50_000, executions: 10_957 },
    { scenario: 'fork-munmap', strategy: 'dpor', tier: 'ci', maxExecutions: 2000, executions: 203 },
    { scenario: 'init-alloc-fail', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 6 },
    { scenario: 'misc-register-fails', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 2 },
    { scenario: 'munlock-swap', strategy: 'dpor', tier: 'ci', maxExecutions: 1000, executions: 9 },
    { scenario: 'two-procs-fork', strategy: 'dfs', preemptionBound: 1, tier: 'ci', maxExecutions: 10_000, executions: 1242 },
    { scenario: 'two-procs-fork', strategy: 'dfs', preemptionBound: 2, tier: 'prove', maxExecutions: 400_000, executions: 92_643 },
    { scenario: 'three-procs-unload', strategy: 'dfs', preemptionBound: 1, tier: 'ci', maxExecutions: 40_000, executions: 4028 },
    { scenario: 'remap-reopen', strategy: 'dfs', preemptionBound: 1, tier: 'ci', maxExecutions: 5000, executions: 325 },
    { scenario: 'remap-reopen', strategy: 'dfs', preemptionBound: 2, tier: 'prove', maxExecutions: 100_000, executions: 21_852 },
  ],
});
