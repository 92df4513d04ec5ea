/**
 * The machine every iova-extend variant runs on, and the threads of a scenario: RAM frames for the
 * buffers, an IOMMU domain (src/hw) covering the mapping's maximum IOVA window, an optional DMA
 * device behind it, driver threads doing dma map / unmap in the shape of arm_iommu_map_page /
 * arm_iommu_unmap_page (v3.14 arch/arm/mm/dma-mapping.c: `__alloc_iova` then `iommu_map`;
 * `iommu_unmap` then `__free_iova`), and an owner thread that waits for the drivers, stops the
 * device and drops the mapping (arm_iommu_release_mapping).
 *
 * Ghost state: live IOVA allocations (recorded when __alloc_iova returns, dropped when unmap
 * starts; for reports and the owner's end check), `held` (the IOVA slots whose bits are set, kept
 * by the variants under mapping->lock via `noteTaken` / `noteCleared`, which check disjointness,
 * the window, and that a free clears only its own buffer's bits, where the allocator decides), and
 * failures of __alloc_iova that happened although the mapping could still have grown to fit the
 * request (append-only).
 * The owner checks, after joining every driver, that the set bits are exactly the live ones.
 * Buffers are allocated at boot (owner-tagged frames, one run per map step) so that the page
 * allocator does not add interleavings the design is not about; an IOVA region of
 * `reservedPages` is allocated at boot and never freed (a boot framebuffer), so small maps can
 * exhaust a range.
 * Leaves out: the dma_map_page offset inside the first page (buffers are page aligned),
 * arm_iommu_attach_device (the device is attached from the start).
 */
import {
  DmaDevice, IOMMU_READ, IOMMU_WRITE, IommuDomain, type Op, PAGE_SIZE, type Page, PhysMem, type ThreadSpec, currentExecution, hex,
  hwFail, join, kernelConfig,
} from '../../src/index.js';
import type { IovaParams } from './scenarios.js';

export type G<R> = Generator<Op, R, unknown>;

/** ARM's DMA_ERROR_CODE: (~(dma_addr_t)0) with a 32-bit dma_addr_t. */
export const DMA_ERROR_CODE = 0xffffffff;
export const RAM_BASE = 0x10000000;

export interface LiveAlloc {
  readonly owner: string;
  readonly iova: number;
  readonly len: number;
}

export interface IovaGhost {
  readonly live: Map<string, LiveAlloc>;
  /** IOVA slot -> owner, for every slot whose bit is set (changed only under mapping->lock). */
  readonly held: Map<number, string>;
  /** Thread index -> the buffer its __alloc_iova / __free_iova in progress is for (each thread writes only its own entry). */
  readonly asking: Map<number, string>;
  /** Append-only: __alloc_iova failures the mapping could have avoided by growing. */
  readonly badFailures: string[];
}

/** The hooks one variant supplies: its mapping struct and the allocator's entry points. */
export interface IovaVariant<M> {
  /** arm_iommu_create_mapping, done by setup (a finished create, without ops). */
  create(p: IovaParams): M;
  /** __alloc_iova(mapping, size): an IOVA or DMA_ERROR_CODE. */
  alloc(w: IovaWorld<M>, size: number): G<number>;
  /** __free_iova(mapping, addr, size). */
  free(w: IovaWorld<M>, addr: number, size: number): G<void>;
  /** arm_iommu_release_mapping (kref_put + release_iommu_mapping). */
  release(w: IovaWorld<M>): G<void>;
  /** arm_iommu_create_mapping as ops (GFP_KERNEL allocations, error paths), and its release. */
  createMapping(p: IovaParams): G<M | null>;
  releaseMapping(m: M): G<void>;
  /** End of the IOVA window the mapping covers now (no ops). */
  windowEnd(m: M): number;
  /** IOVA of every set bitmap bit, and how many bytes one bit stands for (no ops). */
  setSlots(m: M): number[];
  slotBytes(m: M): number;
  /** Report state: ranges / bitmaps as words. */
  describe(m: M): Record<string, string | number>;
}

export interface IovaWorld<M> {
  readonly params: IovaParams;
  /** Each driver's buffers (allocated at boot, owner-tagged frames), by buffer name. */
  readonly buffers: Map<string, Page[]>;
  readonly phys: PhysMem;
  readonly domain: IommuDomain;
  readonly dev: DmaDevice | null;
  readonly mapping: M;
  readonly variant: IovaVariant<M>;
  readonly ghost: IovaGhost;
}

export function buildWorld<M>(p: IovaParams, variant: IovaVariant<M>): IovaWorld<M> {
  kernelConfig({ failAllocs: p.failAllocs });
  const phys = new PhysMem();
  let pages = 0;
  for (const t of p.threads) for (const s of t.steps) if (s.kind === 'map') pages += s.pages;
  const frames = phys.addRam(RAM_BASE, pages + 1);
  const buffers = new Map<string, Page[]>();
  let next = 0;
  for (const t of p.threads) {
    let k = 0;
    for (const s of t.steps) {
      if (s.kind !== 'map') continue;
      const name = `${t.name}.buf${k++}`;
      const run = frames.slice(next, next + s.pages);
      next += s.pages;
      for (const f of run) {
        f.count = 1;
        f.owner = name;
        f.inPool = false;
      }
      buffers.set(name, run);
    }
  }
  const domain = new IommuDomain('iommu_domain', phys, { start: p.base, size: p.maxPages * PAGE_SIZE });
  const dev = p.dma ? new DmaDevice('dma-dev', domain) : null;
  const mapping = variant.create(p);
  const live = new Map<string, LiveAlloc>();
  const held = new Map<number, string>();
  if (p.reservedPages > 0) {
    live.set('boot-reserved', { owner: 'boot-reserved', iova: p.base, len: p.reservedPages * PAGE_SIZE });
    const slot = variant.slotBytes(mapping);
    for (let a = p.base; a < p.base + p.reservedPages * PAGE_SIZE; a += slot) held.set(a, 'boot-reserved');
  }
  return { params: p, phys, buffers, domain, dev, mapping, variant, ghost: { live, held, asking: new Map(), badFailures: [] } };
}

export const DISJOINT = 'live IOVA ranges disjoint and inside the window';
export const BITS_EXACT = 'set bits are exactly the live allocations';

function broken(name: string, why: string, label: string): never {
  return hwFail('invariant', `${name}: ${why}`, label, { title: `WARNING: invariant '${name}' violated` });
}

/**
 * Called by a variant under mapping->lock right after bitmap_set: the bits just taken stand for
 * IOVAs [iova, iova + len). They must lie inside the mapping's current window (it only grows
 * while drivers run) and no slot may already be held by another allocation.
 */
export function noteTaken<M>(w: IovaWorld<M>, iova: number, len: number, label: string): void {
  const t = currentExecution().running;
  const who = w.ghost.asking.get(t) ?? `T${t}`;
  const end = w.variant.windowEnd(w.mapping);
  if (iova < w.params.base || iova + len > end) {
    broken(DISJOINT, `${who} got IOVA ${hex(iova)}+${hex(len)}, outside the mapping's window [${hex(w.params.base)}, ${hex(end)})`, label);
  }
  const slot = w.variant.slotBytes(w.mapping);
  for (let a = iova; a < iova + len; a += slot) {
    const other = w.ghost.held.get(a);
    if (other !== undefined) broken(DISJOINT, `${who} [${hex(iova)}, ${hex(iova + len)}) overlaps ${other} at IOVA ${hex(a)}`, label);
  }
  for (let a = iova; a < iova + len; a += slot) w.ghost.held.set(a, who);
}

/**
 * Called by a variant under mapping->lock right after bitmap_clear of IOVAs [iova, iova + len):
 * every slot cleared must be held, by the buffer this free is for (clearing another buffer's bit
 * leaves that live allocation with no bit set).
 */
export function noteCleared<M>(w: IovaWorld<M>, iova: number, len: number, label: string): void {
  const t = currentExecution().running;
  const who = w.ghost.asking.get(t) ?? `T${t}`;
  const slot = w.variant.slotBytes(w.mapping);
  for (let a = iova; a < iova + len; a += slot) {
    const owner = w.ghost.held.get(a);
    if (owner === undefined) broken(BITS_EXACT, `bit for IOVA ${hex(a)} is cleared (freeing ${who}) but no live allocation holds it`, label);
    if (owner !== who) broken(BITS_EXACT, `live allocation ${owner} at IOVA ${hex(a)} has no bit set: freeing ${who} cleared it`, label);
    w.ghost.held.delete(a);
  }
}

/** The set bits against the live allocations (no ops; the owner calls it after joining every driver). */
export function bitsMatchLive<M>(w: IovaWorld<M>): true | string {
  const slot = w.variant.slotBytes(w.mapping);
  const want = new Set<number>();
  for (const a of w.ghost.live.values()) for (let o = 0; o < a.len; o += slot) want.add(a.iova + o);
  const have = w.variant.setSlots(w.mapping);
  for (const x of have) if (!want.has(x)) return `bit for IOVA ${hex(x)} is set but no live allocation covers it`;
  if (have.length !== want.size) {
    const haveSet = new Set(have);
    const miss = [...want].find((x) => !haveSet.has(x));
    return `live allocation at IOVA ${hex(miss ?? 0)} has no bit set`;
  }
  return true;
}

/** Record a failed __alloc_iova; `couldGrow` says the mapping could still have grown to fit it. */
export function noteAllocFailure<M>(w: IovaWorld<M>, why: string, couldGrow: boolean): void {
  if (couldGrow) w.ghost.badFailures.push(why);
}

interface Mapped { readonly name: string; readonly iova: number; readonly len: number; done: boolean }

function* unmapOne<M>(w: IovaWorld<M>, who: string, m: Mapped): G<void> {
  if (m.done) return;
  m.done = true;
  w.ghost.live.delete(m.name);
  yield* w.domain.unmap(m.iova, m.len, `${who}: arm_iommu_unmap_page: iommu_unmap`);
  w.ghost.asking.set(currentExecution().running, m.name);
  yield* w.variant.free(w, m.iova, m.len);
}

function* dmaTo<M>(w: IovaWorld<M>, who: string, m: Mapped, page: number, value: number): G<void> {
  if (!w.dev) return;
  const h = yield* w.dev.submit({
    iova: m.iova + page * PAGE_SIZE, len: PAGE_SIZE, write: true, value, expectOwner: m.name,
    label: `dma-dev: DMA write ${m.name} page ${page}`,
  }, `${who}: ring doorbell for ${m.name}`);
  yield* w.dev.waitDone(h, `${who}: wait for DMA to ${m.name}`);
}

/*
 * Thread bodies are module-level generators reached through arrows: a `function*` expression made
 * per execution gets its own hidden class, which keeps that execution's whole world alive through
 * every scavenge until the next full GC (it was most of the GC time of an iova execution).
 */
function driver<M>(w: IovaWorld<M>, name: string, steps: IovaParams['threads'][number]['steps']): ThreadSpec {
  return { name, body: () => driverBody(w, name, steps) };
}

function* driverBody<M>(w: IovaWorld<M>, name: string, steps: IovaParams['threads'][number]['steps']): G<void> {
  const mine: (Mapped | null)[] = [];
  for (const s of steps) {
    if (s.kind === 'unmap') {
      const m = mine[s.which];
      if (m) yield* unmapOne(w, name, m);
      continue;
    }
    const bufName = `${name}.buf${mine.length}`;
    const len = s.pages * PAGE_SIZE;
    const pages = w.buffers.get(bufName) as Page[];
    w.ghost.asking.set(currentExecution().running, bufName);
    const iova = yield* w.variant.alloc(w, len);
    if (iova === DMA_ERROR_CODE) {
      mine.push(null);
      continue;
    }
    w.ghost.live.set(bufName, { owner: bufName, iova, len });
    const m: Mapped = { name: bufName, iova, len, done: false };
    mine.push(m);
    const pa = (pages[0] as Page).pa;
    const ret = yield* w.domain.map(iova, pa, len, IOMMU_READ | IOMMU_WRITE, `${name}: arm_iommu_map_page: iommu_map`);
    if (ret < 0) {
      // arm_iommu_map_page: fail: __free_iova(mapping, dma_addr, len)
      m.done = true;
      w.ghost.live.delete(bufName);
      w.ghost.asking.set(currentExecution().running, bufName);
      yield* w.variant.free(w, iova, len);
      continue;
    }
    yield* dmaTo(w, name, m, 0, mine.length);
    if (s.pages > 1) yield* dmaTo(w, name, m, s.pages - 1, mine.length);
  }
  for (const m of mine) if (m) yield* unmapOne(w, name, m);
}

/** Drivers, the DMA device (if any), and the owner that releases the mapping at the end. */
export function worldThreads<M>(w: IovaWorld<M>): ThreadSpec[] {
  const out: ThreadSpec[] = w.params.threads.map((t) => driver(w, t.name, t.steps));
  const drivers = out.length;
  if (w.params.createRelease) {
    out.push({ name: 'probe-mapping', body: () => probeMapping(w) });
  }
  if (w.dev) out.push(w.dev.queueThread('dma-dev'));
  out.push({ name: 'owner', body: () => owner(w, drivers) });
  return out;
}

function* probeMapping<M>(w: IovaWorld<M>): G<void> {
  const m = yield* w.variant.createMapping(w.params);
  if (m !== null) yield* w.variant.releaseMapping(m);
}

function* owner<M>(w: IovaWorld<M>, drivers: number): G<void> {
  const dev = w.dev;
  for (let t = 0; t < drivers; t++) yield* join(t, `owner: wait for driver T${t}`);
  if (dev) yield* dev.stop('owner: stop the DMA device');
  // Every driver has been joined: nothing is between its bitmap update and its bookkeeping.
  const bits = bitsMatchLive(w);
  if (bits !== true) broken(BITS_EXACT, bits, 'owner: before arm_iommu_release_mapping');
  yield* w.variant.release(w);
}

export { hex };
