/**
 * Seed 002 as posted: "[PATCH] New kiobuf mapping functions for 2.3.50" (Stephen Tweedie, Mar
 * 2000) -- mm/iomap.c (iomap-posted.ts), the map_kernel_kiobuf hunk of mm/memory.c
 * (memory-posted.ts) and Documentation/kiobuf.sample.c (driver-posted.ts), driven by user
 * processes and insmod / rmmod (process.ts).
 *
 * The C as posted compiles; nothing here is reconstructed intent. What the checker finds is
 * listed in `expectedBugs`, each with the scenario that shows it.
 * The vmscan.c VM_IO hunk is in swap.ts (kswapd, both variants); the 2.4 BKL in bkl.ts.
 * Leaves out: nothing of the patch.
 */
import { defineKvmapModel } from './define-model.js';
import { create_local_heap, kiomap_destroy_module, kiomap_init_module, postedFops } from './driver-posted.js';
import { kvmap_close, kvmap_nopage, kvmap_open, mmap_kiobuf } from './iomap-posted.js';
import { expand_kiobuf, map_kernel_kiobuf, maplistGet, vfree_data, vmalloc_data } from './memory-posted.js';
import type { KvmapVariant } from './state.js';

export const postedVariant: KvmapVariant = {
  init: kiomap_init_module,
  exit: kiomap_destroy_module,
  fops: postedFops,
};

export const kvmapPosted = defineKvmapModel({
  name: 'kiobuf-kvmap/posted',
  description: 'seed 002 as posted: kvmap_nopage bound, module count kept by module code, leaking exit',
  variant: postedVariant,
  source: [kiomap_init_module, kiomap_destroy_module, create_local_heap, postedFops, kvmap_open, kvmap_close, kvmap_nopage, mmap_kiobuf,
    map_kernel_kiobuf, expand_kiobuf, vmalloc_data, vfree_data, maplistGet].map(String).join('\n'),
  expectedBugs: [
    {
      id: 'nopage-bound',
      description: 'kvmap_nopage tests pgoff > iobuf->nr_pages, so the page just past the buffer (pgoff == nr_pages) reads maplist[nr_pages] -- one past the kmalloc\'d maplist -- and would map that garbage instead of raising SIGBUS',
      scenario: 'nopage-bound',
      kinds: ['wrong-target'],
      match: 'out-of-bounds in kvmap_nopage',
    },
    {
      id: 'unload-after-last-dec',
      description: 'after close() and munmap() the last MOD_DEC_USE_COUNT is kiomap_release\'s (unmap_fixup calls vm_ops->close, whose kiomap_finished decrements, before fput(vm_file) releases the file), and rmmod, watching lsmod for a zero count, frees the module while kiomap_release returns through its text. The same release-side race shows in release-vs-unload (open and close while rmmod runs: fput calls ->release outside any lock rmmod takes); one bug, one campaign signature, so it is declared once',
      scenario: 'close-vs-unload',
      kinds: ['use-after-free'],
      match: 'use-after-free in kiomap_release',
    },
    {
      id: 'unload-races-open',
      description: 'without the BKL around ->open (2.6.3x pushed it into the drivers), nothing pins the module between misc_open finding kiomap_device and kiomap_open\'s MOD_INC_USE_COUNT: rmmod sees a zero count and frees the module while the opener goes on into kiomap_mmap; under 2.4\'s BKL this side is closed',
      scenario: 'open-vs-unload-nobkl',
      kinds: ['use-after-free'],
      match: 'use-after-free in kiomap_mmap',
    },
    {
      id: 'exit-leaks-kiobuf',
      description: 'kiomap_destroy_module vfree()s the area but never unmap_kiobuf()s: the page references map_kernel_kiobuf took and the kmalloc\'d maplist outlive the module',
      scenario: 'load-use-unload',
      kinds: ['invariant'],
      match: 'every page reference taken is dropped',
    },
    {
      id: 'heap-init-null-memset',
      description: 'when map_kernel_kiobuf fails (expand_kiobuf\'s kmalloc), create_local_heap vfree()s, sets local_data_area = 0 and falls through to memset(local_data_area, 0xff, DATA_SIZE): a NULL write',
      scenario: 'init-alloc-fail',
      kinds: ['page-fault'],
      match: 'write through unmapped VA 0x0',
    },
    {
      id: 'init-error-leak',
      description: 'kiomap_init_module returns misc_register\'s error without undoing create_local_heap: the failed module is freed with its vmalloc area, page references and maplist still allocated',
      scenario: 'misc-register-fails',
      kinds: ['invariant'],
      match: 'unload releases everything init allocated',
    },
    {
      id: 'private-mprotect-bug',
      description: 'mmap_kiobuf rejects only private *writable* mappings; a private read-only one made writable by mprotect (VM_MAYWRITE is set) takes a write fault through do_no_page with no_share = 1, and kvmap_nopage BUG()s',
      scenario: 'private-mprotect-write',
      kinds: ['assertion'],
      match: 'no_share',
    },
    {
      id: 'pte-walk-past-pmd',
      description: 'map_pte_range / map_pmd_range loop on (va && PMD_MASK) / (va && PGDIR_MASK), always true: an area crossing a PMD boundary makes pte++ run off the PTE page',
      scenario: 'heap-straddles-pmd',
      kinds: ['wrong-target'],
      match: 'map_pte_range',
    },
    {
      id: 'short-walk-returns-0',
      description: 'map_kernel_kiobuf walks current->mm (insmod\'s page table), where i386 2.4 installs a fresh vmalloc area\'s pmd only at the first fault; pmd_none() stops the walk, `err = -EFAULT` is never returned, init succeeds with an empty kiobuf (no page references), and every fault of a user mapping inside DATA_SIZE gets SIGBUS (past the copied map_array entry the kmalloc\'d maplist is garbage)',
      scenario: 'lazy-pmd',
      kinds: ['invariant'],
      match: 'SIGBUS inside the buffer',
    },
    {
      id: 'kvmap-lacks-vm-io',
      description: 'mmap_kiobuf keeps the swapper away with VM_LOCKED only; munlock() clears it and the patch\'s VM_IO test never applies to a kvmap (it never sets VM_IO), so kswapd reclaims the kiobuf\'s pages from the user\'s mapping',
      scenario: 'munlock-swap',
      kinds: ['invariant'],
      match: 'kvmap pages are never swapped out',
    },
  ],
});
