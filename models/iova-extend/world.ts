/**
 * The machine every iova-extend variant runs on, and the threads of a scenario: RAM frames for the
 * buffers, an IOMMU domain (src/hw) covering the mapping's maximum IOVA window, an optional DMA
 * device behind it, driver threads doing dma map / unmap in the shape of
 * arm_coherent_iommu_map_page / arm_coherent_iommu_unmap_page (v3.14 arch/arm/mm/dma-mapping.c:
 * `len = PAGE_ALIGN(size + offset)`, `__alloc_iova` then `iommu_map`, `__free_iova` when iommu_map
 * fails; `iova = handle & PAGE_MASK`, `if (!iova) return;`, `iommu_unmap` then `__free_iova`; a
 * variant may unmap by its own record of the allocation instead), and an owner thread that waits
 * for the drivers, stops the device and drops the mapping (arm_iommu_release_mapping).
 * iommu_map can fail (-ENOMEM from the IOMMU driver's page-table allocation) when the scenario
 * turns allocation failures on; a failed iommu_map has mapped nothing (it unrolls).
 *
 * Ghost state: live IOVA allocations (recorded when __alloc_iova returns, dropped when unmap
 * starts; for reports and the owner's end check), `held` (the IOVA slots whose bits are set, kept
 * by the variants under mapping->lock via `noteTaken` / `noteCleared`, which check disjointness,
 * the window, and that a free clears only its own buffer's bits, where the allocator decides),
 * the handles of live zero-length mappings (no bit stands for them, so `noteTaken` checks them
 * apart), buffers their owner freed with a wrong length (what such a caller leaves behind is its
 * own doing), and failures of __alloc_iova that happened although the mapping could still have
 * grown to fit the request (append-only).
 * The owner checks, after joining every driver, that the set bits are exactly the live ones.
 * Buffers are allocated at boot (owner-tagged frames, one run per map step) so that the page
 * allocator does not add interleavings the design is not about; an IOVA region of
 * `reservedPages` is allocated at boot and never freed (a boot framebuffer), so small maps can
 * exhaust a range. The scenario is checked (schema.ts, then `iovaRelations`) before anything is built; a
 * mapping the variant refuses to create (null) leaves the drivers without IOMMU DMA: they do nothing.
 * Leaves out: the dma_map_page offset inside the first page (buffers are page aligned),
 * arm_iommu_attach_device (the device is attached from the start).
 */
import {
  DmaDevice, ENOMEM, IOMMU_READ, IOMMU_WRITE, IommuDomain, type Op, PAGE_SIZE, type Page, PhysMem, type ThreadSpec, choose, currentExecution, hex,
  join, kernelConfig, kwarn, misuse, pageAlign, u32,
} from '../../src/index.js';
import { type IovaParams, type IovaStep, iovaRelations } from './scenarios.js';

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
  /** Handle -> buffer of every live zero-length mapping (changed under mapping->lock by noteTaken, and at unmap). */
  readonly zeroHandles: Map<number, string>;
  /** Buffers their owner unmapped with a wrong length (a caller bug: their leftovers are not the kernel's). */
  readonly misused: Set<string>;
  /** What the kernel answered to deliberate misuse (WARN texts), for reports. */
  readonly misuseAnswers: string[];
}

/** The hooks one variant supplies: its mapping struct and the allocator's entry points. */
export interface IovaVariant<M> {
  /** arm_iommu_create_mapping, done by setup (a finished create, without ops); null when it refuses the window. */
  create(p: IovaParams): M | null;
  /** __alloc_iova(mapping, size): an IOVA or DMA_ERROR_CODE. */
  alloc(w: IovaWorld<M>, size: number): G<number>;
  /** __free_iova(mapping, addr, size). */
  free(w: IovaWorld<M>, addr: number, size: number): G<void>;
  /**
   * The unmap half of dma_unmap_page after `iova = handle & PAGE_MASK` (non-zero): absent, the
   * v3.14 shape (`iommu_unmap(iova, len)` then `free`); a variant that records its allocations
   * unmaps and frees the recorded length instead.
   */
  unmapPage?(w: IovaWorld<M>, iova: number, len: number): G<void>;
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
  /** The drivers' mapping (null: arm_iommu_create_mapping refused it, so nothing maps through it). */
  readonly mapping: M;
  readonly created: boolean;
  readonly variant: IovaVariant<M>;
  readonly ghost: IovaGhost;
}

export function buildWorld<M>(p: IovaParams, variant: IovaVariant<M>): IovaWorld<M> {
  iovaRelations(p); // relations between fields the schema (schema.ts) cannot state, refused before anything is built
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
  const domain = new IommuDomain('iommu_domain', phys, { start: p.base, size: Math.min(p.maxPages * PAGE_SIZE, 2 ** 32 - p.base) });
  const dev = p.dma ? new DmaDevice('dma-dev', domain) : null;
  const made = variant.create(p);
  const live = new Map<string, LiveAlloc>();
  const held = new Map<number, string>();
  if (made !== null && p.reservedPages > 0) {
    live.set('boot-reserved', { owner: 'boot-reserved', iova: p.base, len: p.reservedPages * PAGE_SIZE });
    const slot = variant.slotBytes(made);
    for (let a = p.base; a < p.base + p.reservedPages * PAGE_SIZE; a += slot) held.set(a, 'boot-reserved');
  }
  return {
    params: p, phys, buffers, domain, dev, mapping: made as M, created: made !== null, variant,
    ghost: { live, held, asking: new Map(), badFailures: [], zeroHandles: new Map(), misused: new Set(), misuseAnswers: [] },
  };
}

export const DISJOINT = 'live IOVA ranges disjoint and inside the window';
export const BITS_EXACT = 'set bits are exactly the live allocations';

/** A broken check where it is decided: reported, and the thread carries on (it may hold mapping->lock). */
function broken(name: string, symptom: string, why: string, label: string): void {
  kwarn('invariant', `${name}: ${why}`, label, { title: `WARNING: invariant '${name}' violated in ${fnOf(label)}: ${symptom}` });
}

/** The C function a label names (`__alloc_iova: bitmap_set(...)` -> `__alloc_iova`). */
function fnOf(label: string): string {
  return label.split(':')[0] ?? label;
}

/**
 * Which way an IOVA handed out lies outside the window [base, end): past its end (a range's bits
 * reach beyond its IOVAs), or below its base -- for a window reaching past 4 GiB, an IOVA that
 * wrapped around the 32-bit dma_addr_t (a range whose base was computed modulo 2^32). Distinct
 * failure modes of the allocator, so distinct titles (and campaign signatures).
 */
function outsideHow(base: number, end: number, iova: number, len: number): string {
  if (iova >= base) return 'past the end of the window';
  return end > 2 ** 32 ? 'wrapped past 4 GiB, below the window' : 'below the window';
}

/**
 * Called by a variant under mapping->lock right after bitmap_set: the bits just taken stand for
 * IOVAs [iova, iova + len). They must lie inside the mapping's current window (it only grows
 * while drivers run) and no slot may already be held by another allocation; a zero-length
 * request (no bits) gets a handle no live mapping may share, and no later allocation may cover it.
 */
export function noteTaken<M>(w: IovaWorld<M>, iova: number, len: number, label: string): void {
  const t = currentExecution().running;
  const who = w.ghost.asking.get(t) ?? `T${t}`;
  const fn = fnOf(label);
  const end = w.variant.windowEnd(w.mapping);
  if (iova < w.params.base || iova + len > end) {
    broken(DISJOINT, outsideHow(w.params.base, end, iova, len), `${who} got IOVA ${hex(iova)}+${hex(len)} from ${fn}, outside the mapping's window [${hex(w.params.base)}, ${hex(end)})`, label);
  }
  const slot = w.variant.slotBytes(w.mapping);
  if (len === 0) {
    const other = w.ghost.held.get(iova - ((iova - w.params.base) % slot)) ?? w.ghost.zeroHandles.get(iova);
    if (other !== undefined) broken(DISJOINT, 'handle shared', `${who} got the zero-length handle ${hex(iova)} from ${fn}, inside live ${other}`, label);
    w.ghost.zeroHandles.set(iova, who);
    return;
  }
  for (let a = iova; a < iova + len; a += slot) {
    const other = w.ghost.held.get(a);
    if (other !== undefined) broken(DISJOINT, 'overlap', `${who} got [${hex(iova)}, ${hex(iova + len)}) from ${fn}, overlapping ${other} at IOVA ${hex(a)}`, label);
  }
  for (const [h, other] of w.ghost.zeroHandles) {
    if (h >= iova && h < iova + len) broken(DISJOINT, 'handle shared', `${who} got [${hex(iova)}, ${hex(iova + len)}) from ${fn}, over the zero-length handle ${hex(h)} of live ${other}`, label);
  }
  for (let a = iova; a < iova + len; a += slot) w.ghost.held.set(a, who);
}

/**
 * Called by a variant under mapping->lock right after bitmap_clear of IOVAs [iova, iova + len):
 * every slot cleared must be held, by the buffer this free is for (clearing another buffer's bit
 * leaves that live allocation with no bit set). `nextRange`: the variant's free carried the
 * request past the end of the range (bitmap) its address lies in and this clear is in a later one
 * -- a failure of its own (the free crossed a range boundary), titled apart.
 */
export function noteCleared<M>(w: IovaWorld<M>, iova: number, len: number, label: string, nextRange = false): void {
  const t = currentExecution().running;
  const who = w.ghost.asking.get(t) ?? `T${t}`;
  const fn = fnOf(label);
  const slot = w.variant.slotBytes(w.mapping);
  const where = nextRange ? ' in the next range' : '';
  for (let a = iova; a < iova + len; a += slot) {
    const owner = w.ghost.held.get(a);
    if (owner === undefined) broken(BITS_EXACT, `a free bit cleared${where}`, `freeing ${who} in ${fn} cleared the bit of IOVA ${hex(a)}${where}, which no live allocation holds`, label);
    else if (owner !== who) broken(BITS_EXACT, `another buffer's bit cleared${where}`, `freeing ${who} in ${fn} cleared the bit of live allocation ${owner} at IOVA ${hex(a)}${where}`, label);
    w.ghost.held.delete(a);
  }
}

/**
 * Called by a variant's free when it returns with part of a correct-length request not freed:
 * the allocation's bits stay set for good (a leak the owner's end check would also see, reported
 * here, where the allocator skipped them). Misused or foreign frees are the caller's business.
 */
export function noteUnfreed<M>(w: IovaWorld<M>, addr: number, size: number, left: number, label: string): void {
  const t = currentExecution().running;
  const who = w.ghost.asking.get(t) ?? `T${t}`;
  if (left === 0 || w.ghost.misused.has(who) || w.ghost.held.get(addr) !== who) return;
  broken(BITS_EXACT, 'bits left set', `freeing ${who} in ${fnOf(label)} cleared nothing for ${hex(left)} of its ${hex(size)} bytes at ${hex(addr)}: no range matched`, label);
}

/**
 * The set bits against the live allocations (no ops; the owner calls it after joining every
 * driver). Bits a wrong-length free left set in its own buffer are the caller's doing, not reported.
 */
export function bitsMatchLive<M>(w: IovaWorld<M>): true | string {
  const slot = w.variant.slotBytes(w.mapping);
  const want = new Set<number>();
  for (const a of w.ghost.live.values()) for (let o = 0; o < a.len; o += slot) want.add(a.iova + o);
  const have = w.variant.setSlots(w.mapping);
  const callers = new Set<number>();
  for (const [a, owner] of w.ghost.held) if (w.ghost.misused.has(owner)) callers.add(a);
  for (const x of have) if (!want.has(x) && !callers.has(x)) return `bit for IOVA ${hex(x)} is set but no live allocation covers it`;
  const haveSet = new Set(have);
  const miss = [...want].find((x) => !haveSet.has(x));
  if (miss !== undefined) return `live allocation at IOVA ${hex(miss)} has no bit set`;
  return true;
}

/** Record a failed __alloc_iova; `couldGrow` says the mapping could still have grown to fit it. */
export function noteAllocFailure<M>(w: IovaWorld<M>, why: string, couldGrow: boolean): void {
  if (couldGrow) w.ghost.badFailures.push(why);
}

interface Mapped { readonly name: string; readonly iova: number; readonly len: number; done: boolean }

/** iommu_map, which can fail with -ENOMEM (the IOMMU driver's page-table allocation) when allocations may fail. */
function* iommuMap<M>(w: IovaWorld<M>, who: string, iova: number, pa: number, len: number): G<number> {
  if (w.params.failAllocs && len > 0 && (yield* choose(2, `${who}: iommu_map: page-table allocation fails?`)) === 1) return -ENOMEM;
  return yield* w.domain.map(iova, pa, len, IOMMU_READ | IOMMU_WRITE, `${who}: arm_iommu_map_page: iommu_map`);
}

/** dma_map_page of a buffer: __alloc_iova, iommu_map, and __free_iova when iommu_map fails. */
function* mapPage<M>(w: IovaWorld<M>, who: string, bufName: string, pages: readonly Page[]): G<Mapped | null> {
  const len = pageAlign(pages.length * PAGE_SIZE);
  w.ghost.asking.set(currentExecution().running, bufName);
  const iova = yield* w.variant.alloc(w, len);
  if (iova === DMA_ERROR_CODE) return null;
  w.ghost.live.set(bufName, { owner: bufName, iova, len });
  const pa = pages.length > 0 ? (pages[0] as Page).pa : RAM_BASE;
  if ((yield* iommuMap(w, who, iova, pa, len)) < 0) {
    // arm_coherent_iommu_map_page: fail: __free_iova(mapping, dma_addr, len)
    w.ghost.live.delete(bufName);
    w.ghost.zeroHandles.delete(iova);
    w.ghost.asking.set(currentExecution().running, bufName);
    yield* w.variant.free(w, iova, len);
    return null;
  }
  return { name: bufName, iova, len, done: false };
}

/** dma_unmap_page(handle, size): `iova = handle & PAGE_MASK; if (!iova) return;` then the variant's unmap. */
function* unmapPage<M>(w: IovaWorld<M>, handle: number, size: number, who: string): G<void> {
  const iova = u32(handle - (handle % PAGE_SIZE));
  const len = pageAlign(size + (handle % PAGE_SIZE));
  if (!iova) return;
  if (w.variant.unmapPage) {
    yield* w.variant.unmapPage(w, iova, len);
    return;
  }
  yield* w.domain.unmap(iova, len, `${who}: arm_iommu_unmap_page: iommu_unmap`);
  yield* w.variant.free(w, iova, len);
}

/** Unmap one of the thread's buffers with the length the caller passes (its own, or a wrong one). */
function* unmapOne<M>(w: IovaWorld<M>, who: string, m: Mapped, len: number): G<void> {
  if (m.done) return;
  m.done = true;
  w.ghost.live.delete(m.name);
  if (m.len === 0) w.ghost.zeroHandles.delete(m.iova);
  w.ghost.asking.set(currentExecution().running, m.name);
  if (len === m.len) {
    yield* unmapPage(w, m.iova, len, who);
    return;
  }
  w.ghost.misused.add(m.name);
  const r = yield* misuse(`${who}: dma_unmap_page(${hex(m.iova)}, ${hex(len)}) of a ${hex(m.len)}-byte mapping`, unmapPage(w, m.iova, len, who));
  w.ghost.misuseAnswers.push(...r.warnings);
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
function driver<M>(w: IovaWorld<M>, name: string, steps: readonly IovaStep[]): ThreadSpec {
  return { name, body: () => driverBody(w, name, steps) };
}

function* driverBody<M>(w: IovaWorld<M>, name: string, steps: readonly IovaStep[]): G<void> {
  if (!w.created) return; // no IOMMU mapping: this driver's DMA does not go through it
  const mine: (Mapped | null)[] = [];
  for (const s of steps) {
    if (s.kind === 'unmap') {
      const m = mine[s.which];
      if (m) yield* unmapOne(w, name, m, s.pages === undefined ? m.len : s.pages * PAGE_SIZE);
      continue;
    }
    if (s.kind === 'unmap-foreign') {
      w.ghost.asking.set(currentExecution().running, `${name}: foreign handle ${hex(s.iova)}`);
      const r = yield* misuse(`${name}: dma_unmap_page(${hex(s.iova)}) of a handle this mapping never gave`, unmapPage(w, s.iova, s.pages * PAGE_SIZE, name));
      w.ghost.misuseAnswers.push(...r.warnings);
      continue;
    }
    const bufName = `${name}.buf${mine.length}`;
    const m = yield* mapPage(w, name, bufName, w.buffers.get(bufName) ?? []);
    mine.push(m);
    if (!m || s.pages === 0) continue;
    yield* dmaTo(w, name, m, 0, mine.length);
    if (s.pages > 1) yield* dmaTo(w, name, m, s.pages - 1, mine.length);
  }
  for (const m of mine) if (m) yield* unmapOne(w, name, m, m.len);
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
  if (!w.created) return;
  // Every driver has been joined: nothing is between its bitmap update and its bookkeeping.
  const bits = bitsMatchLive(w);
  if (bits !== true) broken(BITS_EXACT, 'at release', bits, 'owner: before arm_iommu_release_mapping');
  yield* w.variant.release(w);
}

export { hex };
