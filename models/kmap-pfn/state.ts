/**
 * The world of the kmap-pfn models (seed 003): physical memory with memmap-backed RAM frames and a
 * persistent-memory range that has no `struct page` (a device window), the kernel page table with
 * the linear map (64-bit) or HIGHMEM fixmap slots (32-bit), the global `ranges` list and
 * `register_lock` of mm/kmap_pfn.c, the pmem `struct device` with its devres list, and the ghost
 * bookkeeping the invariants read (which reader holds which kmap address).
 *
 * Both variants share this state and the scenario parameters (scenarios.ts); they differ only in
 * the kmap_pfn code and the pfn encoding (`KmapPfnApi`).
 * Leaves out: the block layer around the readers (a reader is one I/O: kmap, copy, kunmap), NUMA,
 * request_mem_region (nothing else claims the range here).
 */
import {
  Completion, Device, Field, KMutex, LIST_HEAD, type ListHead, PAGE_SIZE, type HighmemLayout, type KPtr, type MmioDevice, type Op,
  type Page, PageTable, PercpuRef, PhysMem, currentExecution, kernelConfig, mapLinear,
} from '../../src/index.js';
import { kmapPfnRelations } from './scenarios.js';

type ObjectTable = ReturnType<typeof currentExecution>['objects'];
import { type LongBits, type PfnCodec, type PfnT } from './pfn-t.js';

export type G<R> = Generator<Op, R, unknown>;

/**
 * One pfn a reader kmaps: `dev` selects a pmem pfn (PFN_DEV), else a RAM frame's pfn. After the
 * copy through the address the reader may sleep before kunmap, as the series' DAX users do
 * (`between`: dax_clear_blocks' cond_resched() inside its loop, dax_io's copy to or from user
 * memory, which may fault), and may kmap further pfns while holding this one (`inner`: nested
 * kmaps, unmapped innermost first), then copy through this address again.
 */
export type ReaderPfn = {
  readonly pfn: number;
  readonly dev: boolean;
  readonly between?: 'nothing' | 'cond_resched' | 'copy_to_user';
  readonly inner?: readonly ReaderPfn[];
};

export type KmapPfnParams = {
  /** BITS_PER_LONG: 32 also means a HIGHMEM kernel (RAM above `highStart` has no linear map). */
  readonly bits: LongBits;
  /** First pfn and page count of the persistent-memory resource (no memmap). */
  readonly pmemPfn: number;
  readonly pmemPages: number;
  /** RAM frames (memmap-backed), by pfn. */
  readonly ramPfns: readonly number[];
  /** Where the driver's memremap is undone: in ->remove() (v4.2 pmem_free) or by devres (devm_memremap). */
  readonly unmapIn: 'remove' | 'devm';
  /** When the device is unbound: racing the readers, or once every reader has finished. */
  readonly remove: 'concurrent' | 'after';
  /**
   * When readers start: once probe has returned (a device pfn comes from the probed driver) or at
   * any time (racing probe).
   */
  readonly readersStart: 'after-probe' | 'any-time';
  /** One entry per reader thread: the pfns it kmaps, accesses and kunmaps in turn. */
  readonly readers: readonly (readonly ReaderPfn[])[];
  /** Allocation-failure injection (kzalloc of struct kmap, devres nodes, struct pmem_device, memremap, percpu counters). */
  readonly failAllocs: boolean;
  /** Probe / remove cycles of the driver (default 1; 2: unbind and bind again while readers run). */
  readonly cycles?: number;
};

/** struct resource (the part kmap_pfn reads): start and inclusive end. */
export interface Resource {
  readonly start: Field<number>;
  readonly end: Field<number>;
}

/** struct kmap of mm/kmap_pfn.c: one registered range (`ref` / `done`: the fixed design's only). */
export interface Kmap {
  readonly list: ListHead<KPtr<Kmap>>;
  readonly res: Field<Resource | null>;
  readonly dev: Field<Device | null>;
  readonly base: Field<number>;
  readonly ref: PercpuRef;
  readonly done: Completion;
}

/** struct pmem_device (drivers/nvdimm/pmem.c, the parts this model uses). */
export interface PmemDevice {
  readonly phys_addr: Field<number>;
  readonly size: Field<number>;
  readonly virt_addr: Field<number>;
}

/** What a reader is doing now (ghost state for invariants and reports). */
export interface Holding {
  readonly addr: number;
  readonly pfn: number;
  /** The struct kmap whose range produced the address (null for a page-backed kmap). */
  readonly kmap: KPtr<Kmap> | null;
}

export interface KmapPfnState {
  readonly p: KmapPfnParams;
  /** The execution's object table (freed-ness of struct kmap for invariants and inspect). */
  readonly objects: ObjectTable;
  readonly phys: PhysMem;
  readonly kpt: PageTable;
  readonly layout: HighmemLayout;
  readonly pmem: MmioDevice;
  readonly ram: Map<number, Page>;
  /** static LIST_HEAD(ranges); static DEFINE_MUTEX(register_lock); */
  readonly ranges: ListHead<KPtr<Kmap>>;
  readonly register_lock: KMutex;
  /** The pmem platform device and its resource. */
  readonly dev: Device;
  readonly res: Resource;
  /** Probe has returned (readers that start after probe wait for it). */
  readonly probed: Field<boolean>;
  /** dev_get_drvdata(dev): set at the end of probe. */
  readonly drvdata: Field<KPtr<PmemDevice> | null>;
  /** Every struct kmap ever registered (for inspect). */
  readonly kmaps: KPtr<Kmap>[];
  /** Ghost: per reader, the kmap addresses it holds, innermost last. */
  readonly holding: Holding[][];
  /** Ghost: per reader, kmaps done (address returned) and NULL returns. */
  readonly mapped: number[];
  readonly nulls: number[];
  probeRc: number | null;
  removed: boolean;
}

/** The kmap code of one variant, as the driver and the readers call it. */
export interface KmapPfnApi {
  readonly codec: (bits: LongBits) => PfnCodec;
  devm_register_kmap_pfn_range(s: KmapPfnState, res: Resource, base: number): G<number>;
  kmap_atomic_pfn_t(s: KmapPfnState, pfn: PfnT, reader: number): G<number | null>;
  /** Posted: `kunmap_atomic_pfn_t(void *addr)`; the fixed API also takes the pfn. */
  kunmap_atomic_pfn_t(s: KmapPfnState, pfn: PfnT, addr: number | null, reader: number): G<void>;
  /** Does this variant's driver always use devm_memremap (mapping released after the range)? */
  readonly driverAlwaysDevm: boolean;
}

/** Kernel virtual layout (small windows; see src/hw/API.md on addresses). */
export const LINEAR_BASE_64 = 0x1000_0000_0000;
export const LINEAR_BASE_32 = 0xc000_0000;
/** 32-bit: high_memory - PAGE_OFFSET (896 MiB of lowmem). */
export const HIGH_START_32 = 0x3800_0000;
export const FIXMAP_BASE = 0xff00_0000;
/** Where memremap puts the pmem range (one fixed window: ioremap's vmalloc-area search is left out). */
export const PMEM_VA = 0xf800_0000;

export function setupKmapPfn(p: KmapPfnParams): KmapPfnState {
  kmapPfnRelations(p);
  kernelConfig({ failAllocs: p.failAllocs });
  const phys = new PhysMem();
  const kpt = new PageTable('init_mm', phys);
  const ram = new Map<number, Page>();
  for (const pfn of p.ramPfns) {
    const [pg] = phys.addRam(pfn * PAGE_SIZE, 1);
    if (pg) {
      pg.count = 1;
      pg.owner = `page@pfn${pfn.toString(16)}`;
      ram.set(pfn, pg);
    }
  }
  const pmemStart = p.pmemPfn * PAGE_SIZE;
  const pmem = phys.addDevice('pmem0', pmemStart, p.pmemPages * PAGE_SIZE);
  const layout: HighmemLayout = p.bits === 64
    ? { kpt, highmem: false, linearBase: LINEAR_BASE_64, highStart: Number.MAX_SAFE_INTEGER, fixmapBase: FIXMAP_BASE }
    : { kpt, highmem: true, linearBase: LINEAR_BASE_32, highStart: HIGH_START_32, fixmapBase: FIXMAP_BASE };
  mapLinear(layout, [...ram.values()]);
  kpt.prepare(PMEM_VA, p.pmemPages * PAGE_SIZE);
  const dev = new Device('pmem0');
  return {
    p, objects: currentExecution().objects, phys, kpt, layout, pmem, ram,
    ranges: LIST_HEAD<KPtr<Kmap>>('ranges'),
    register_lock: new KMutex('register_lock'),
    dev,
    res: { start: new Field(pmemStart, 'res.start'), end: new Field(pmemStart + p.pmemPages * PAGE_SIZE - 1, 'res.end') },
    drvdata: new Field<KPtr<PmemDevice> | null>(null, 'pmem0.driver_data'),
    probed: new Field(false, 'probe returned'),
    kmaps: [],
    holding: p.readers.map(() => []),
    mapped: p.readers.map(() => 0),
    nulls: p.readers.map(() => 0),
    probeRc: null,
    removed: false,
  };
}

/** Physical address a reader means by its pfn (what the kmap address must reach). */
export function wantedPa(r: ReaderPfn): number {
  return r.pfn * PAGE_SIZE;
}
