/**
 * Workloads for the ioremap-reuse models (seed 000), as JSON parameters shared by every variant:
 * which threads call ioremap / register accesses / iounmap on which physical windows, with which
 * memory type and how many sessions each (a session is ioremap -> readl... -> iounmap; two or more
 * sessions per thread are reuse: a VA freed by one session can come back in the next), which
 * mappings already exist when the threads start (boot-time ioremaps done by setup, owned by a
 * thread that will iounmap them), and what else is on vmap_area_list:
 * - ARM static mappings (`iotable_init`: VM_IOREMAP | VM_ARM_STATIC_MAPPING | VM_ARM_MTYPE, no
 *   guard page, `used` never set) and the PCI I/O reservation (`pci_reserve_io` ->
 *   vm_reserve_area_early: VM_IOREMAP | VM_ARM_EMPTY_MAPPING, phys_addr 0, no PTEs), both imported
 *   onto the list by vmalloc_init (arch/arm/mm/mmu.c, mm/vmalloc.c, v3.14);
 * - a user of get_vm_area(VM_IOREMAP) / free_vm_area that bypasses `used` (Xen's alloc_vm_area);
 * - a vmalloc / vfree user.
 * Failure injection: `failAllocs` makes get_vm_area's kzalloc / kmalloc fail (explored choose
 * points); `failMap` makes ioremap_page_range fail (-ENOMEM from a page-table allocation).
 * A thread with `badIounmap` also calls iounmap on an address no ioremap returned (a caller bug
 * the kernel must survive: WARN "Trying to vfree() nonexistent vm area" is the expected answer).
 *
 * The devices are the seed's two 1 KiB windows sharing the 4 KiB page at 0x20001000 (dev1 at
 * 0x20001000, dev2 at 0x20001400), a device alone in its page (dev3 at 0x20003000), a window at
 * 0x1_2000_1000 that an ARM LPAE kernel (64-bit phys_addr_t) can address, exactly 4 GiB above dev1
 * (for the `int off` truncation), and a device at a low physical address (lowdev at 0x800: SoCs
 * with peripherals below 2 MiB) that phys_addr 0 areas match; `devices` adds more.
 * schema.ts is the scenarios' schema (every field with its allowed values); `ioremapRelations`
 * refuses what the schema cannot state.
 * Leaves out: section / supersection ioremaps and the UP-only unmap_area_sections path of
 * __iounmap (SMP + LPAE, where neither exists).
 */
import type { MemType } from '../../src/index.js';
import { refuseField } from '../refuse-field.js';

/** One ioremap -> accesses -> iounmap session of a thread. */
export type IoSession = {
  /** Physical address and size passed to ioremap (size 0: ioremap returns NULL). */
  readonly paddr: number;
  readonly size: number;
  /** 'device' = ioremap, 'wc' = ioremap_wc, 'cached' = ioremap_cache. */
  readonly type: MemType;
  /** Mapped by setup before the threads start (the thread only accesses and iounmaps). */
  readonly premapped: boolean;
  /** Register reads (readl) done through the returned address before iounmap. */
  readonly accesses: number;
};

/**
 * A driver thread. `holdUntilOthersDone`: before its last iounmap it waits for every other driver
 * thread to finish (a driver that stays loaded while the others probe and go); at most one per
 * scenario, or they wait for each other forever. `badIounmap`: after its sessions it calls iounmap
 * on an address no ioremap returned.
 */
export type IoThread = {
  readonly name: string;
  readonly sessions: readonly IoSession[];
  readonly holdUntilOthersDone: boolean;
  readonly badIounmap?: boolean;
};

/** An MMIO window (need not be page aligned; windows may share a frame). */
export type IoDevice = { readonly name: string; readonly base: number; readonly size: number };

/** A boot-time ARM static mapping (map_desc of iotable_init): `pages` pages of `pa`, memory type `type`. */
export type StaticMap = { readonly pa: number; readonly pages: number; readonly type: MemType };

export type IoremapParams = {
  readonly threads: readonly IoThread[];
  /** An extra thread doing vmalloc / vfree of one page (the area is on the same list). */
  readonly vmallocThread: boolean;
  /**
   * Model the lockless reader's loads of va->flags, va->vm and vm fields as marked (READ_ONCE)
   * instead of the plain C loads, so KCSAN stays quiet and the run goes on to what happens next.
   */
  readonly markedReads: boolean;
  /** Check "no increment from zero" after every step (off to see the stale-mapping use that follows). */
  readonly watchResurrection: boolean;
  /**
   * Probe all, then remove all: no driver calls iounmap before every driver's first ioremap has
   * returned (drivers probing at boot and unbinding later), so no lookup overlaps a teardown.
   */
  readonly barrier: boolean;
  /** MMIO windows beyond the built-in ones. */
  readonly devices?: readonly IoDevice[];
  /** ARM iotable_init mappings on vmap_area_list. */
  readonly staticMaps?: readonly StaticMap[];
  /** Pages of the PCI I/O reservation (vm_reserve_area_early, phys_addr 0); 0 = none. */
  readonly pciIoPages?: number;
  /** A thread that does get_vm_area(VM_IOREMAP), uses it, then free_vm_area (alloc_vm_area shape). */
  readonly allocVmAreaThread?: boolean;
  /** get_vm_area's allocations may fail (kzalloc of the vm_struct, kmalloc of the vmap_area). */
  readonly failAllocs?: boolean;
  /** ioremap_page_range may fail (-ENOMEM allocating a page table). */
  readonly failMap?: boolean;
};

export const DEV1 = 0x20001000;
export const DEV2 = 0x20001400;
export const DEV3 = 0x20003000;
/** 4 GiB above DEV1: the same page as DEV1 once the difference is truncated to `int`. */
export const DEV_HI = 0x120001000;
/** A peripheral in the first page of the physical address space. */
export const DEV_LOW = 0x800;
export const DEVICES: readonly IoDevice[] = [
  { name: 'dev1', base: DEV1, size: 0x400 },
  { name: 'dev2', base: DEV2, size: 0x400 },
  { name: 'dev3', base: DEV3, size: 0x1000 },
  { name: 'devhi', base: DEV_HI, size: 0x400 },
  { name: 'lowdev', base: DEV_LOW, size: 0x400 },
];

/** Pages of the model's vmalloc window (VMALLOC_START..VMALLOC_END in world.ts). */
export const WINDOW_PAGES = 16;
/** Boot-time areas (static mappings and the PCI reservation) may take at most this many pages. */
export const MAX_BOOT_AREA_PAGES = 8;

export function session(paddr: number, o: Partial<IoSession> = {}): IoSession {
  return { paddr, size: o.size ?? 0x400, type: o.type ?? 'device', premapped: o.premapped ?? false, accesses: o.accesses ?? 1 };
}

function drv(name: string, sessions: IoSession[], holdUntilOthersDone = false, badIounmap = false): IoThread {
  return { name, sessions, holdUntilOthersDone, ...(badIounmap ? { badIounmap } : {}) };
}

function params(threads: IoThread[], o: Partial<IoremapParams> = {}): IoremapParams {
  return {
    threads, vmallocThread: o.vmallocThread ?? false, markedReads: o.markedReads ?? false,
    watchResurrection: o.watchResurrection ?? true, barrier: o.barrier ?? false,
    ...(o.devices ? { devices: o.devices } : {}),
    ...(o.staticMaps ? { staticMaps: o.staticMaps } : {}),
    ...(o.pciIoPages !== undefined ? { pciIoPages: o.pciIoPages } : {}),
    ...(o.allocVmAreaThread !== undefined ? { allocVmAreaThread: o.allocVmAreaThread } : {}),
    ...(o.failAllocs !== undefined ? { failAllocs: o.failAllocs } : {}),
    ...(o.failMap !== undefined ? { failMap: o.failMap } : {}),
  };
}

/** The named scenarios. The first one is the headline: Morton's race. */
export const ioremapScenarios = {
  /** Morton: dev1's owner iounmaps while dev2's driver ioremaps the same page. */
  morton: params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev2-probe', [session(DEV2, { accesses: 1 })]),
  ]),
  /** As morton, with the reader's loads marked: the reference is taken from zero. */
  'morton-marked': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev2-probe', [session(DEV2, { accesses: 1 })]),
  ], { markedReads: true }),
  /**
   * As morton-marked without the zero check, with a second driver of dev1's registers that stays
   * loaded: it then holds a mapping that is gone (same device, so patch 2/2's lost in-page offset
   * does not decide the run first).
   */
  'morton-use': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev1-probe', [session(DEV1, { accesses: 1 })], true),
  ], { markedReads: true, watchResurrection: false }),
  /** Two owners of one area (dev1 and dev2 share the page) iounmap together. */
  'two-owners': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev2-owner', [session(DEV2, { premapped: true, accesses: 0 })]),
  ], { markedReads: true }),
  /** The seed's case from scratch: dev1 and dev2 drivers each ioremap, read, iounmap. */
  'shared-page': params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 })]),
    drv('dev2-drv', [session(DEV2, { accesses: 1 })]),
  ], { markedReads: true }),
  /** Overlapping windows: one driver maps dev1 and dev2 together (2 KiB), another maps dev2 alone. */
  overlapping: params([
    drv('both-drv', [session(DEV1, { size: 0x800, accesses: 1 })]),
    drv('dev2-drv', [session(DEV2, { accesses: 1 })]),
  ], { markedReads: true }),
  /** The same device mapped twice by two threads. */
  'same-device': params([
    drv('drv-a', [session(DEV1, { accesses: 1 })]),
    drv('drv-b', [session(DEV1, { accesses: 1 })]),
  ], { markedReads: true }),
  /** Disjoint windows (different pages): no sharing, nothing to race on but the list. */
  disjoint: params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 })]),
    drv('dev3-drv', [session(DEV3, { size: 0x1000, accesses: 1 })]),
  ], { markedReads: true }),
  /** dev1 mapped uncached (and kept); dev2's driver asks for write-combining in the same page. */
  'wc-after-device': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 1 })], true),
    drv('dev2-wc', [session(DEV2, { type: 'wc', accesses: 1 })]),
  ], { markedReads: true }),
  /** LPAE: devhi is mapped; a driver ioremaps dev1, exactly 4 GiB lower. */
  'lpae-alias': params([
    drv('devhi-owner', [session(DEV_HI, { premapped: true, accesses: 0 })], true),
    drv('dev1-drv', [session(DEV1, { accesses: 1 })]),
  ], { markedReads: true }),
  /**
   * Publication: one driver's ioremap publishes its area before phys_addr and the PTEs are set.
   * Probe all, then remove all, one driver after the other: no lookup or iounmap overlaps a teardown.
   */
  'publish-race': params([
    drv('dev1-drv', [session(DEV1, { accesses: 0 })], true),
    drv('dev2-drv', [session(DEV2, { accesses: 1 })]),
  ], { markedReads: true, barrier: true }),
  /** A lockless walker passes an area that its owner is removing (different pages: no sharing). */
  'walk-vs-unmap': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev3-drv', [session(DEV3, { size: 0x1000, accesses: 0 })]),
  ], { markedReads: true }),
  /** One ioremap user and one unrelated vmalloc / vfree user of the same vmalloc space. */
  'with-vmalloc': params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 })]),
  ], { markedReads: true, vmallocThread: true }),
  /** Three drivers on the shared page: two on dev1/dev2, one remapping dev1. */
  'three-drivers': params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 })]),
    drv('dev2-drv', [session(DEV2, { accesses: 1 })]),
    drv('dev1-again', [session(DEV1, { accesses: 0 })]),
  ], { markedReads: true }),
  /**
   * Three users of one area: two boot owners drop it (the count goes 2 -> 1 -> 0) while a third
   * driver looks it up.
   */
  'three-users': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev2-owner', [session(DEV2, { premapped: true, accesses: 0 })]),
    drv('dev1-probe', [session(DEV1, { accesses: 1 })]),
  ], { markedReads: true }),
  /**
   * Reuse: two drivers each map, read and unmap their device twice (a VA freed by one session can
   * be handed out again), so a stale VA of one session meets the next area.
   */
  reuse: params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 }), session(DEV1, { accesses: 1 })]),
    drv('dev2-drv', [session(DEV2, { accesses: 1 }), session(DEV2, { accesses: 0 })]),
  ], { markedReads: true }),
  /** Reuse with a third mapper of another page: VAs move between three users. */
  'reuse-three': params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 }), session(DEV1, { accesses: 0 })]),
    drv('dev2-drv', [session(DEV2, { accesses: 0 }), session(DEV2, { accesses: 1 })]),
    drv('dev3-drv', [session(DEV3, { size: 0x1000, accesses: 1 })]),
  ], { markedReads: true }),
  /** ioremap_page_range fails for one of two mappers of dev1 (and allocations may fail). */
  'map-fails': params([
    drv('drv-a', [session(DEV1, { accesses: 0 })]),
    drv('drv-b', [session(DEV1, { accesses: 1 })]),
  ], { markedReads: true, failMap: true }),
  /** get_vm_area's allocations and ioremap_page_range may fail, with a reuse session. */
  'alloc-fails': params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 }), session(DEV1, { accesses: 0 })]),
    drv('dev2-drv', [session(DEV2, { accesses: 1 })]),
  ], { markedReads: true, failAllocs: true, failMap: true }),
  /** A static MT_DEVICE mapping of dev1's page (iotable_init); dev2's driver asks for write-combining there. */
  'static-wc': params([
    drv('dev2-wc', [session(DEV2, { type: 'wc', accesses: 1 })]),
  ], { markedReads: true, staticMaps: [{ pa: DEV1, pages: 2, type: 'device' }] }),
  /** The PCI I/O reservation (phys_addr 0, nothing mapped) and a driver of a low-PA device. */
  'low-pa-pci': params([
    drv('lowdev-drv', [session(DEV_LOW, { accesses: 1 })]),
  ], { markedReads: true, pciIoPages: 2 }),
  /** A low-PA ioremap while another driver's fresh area is published with phys_addr still 0. */
  'low-pa-half-built': params([
    drv('dev3-drv', [session(DEV3, { size: 0x1000, accesses: 0 })], true),
    drv('lowdev-drv', [session(DEV_LOW, { accesses: 1 })]),
  ], { markedReads: true }),
  /** A get_vm_area(VM_IOREMAP) / free_vm_area user (phys_addr 0) next to a low-PA driver. */
  'foreign-vm-area': params([
    drv('lowdev-drv', [session(DEV_LOW, { accesses: 1 })]),
  ], { markedReads: true, allocVmAreaThread: true }),
  /** Caller bugs the kernel must survive: a zero-size ioremap and an iounmap of an address ioremap never returned. */
  'bad-callers': params([
    drv('dev1-drv', [session(DEV1, { accesses: 1 }), session(DEV1, { size: 0, accesses: 0 })], false, true),
    drv('dev2-drv', [session(DEV2, { accesses: 1 })]),
  ], { markedReads: true }),
} satisfies Record<string, IoremapParams>;

export type IoremapScenarioName = keyof typeof ioremapScenarios;

/** Physical addresses below 2^40 (LPAE). */
export const MAX_PA = 2 ** 40;

/** Every device a scenario may name: the built-in table plus its own `devices`. */
export function devicesOf(p: IoremapParams): readonly IoDevice[] {
  return [...DEVICES, ...(p.devices ?? [])];
}

/**
 * Relations between fields the schema (schema.ts) cannot state, refused with one line before
 * anything is built: distinct device and thread names, at most one thread that holds until the
 * others are done (two would wait for each other), a premapped session has a size, the boot
 * mappings (static maps, the PCI reservation, premapped sessions, each with a guard page) fit the
 * vmalloc window, register reads only inside a device window, and every thread probes when the
 * scenario puts a barrier between probe and remove.
 */
export function ioremapRelations(p: IoremapParams): void {
  const bad = (path: string, v: unknown, allowed: string): never => refuseField('ioremap-reuse', path, v, allowed);
  const names = new Set(DEVICES.map((d) => d.name));
  (p.devices ?? []).forEach((d, i) => {
    if (names.has(d.name)) bad(`devices[${i}].name`, d.name, `a name not already used (${[...names].join(', ')})`);
    names.add(d.name);
  });
  const bootPages = (p.pciIoPages ?? 0) + (p.staticMaps ?? []).reduce((n, m) => n + m.pages, 0);
  if (bootPages > MAX_BOOT_AREA_PAGES) bad('staticMaps', p.staticMaps, `static maps and pciIoPages of at most ${MAX_BOOT_AREA_PAGES} pages in all`);
  const threadNames = new Set<string>();
  let holders = 0;
  let bootSpan = 0;
  const all = devicesOf(p);
  p.threads.forEach((t, i) => {
    const at = `threads[${i}]`;
    if (threadNames.has(t.name)) bad(`${at}.name`, t.name, 'a name no other thread has');
    threadNames.add(t.name);
    if (t.holdUntilOthersDone && ++holders > 1) bad(`${at}.holdUntilOthersDone`, true, 'true for at most one thread (two would wait for each other)');
    t.sessions.forEach((s, k) => {
      const sp = `${at}.sessions[${k}]`;
      if (s.premapped && s.size === 0) bad(`${sp}.size`, s.size, 'at least 1 for a premapped session (a zero-size ioremap returns NULL)');
      if (s.premapped) bootSpan += Math.ceil(((s.paddr % 0x1000) + s.size) / 0x1000) + 1;
      if (bootSpan > WINDOW_PAGES - bootPages) {
        bad(`${sp}.premapped`, s.premapped, `true only while the boot mappings fit the ${WINDOW_PAGES}-page vmalloc window with the static areas (${WINDOW_PAGES - bootPages} pages, each mapping plus a guard page)`);
      }
      if (s.accesses > 0 && !all.some((d) => d.base <= s.paddr && s.paddr + 4 <= d.base + d.size)) {
        bad(`${sp}.paddr`, s.paddr, `an address with 4 bytes of a device window when accesses > 0 (${all.map((d) => `${d.name} 0x${d.base.toString(16)}+0x${d.size.toString(16)}`).join(', ')})`);
      }
    });
  });
  if (p.barrier) {
    const idle = p.threads.findIndex((t) => t.sessions.length === 0);
    if (idle >= 0) bad(`threads[${idle}].sessions`, [], 'at least one session when barrier is true (the others wait for every driver to probe)');
  }
}

/** The size of a scenario for listings: concurrent threads (drivers and helpers) and sessions per driver. */
export function ioremapShape(p: IoremapParams): { threads: number; sessions: number | null } {
  const helpers = (p.vmallocThread ? 1 : 0) + (p.allocVmAreaThread === true ? 1 : 0);
  return { threads: p.threads.length + helpers, sessions: Math.max(0, ...p.threads.map((t) => t.sessions.length)) };
}
