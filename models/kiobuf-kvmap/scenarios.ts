/**
 * Workloads of the kiobuf-kvmap models (both variants run all of them): the sample driver's data
 * area (DATA_SIZE scaled to 2 pages, more than KIO_STATIC_PAGES = 1 as 100 > 16 in the sample),
 * which user processes open / mmap / fork / touch / munmap / mprotect / close, and when rmmod runs.
 * Small on purpose (1-2 processes + the loader) so systematic strategies can exhaust them; the
 * fast-check properties generate others.
 * Leaves out: scenarios with many processes (PCT / random campaigns build those from the same acts).
 */
import type { KvmapParams, UAct } from './state.js';

const open: UAct = { op: 'open' };
const close: UAct = { op: 'close' };
const mmap = (pages: number, shared = true, write = false, pgoff = 0): UAct => ({ op: 'mmap', pages, pgoff, shared, write });
const touch = (page: number, write = false): UAct => ({ op: 'touch', page, write });
const munmap = (page: number, pages: number): UAct => ({ op: 'munmap', page, pages });

const base: KvmapParams = {
  dataPages: 2, kioStaticPages: 1, ptrsPerPte: 1024, heapPage: 0, procs: [], unload: 'end', failAllocs: false, miscFail: false,
};

export const kvmapScenarios: Readonly<Record<string, KvmapParams>> = {
  /** mmap one page more than the buffer: make_pages_present faults pgoff == nr_pages. */
  'nopage-bound': { ...base, unload: 'none', procs: [[open, mmap(3), touch(2), close]] },
  /** The last reference goes away in munmap (deref_callback, then release) while rmmod waits for a zero count. */
  'close-vs-unload': { ...base, unload: 'when-idle', procs: [[open, mmap(1), close, munmap(0, 1)]] },
  /** open() of the device while rmmod runs. */
  'open-vs-unload': { ...base, unload: 'concurrent', procs: [[open, mmap(1), touch(0), close]] },
  /** insmod, a process maps and touches the buffer, rmmod after it exited. */
  'load-use-unload': { ...base, procs: [[open, mmap(2), touch(1, true), close]] },
  /** fork, partial munmap (a hole), touch in both: refcount must follow the VMAs. */
  'fork-munmap': {
    ...base, unload: 'none',
    procs: [[open, mmap(2), { op: 'fork', child: [touch(0), munmap(0, 1), touch(1)] }, munmap(1, 1), close]],
  },
  /** Two processes map, one forks; for PCT / random beyond the systematic bounds. */
  'two-procs-fork': {
    ...base, unload: 'end',
    procs: [[open, mmap(2), { op: 'fork', child: [touch(1)] }, close], [open, mmap(1), touch(0, true), close]],
  },
  /** A private read-only mapping made writable by mprotect, written where nothing is mapped yet. */
  'private-mprotect-write': {
    ...base, unload: 'none', procs: [[open, mmap(1, false, false, 3), { op: 'mprotect', page: 0, pages: 1, write: true }, touch(0, true), close]],
  },
  /** insmod with allocations allowed to fail (vmalloc pages, expand_kiobuf's maplist), then rmmod. */
  'init-alloc-fail': { ...base, failAllocs: true },
  /** misc_register may fail; rmmod at the end. */
  'misc-register-fails': { ...base, miscFail: true },
  /** The data area crosses a PMD boundary (PTRS_PER_PTE scaled to 2). */
  'heap-straddles-pmd': { ...base, ptrsPerPte: 2, heapPage: 1, unload: 'none' },
};

export const KVMAP_DEFAULT = 'nopage-bound';
