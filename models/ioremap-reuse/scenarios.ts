/**
 * Workloads for the ioremap-reuse models (seed 000), as JSON parameters shared by every variant:
 * which threads call ioremap / register accesses / iounmap on which physical windows, with which
 * memory type, and which mappings already exist when the threads start (boot-time ioremaps done
 * by setup, owned by a thread that will iounmap them).
 *
 * The devices are the seed's two 1 KiB windows sharing the 4 KiB page at 0x20001000 (dev1 at
 * 0x20001000, dev2 at 0x20001400), a device alone in its page (dev3 at 0x20003000) and, for the
 * `int off` truncation, a window at 0x1_2000_1000 that an ARM LPAE kernel (64-bit phys_addr_t)
 * can address: exactly 4 GiB above dev1.
 * Leaves out: section/supersection ioremaps and static (iotable) mappings, which never reach
 * find_vm_area_paddr.
 */
import type { MemType } from '../../src/index.js';

/** One ioremap -> accesses -> iounmap session of a thread. */
export type IoSession = {
  /** Physical address and size passed to ioremap. */
  readonly paddr: number;
  readonly size: number;
  /** 'device' = ioremap, 'wc' = ioremap_wc. */
  readonly type: MemType;
  /** Mapped by setup before the threads start (the thread only accesses and iounmaps). */
  readonly premapped: boolean;
  /** Register reads (readl) done through the returned address before iounmap. */
  readonly accesses: number;
};

/**
 * A driver thread. `holdUntilOthersDone`: before its last iounmap it waits for every other driver
 * thread to finish (a driver that stays loaded while the others probe and go); at most one per
 * scenario, or they wait for each other forever.
 */
export type IoThread = { readonly name: string; readonly sessions: readonly IoSession[]; readonly holdUntilOthersDone: boolean };

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
};

export const DEV1 = 0x20001000;
export const DEV2 = 0x20001400;
export const DEV3 = 0x20003000;
/** 4 GiB above DEV1: the same page as DEV1 once the difference is truncated to `int`. */
export const DEV_HI = 0x120001000;
export const DEVICES: readonly { readonly name: string; readonly base: number; readonly size: number }[] = [
  { name: 'dev1', base: DEV1, size: 0x400 },
  { name: 'dev2', base: DEV2, size: 0x400 },
  { name: 'dev3', base: DEV3, size: 0x1000 },
  { name: 'devhi', base: DEV_HI, size: 0x400 },
];

export function session(paddr: number, o: Partial<IoSession> = {}): IoSession {
  return { paddr, size: o.size ?? 0x400, type: o.type ?? 'device', premapped: o.premapped ?? false, accesses: o.accesses ?? 1 };
}

function drv(name: string, sessions: IoSession[], holdUntilOthersDone = false): IoThread {
  return { name, sessions, holdUntilOthersDone };
}

function params(threads: IoThread[], o: Partial<IoremapParams> = {}): IoremapParams {
  return {
    threads, vmallocThread: o.vmallocThread ?? false, markedReads: o.markedReads ?? false,
    watchResurrection: o.watchResurrection ?? true, barrier: o.barrier ?? false,
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
  /** As morton-marked without the zero check, dev2's driver staying loaded: it then holds a mapping that is gone. */
  'morton-use': params([
    drv('dev1-owner', [session(DEV1, { premapped: true, accesses: 0 })]),
    drv('dev2-probe', [session(DEV2, { accesses: 1 })], true),
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
} satisfies Record<string, IoremapParams>;

export type IoremapScenarioName = keyof typeof ioremapScenarios;
