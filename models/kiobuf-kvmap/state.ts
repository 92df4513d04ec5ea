/**
 * The world of the kiobuf-kvmap models (seed 002, Linux 2.3.50): physical RAM, the kernel page
 * table the vmalloc'd data area lives in, the sample driver's module (its text and static data in
 * one block that unload frees: local_kiobuf, local_vmap, local_data_area, kiomap_device), the misc
 * device list, and the ghost counters the invariants read (deref_callback calls, first references).
 *
 * Scaling: DATA_SIZE is `dataPages` pages (100 in the sample), KIO_STATIC_PAGES is
 * `kioStaticPages` (16 on i386 2.3.x) and PTRS_PER_PTE is `ptrsPerPte` (1024): the relations that
 * matter are kept (DATA_SIZE > KIO_STATIC_PAGES, so expand_kiobuf kmallocs the maplist; whether the
 * area crosses a PMD boundary is the `heapPage` choice).
 * Also the 2.4 big kernel lock (bkl.ts), the pmd entry of the data area in insmod's own page table
 * and in init_mm's (lazily synced on i386 2.4: `lazyPmd`), and a count of live user processes for
 * lsmod's waits.
 * Leaves out: kiobuf locking (lock_kiovec), brw_kiovec.
 */
import {
  AtomicT, type Device, Field, type FileOps, type KPtr, type Mm, Module, KMutex, type Op, PAGE_SIZE, type Page, PageTable, PhysMem, Semaphore,
  SpinlockT, type Uninit, currentExecution, kernelConfig,
} from '../../src/index.js';

export type G<R> = Generator<Op, R, unknown>;
type ObjectTable = ReturnType<typeof currentExecution>['objects'];
export type { Device };

/** One user-space action of a process (a syscall or a memory access). Pages are relative to the mapping. */
export type UAct =
  | { readonly op: 'open' }
  | { readonly op: 'mmap'; readonly pages: number; readonly pgoff: number; readonly shared: boolean; readonly write: boolean }
  | { readonly op: 'touch'; readonly page: number; readonly write: boolean }
  | { readonly op: 'munmap'; readonly page: number; readonly pages: number }
  | { readonly op: 'mprotect'; readonly page: number; readonly pages: number; readonly write: boolean }
  | { readonly op: 'close' }
  | { readonly op: 'fork'; readonly child: readonly UAct[] }
  | { readonly op: 'mlock'; readonly lock: boolean };

export type KvmapParams = {
  /** DATA_SIZE in pages. */
  readonly dataPages: number;
  /** KIO_STATIC_PAGES: maplists up to this size live inside struct kiobuf. */
  readonly kioStaticPages: number;
  /** PTRS_PER_PTE (a PMD covers ptrsPerPte pages). */
  readonly ptrsPerPte: number;
  /** Virtual page (from VMALLOC_START) where vmalloc puts the data area. */
  readonly heapPage: number;
  /** One list of actions per user process thread. */
  readonly procs: readonly (readonly UAct[])[];
  /**
   * rmmod: never; once every process has exited; racing the processes from the start; or
   * 'when-idle': as soon as lsmod shows the use count back at 0 after it was raised. Whenever an
   * attempt fails with -EBUSY, rmmod waits for every process to exit and tries again.
   */
  readonly unload: 'none' | 'end' | 'concurrent' | 'when-idle';
  /** Allocation-failure injection (vmalloc pages, expand_kiobuf's kmalloc, VMAs). */
  readonly failAllocs: boolean;
  /** misc_register may fail (-EBUSY: no free minor). */
  readonly miscFail: boolean;
  /** A kswapd thread runs swap_out over every mm (2.4's try_to_swap_out on VMAs without VM_LOCKED / VM_IO). */
  readonly kswapd?: boolean;
  /**
   * insmod's own page table lacks the kernel pmd entry of the freshly vmalloc'd area (i386 2.4
   * syncs vmalloc page tables into a process lazily, at its first fault there), so a walk of
   * current->mm finds pmd_none().
   */
  readonly lazyPmd?: boolean;
  /**
   * The BKL around ->open, init and rmmod (default true: 2.2 / 2.4). false: a kernel that calls
   * ->open without it (the BKL was pushed down into the drivers' own open in 2.6.3x).
   */
  readonly bkl?: boolean;
};

/** struct kiobuf (the fields map_kernel_kiobuf / kvmap_nopage use). */
export interface Kiobuf {
  readonly nr_pages: Field<number>;
  readonly array_len: Field<number>;
  readonly offset: Field<number>;
  readonly length: Field<number>;
  readonly locked: Field<number>;
  /** iobuf->maplist: the static map_array or a kmalloc'd array (expand_kiobuf). */
  readonly maplist: Field<Maplist>;
  /** The map_array inside the struct (KIO_STATIC_PAGES entries). */
  readonly map_array: Maplist;
}

/** An array of `struct page *`: its entries (kmalloc'd ones start as garbage) and the heap block when kmalloc'd. */
export interface Maplist {
  readonly entries: Field<Page | null | Uninit>[];
  /** Heap allocation (kmalloc) holding it, null for map_array. */
  readonly heap: KPtr<object> | null;
  readonly name: string;
}

/** struct kiobuf_vmap. */
export interface KiobufVmap {
  readonly kiobuf: Field<Kiobuf | null>;
  readonly sem: Semaphore;
  readonly refcount: Field<number>;
  readonly deref_callback: Field<((vmap: KiobufVmap) => G<void>) | null>;
}

export interface KvmapState {
  readonly p: KvmapParams;
  readonly objects: ObjectTable;
  readonly phys: PhysMem;
  /** init_mm's page table (vmalloc space). */
  readonly kpt: PageTable;
  /** The sample driver's module: text + static data. */
  readonly mod: Module;
  /** Module statics (fields in the module's block). */
  readonly local_kiobuf: Kiobuf;
  readonly local_vmap: KiobufVmap;
  /** local_data_area: the vmalloc'd VA (0 = NULL). */
  readonly local_data_area: Field<number>;
  /** kiomap_device.fops (module data, read by misc_open). */
  readonly kiomap_device_fops: Field<string>;
  /** drivers/char/misc.c: misc_list membership of kiomap_device, under misc_sem. */
  readonly misc_sem: KMutex;
  readonly misc_registered: Field<boolean>;
  /** insmod has returned (sys_init_module finished, successfully or not): users start after it. */
  readonly insmod_done: Field<boolean>;
  /** The big kernel lock, and how deep each thread holds it (bkl.ts). */
  readonly bkl: Semaphore;
  readonly bklDepth: Map<number, number>;
  /** The vmalloc area's pmd entry in insmod's page table, and in init_mm's (lazyPmd). */
  readonly insmodPmd: Field<boolean>;
  readonly initMmPmd: Field<boolean>;
  /** User processes (fork children included) that have not exited yet: lsmod's waits read it. */
  readonly liveProcs: AtomicT;
  /** The data area: its vmalloc block and frames (set by vmalloc). */
  heap: { block: KPtr<object>; pages: Page[]; va: number } | null;
  /** current->mm->page_table_lock of the insmod process (map_kernel_kiobuf takes it). */
  readonly page_table_lock: SpinlockT;
  /** Thread ids of every user process (fork children included), for rmmod to wait on. */
  readonly procTids: number[];
  /** Signals user accesses got (SIGBUS for a fault beyond the buffer), and SIGBUS inside it. */
  readonly signals: string[];
  readonly sigbusInBuffer: string[];
  /** Every mm that ever existed (for the refcount-vs-VMAs check). */
  readonly mms: Mm[];
  /** Ghost: deref_callback invocations, and those made while a VMA still referenced the kvmap. */
  derefCalls: number;
  derefWithLiveVma: number;
  /** Ghost: times mmap_kiobuf reported a first reference (returned 1). */
  firstRefs: number;
  initRc: number | null;
  unloaded: boolean;
}

/** VMALLOC_START of the model (a small window, see src/hw/API.md). */
export const VMALLOC_START = 0x40_0000;
export const RAM_BASE = 0x10_0000;

export function heapVa(p: KvmapParams): number {
  return VMALLOC_START + p.heapPage * PAGE_SIZE;
}

/** The variant's module_exit, run by delete_module (skipped when init failed: the loader frees the module). */
export type ModuleExit = (s: KvmapState) => G<unknown>;

/** The module's exit function as delete_module runs it (module level: see setupKvmap). */
function* moduleExit(st: KvmapState | null, exit: ModuleExit): G<void> {
  if (st !== null && st.initRc === 0) yield* exit(st);
}

export function setupKvmap(p: KvmapParams, exit: ModuleExit): KvmapState {
  kernelConfig({ failAllocs: p.failAllocs });
  const phys = new PhysMem();
  phys.addRam(RAM_BASE, p.dataPages + 1);
  const kpt = new PageTable('init_mm', phys);
  kpt.prepare(heapVa(p), p.dataPages * PAGE_SIZE);
  let st: KvmapState | null = null;
  // An arrow to a module-level generator, not a `function*` made per execution (its hidden class
  // would keep the execution alive until the next full GC).
  const mod = new Module('kiobuf_sample', () => moduleExit(st, exit));
  const b = mod.block;
  const mapArray: Maplist = {
    entries: Array.from({ length: p.kioStaticPages }, (_, i) => new Field<Page | null | Uninit>(null, `local_kiobuf.map_array[${i}]`, b)),
    heap: null, name: 'local_kiobuf.map_array',
  };
  const local_kiobuf: Kiobuf = {
    nr_pages: new Field(0, 'local_kiobuf.nr_pages', b),
    array_len: new Field(p.kioStaticPages, 'local_kiobuf.array_len', b),
    offset: new Field(0, 'local_kiobuf.offset', b),
    length: new Field(0, 'local_kiobuf.length', b),
    locked: new Field(0, 'local_kiobuf.locked', b),
    maplist: new Field(mapArray, 'local_kiobuf.maplist', b),
    map_array: mapArray,
  };
  const local_vmap: KiobufVmap = {
    kiobuf: new Field<Kiobuf | null>(null, 'local_vmap.kiobuf', b),
    sem: new Semaphore('local_vmap.sem', 1, b),
    refcount: new Field(0, 'local_vmap.refcount', b),
    deref_callback: new Field<((vmap: KiobufVmap) => G<void>) | null>(null, 'local_vmap.deref_callback', b),
  };
  st = {
    p, objects: currentExecution().objects, phys, kpt, mod, local_kiobuf, local_vmap,
    local_data_area: new Field(0, 'local_data_area', b),
    kiomap_device_fops: new Field('kiomap_fops', 'kiomap_device.fops', b),
    misc_sem: new KMutex('misc_sem'),
    misc_registered: new Field(false, 'misc_list: kiomap_device'),
    insmod_done: new Field(false, 'insmod returned'),
    bkl: new Semaphore('kernel_flag (BKL)', 1),
    bklDepth: new Map(),
    insmodPmd: new Field(p.lazyPmd !== true, 'insmod mm: pmd of the vmalloc area'),
    initMmPmd: new Field(true, 'init_mm: pmd of the vmalloc area'),
    liveProcs: new AtomicT(p.procs.length, 'live user processes'),
    page_table_lock: new SpinlockT('insmod mm->page_table_lock'),
    heap: null, mms: [], procTids: [], signals: [], sigbusInBuffer: [], derefCalls: 0, derefWithLiveVma: 0, firstRefs: 0, initRc: null, unloaded: false,
  };
  return st;
}

/** VMAs (in any live mm) whose vm_private_data is the kvmap. */
export function liveKvmapVmas(s: KvmapState): number {
  let n = 0;
  for (const mm of s.mms) for (const v of mm.vmas) if (v.vmPrivateData === s.local_vmap) n++;
  return n;
}

/** What differs between the variants, as the loader and the processes call it. */
export interface KvmapVariant {
  /** module_init (kiomap_init_module): 0 or -errno. */
  init(s: KvmapState): G<number>;
  /** module_exit (kiomap_destroy_module). */
  exit(s: KvmapState): G<unknown>;
  /** The file operations an open of the misc device reaches (misc_open + kiomap_fops). */
  fops(s: KvmapState): FileOps;
}
