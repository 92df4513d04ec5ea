/**
 * Workloads of the kiobuf-kvmap models (both variants run all of them): the sample driver's data
 * area (DATA_SIZE scaled to 2 pages, more than KIO_STATIC_PAGES = 1 as 100 > 16 in the sample),
 * which user processes open / mmap / fork / touch / munmap / mprotect / mlock / munlock / close
 * (mapping again after an unmap, opening again after a close), when rmmod runs, whether kswapd
 * runs, and which steps of insmod fail. Small on purpose (1-3 processes + the loader) so systematic
 * strategies can exhaust most of them; the fast-check properties generate others.
 * schema.ts says what a scenario may be (checked before setup for every scenario from outside).
 * Leaves out: scenarios with many processes (PCT / random campaigns build those from the same acts).
 */
import type { KvmapParams, UAct } from './state.js';

const open: UAct = { op: 'open' };
const close: UAct = { op: 'close' };
const mmap = (pages: number, shared = true, write = false, pgoff = 0): UAct => ({ op: 'mmap', pages, pgoff, shared, write });
const touch = (page: number, write = false): UAct => ({ op: 'touch', page, write });
const munmap = (page: number, pages: number): UAct => ({ op: 'munmap', page, pages });
const munlock: UAct = { op: 'mlock', lock: false };

const base: KvmapParams = {
  dataPages: 2, kioStaticPages: 1, ptrsPerPte: 1024, heapPage: 0, procs: [], unload: 'end', failAllocs: false, miscFail: false,
};

export const kvmapScenarios: Readonly<Record<string, KvmapParams>> = {
  /** mmap one page more than the buffer: make_pages_present faults pgoff == nr_pages; another process maps meanwhile. */
  'nopage-bound': { ...base, unload: 'none', procs: [[open, mmap(3), touch(2), close], [open, mmap(1), touch(0), close]] },
  /** The last reference goes away in munmap (deref_callback, then release) while rmmod waits for a zero count. */
  'close-vs-unload': { ...base, unload: 'when-idle', procs: [[open, mmap(1), close, munmap(0, 1)]] },
  /** A process opens and closes the device while rmmod runs: ->release returns into the module after its MOD_DEC. */
  'release-vs-unload': { ...base, unload: 'concurrent', procs: [[open, close]] },
  /** open() of the device while rmmod runs (under 2.4's BKL the open side is closed; the release side is not). */
  'open-vs-unload': { ...base, unload: 'concurrent', procs: [[open, mmap(1), touch(0), close]] },
  /** The same on a kernel that calls ->open without the BKL: rmmod fits between misc_open's lookup and MOD_INC_USE_COUNT. */
  'open-vs-unload-nobkl': { ...base, unload: 'concurrent', bkl: false, procs: [[open, mmap(1), touch(0), close]] },
  /** insmod, two processes map and touch the buffer, rmmod after they exited. */
  'load-use-unload': { ...base, procs: [[open, mmap(2), touch(1, true), close], [open, mmap(1), touch(0), close]] },
  /** fork, partial munmap (a hole), touch in both: refcount must follow the VMAs. */
  'fork-munmap': {
    ...base, unload: 'none',
    procs: [[open, mmap(2), { op: 'fork', child: [touch(0), munmap(0, 1), touch(1)] }, munmap(1, 1), close]],
  },
  /** Two processes map, one forks (three users of the kvmap), rmmod at the end. */
  'two-procs-fork': {
    ...base, unload: 'end',
    procs: [[open, mmap(2), { op: 'fork', child: [touch(1)] }, close], [open, mmap(1), touch(0, true), close]],
  },
  /** Three processes map and unmap concurrently while rmmod waits for the count to drop to 0. */
  'three-procs-unload': {
    ...base, unload: 'when-idle',
    procs: [[open, mmap(1), close, munmap(0, 1)], [open, mmap(1), touch(0), close], [open, close]],
  },
  /** Reuse: map, unmap, map again, close, open again and map once more, while another process maps. */
  'remap-reopen': {
    ...base, unload: 'end',
    procs: [[open, mmap(1), munmap(0, 1), mmap(2), touch(1), close, open, mmap(1), touch(0, true), close], [open, mmap(1), touch(0), close]],
  },
  /** A private read-only mapping made writable by mprotect, written where nothing is mapped yet. */
  'private-mprotect-write': {
    ...base, unload: 'none', procs: [[open, mmap(1, false, false, 3), { op: 'mprotect', page: 0, pages: 1, write: true }, touch(0, true), close]],
  },
  /** insmod with allocations allowed to fail (vmalloc pages, expand_kiobuf's maplist, VMAs), a process, then rmmod. */
  'init-alloc-fail': { ...base, failAllocs: true, procs: [[open, mmap(1), touch(0), close]] },
  /** misc_register may fail; a process tries to use the device; rmmod at the end. */
  'misc-register-fails': { ...base, miscFail: true, procs: [[open, mmap(1), touch(0), close]] },
  /** The data area crosses a PMD boundary (PTRS_PER_PTE scaled to 2). */
  'heap-straddles-pmd': { ...base, ptrsPerPte: 2, heapPage: 1, unload: 'none', procs: [[open, mmap(2), touch(1), close]] },
  /** insmod's page table lacks the new vmalloc area's pmd: map_kernel_kiobuf's walk of current->mm maps nothing. */
  'lazy-pmd': { ...base, lazyPmd: true, unload: 'none', procs: [[open, mmap(2), touch(0), close]] },
  /** munlock() a shared kvmap and let kswapd run: VM_LOCKED was the only thing keeping the swapper away. */
  'munlock-swap': { ...base, unload: 'none', kswapd: true, procs: [[open, mmap(1, true, true), touch(0, true), munlock, touch(0), close]] },
};

export const KVMAP_DEFAULT = 'nopage-bound';
