/**
 * Physical memory: RAM page frames, each with a `struct page` (refcount, PG_reserved, an owner tag
 * naming the buffer it was allocated for), and MMIO device register windows at physical addresses
 * that record every access they receive (thread, step, offset, value, the op's label).
 *
 * Follows the 2.4 / 3.x page allocator contract at the level models need: `alloc_pages` hands out
 * a run of free frames with count 1, `get_page` / `put_page` move the count and the frame goes back
 * to the free pool when it drops to zero; reserved frames (PG_reserved, driver buffers mapped to
 * user space in 2.4) are never freed by put_page, as in 2.4's `__free_pages`. Device windows need
 * not be page aligned: two 1 KiB devices may share the 4 KiB frame at 0x20001000 (seed 000).
 * Every state change is an op on the frame's / device's object so DPOR sees the dependencies: a
 * frame's count / owner change only at ops on the frame, its free-list membership only at ops on
 * the allocator (alloc_pages claims from the list, then sets each frame up; the last put_page
 * clears the frame, then returns it to the list).
 * Leaves out: zones, buddy orders (any contiguous run is fine), struct page flags other than
 * PG_reserved, byte-level memory (a frame stores one value per access offset).
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { UsageError } from '../engine/violation.js';
import { PAGE_SIZE, checkAddr, hex, hexRange, pfnOf, rangesOverlap } from './addr.js';
import { hereSite, hwFail, sanitizing } from './fault.js';

type G<R> = Generator<Op, R, unknown>;

/** One recorded access to a device register window (or RAM frame, for DMA logs). */
export interface HwAccess {
  readonly thread: number;
  readonly step: number;
  /** Physical address accessed. */
  readonly pa: number;
  /** Offset inside the device window. */
  readonly offset: number;
  readonly write: boolean;
  readonly value: number;
  readonly label: string;
  /** Who issued it: 'cpu' or a DMA device's name. */
  readonly by: string;
}

/** A `struct page` for one RAM frame. */
export class Page {
  /** Engine object id (refcount + contents share it: both are the frame's state). */
  readonly id: number;
  count = 0;
  reserved = false;
  /** Owner tag: the buffer this frame was allocated for (null when free). */
  owner: string | null = null;
  /** Contents, one value per accessed offset. */
  readonly data = new Map<number, number>();
  /** Allocation generation: bumped each time the allocator hands the frame out. */
  gen = 0;
  /** On the allocator's free list (changed only by ops on the allocator object). */
  inPool = true;
  /** Access op descriptors by label (immutable, reused: no allocation per access). */
  readonly readOps = new Map<string, Op>();
  readonly writeOps = new Map<string, Op>();
  /** Where it was last freed (for use-after-free reports). */
  freedAt: { thread: number; step: number; label: string } | null = null;
  constructor(readonly pfn: number) {
    this.id = currentExecution().objects.add('page', `page[pfn ${hex(pfn)}]`, -1);
  }
  get pa(): number {
    return this.pfn * PAGE_SIZE;
  }
  /** Free for the allocator: count 0, not reserved. */
  get isFree(): boolean {
    return this.count === 0 && !this.reserved;
  }
}

/** An MMIO register window `[base, base + size)`. */
export class MmioDevice {
  readonly id: number;
  /** Register values by offset (32-bit writel values are kept as written). */
  readonly regs = new Map<number, number>();
  /** Every access, in execution order. */
  readonly log: HwAccess[] = [];
  constructor(readonly name: string, readonly base: number, readonly size: number) {
    this.id = currentExecution().objects.add('mmio', `${name}@${hex(base)}`, -1);
  }
  contains(pa: number): boolean {
    return pa >= this.base && pa < this.base + this.size;
  }
}

/** A physical address decoded: a RAM frame or a device window. */
export type PhysTarget = { readonly kind: 'ram'; readonly page: Page } | { readonly kind: 'mmio'; readonly dev: MmioDevice };

export class PhysMem {
  private readonly frames = new Map<number, Page>();
  /** The same frames in pfn order (kept sorted by addRam). */
  private readonly sorted: Page[] = [];
  readonly devices: MmioDevice[] = [];
  /** The page allocator's object: alloc/free are RMWs on it. */
  readonly allocatorId: number;
  constructor() {
    this.allocatorId = currentExecution().objects.add('allocator', 'page_alloc', -1);
  }

  /** Add `count` RAM frames starting at physical address `pa` (page aligned). Setup only. */
  addRam(pa: number, count: number): Page[] {
    checkAddr(pa, 'RAM base');
    if (pa % PAGE_SIZE !== 0) throw new UsageError(`RAM base ${hex(pa)} must be page aligned`);
    const out: Page[] = [];
    for (let i = 0; i < count; i++) {
      const pfn = pfnOf(pa) + i;
      if (this.frames.has(pfn) || this.deviceAt(pfn * PAGE_SIZE)) throw new UsageError(`RAM frame ${hex(pfn * PAGE_SIZE)} overlaps existing memory`);
      const p = new Page(pfn);
      this.frames.set(pfn, p);
      this.sorted.push(p);
      out.push(p);
    }
    this.sorted.sort((a, b) => a.pfn - b.pfn);
    return out;
  }

  /** Add a device register window. Windows may share a frame but must not overlap. Setup only. */
  addDevice(name: string, base: number, size: number): MmioDevice {
    checkAddr(base, `${name} base`);
    if (!(size > 0)) throw new UsageError(`device ${name}: size must be > 0`);
    for (const d of this.devices) {
      if (rangesOverlap(base, size, d.base, d.size)) throw new UsageError(`device ${name} ${hexRange(base, base + size)} overlaps ${d.name}`);
    }
    for (let pfn = pfnOf(base); pfn <= pfnOf(base + size - 1); pfn++) {
      if (this.frames.has(pfn)) throw new UsageError(`device ${name} overlaps RAM frame ${hex(pfn * PAGE_SIZE)}`);
    }
    const d = new MmioDevice(name, base, size);
    this.devices.push(d);
    return d;
  }

  deviceAt(pa: number): MmioDevice | undefined {
    for (const d of this.devices) if (d.contains(pa)) return d;
    return undefined;
  }

  page(pfn: number): Page | undefined {
    return this.frames.get(pfn);
  }

  pageAt(pa: number): Page | undefined {
    return this.frames.get(pfnOf(pa));
  }

  /** What answers at physical address `pa` (undefined: nothing decodes it). */
  resolve(pa: number): PhysTarget | undefined {
    const p = this.frames.get(pfnOf(pa));
    if (p) return { kind: 'ram', page: p };
    const d = this.deviceAt(pa);
    return d ? { kind: 'mmio', dev: d } : undefined;
  }

  /** Frames currently owned by `owner` (for leak / ownership checks in `final`). */
  pagesOwnedBy(owner: string): Page[] {
    return this.sorted.filter((p) => p.owner === owner);
  }

  /** Every frame, in pfn order. */
  allPages(): Page[] {
    return this.sorted.slice();
  }

  /**
   * alloc_pages: `n` physically contiguous free frames, count 1, tagged `owner`. Returns null when
   * no run is free. With `mayFail`, failure is also an explored choose point (GFP fault injection).
   */
  *allocPages(n: number, owner: string, opts: { mayFail?: boolean; label?: string } = {}): G<Page[] | null> {
    const label = opts.label ?? 'alloc_pages';
    if (opts.mayFail) {
      const fail = (yield op.choose(2, `${label}: fail?`)) as number;
      if (fail === 1) return null;
    }
    yield op.rmw(this.allocatorId, `${label}: take from free list`);
    const frames = this.sorted;
    for (let i = 0; i + n <= frames.length; i++) {
      if (!(frames[i] as Page).inPool) continue;
      const run = frames.slice(i, i + n);
      if (run.every((p, k) => p.inPool && !p.reserved && p.pfn === (run[0] as Page).pfn + k)) {
        for (const p of run) p.inPool = false;
        for (const p of run) {
          yield op.rmw(p.id, `${label}: set_page_count(1)`);
          p.count = 1;
          p.owner = owner;
          p.gen++;
          p.freedAt = null;
          p.data.clear();
        }
        return run;
      }
    }
    return null;
  }

  /** alloc_page: one frame or null. */
  *allocPage(owner: string, opts: { mayFail?: boolean; label?: string } = {}): G<Page | null> {
    const r = yield* this.allocPages(1, owner, opts);
    return r ? (r[0] as Page) : null;
  }

  /** get_page: take a reference. A get on a free frame is a refcount violation. */
  *getPage(p: Page, label = 'get_page'): G<void> {
    yield op.rmw(p.id, label);
    if (p.reserved) return;
    if (p.count <= 0 && sanitizing()) {
      hwFail('refcount', `get_page on free frame ${hex(p.pa)} (count ${p.count}): the page was already released`, label, {
        title: `BUG: Bad page state: get_page on free page pfn ${hex(p.pfn)}`,
        ...(p.freedAt ? { other: p.freedAt } : {}),
      });
    }
    p.count++;
  }

  /** put_page / __free_page: drop a reference; the frame is freed at zero (unless reserved). */
  *putPage(p: Page, label = 'put_page'): G<void> {
    yield op.rmw(p.id, label);
    if (p.reserved) return;
    if (p.count <= 0 && sanitizing()) {
      hwFail('refcount', `put_page on frame ${hex(p.pa)} whose count is already ${p.count}`, label, {
        title: `BUG: Bad page state: refcount underflow pfn ${hex(p.pfn)}`,
        ...(p.freedAt ? { other: p.freedAt } : {}),
      });
    }
    p.count--;
    if (p.count === 0) {
      p.owner = null;
      p.freedAt = hereSite(label);
      yield op.rmw(this.allocatorId, `${label}: __free_pages_ok (back to free list)`);
      p.inPool = true;
    }
  }

  /** __free_pages on a run from allocPages. */
  *freePages(run: readonly Page[], label = '__free_pages'): G<void> {
    for (const p of run) yield* this.putPage(p, label);
  }

  /** SetPageReserved / ClearPageReserved (an op on the frame). */
  *setReserved(p: Page, on: boolean, label = on ? 'SetPageReserved' : 'ClearPageReserved'): G<void> {
    yield op.rmw(p.id, label);
    p.reserved = on;
  }
}
