/**
 * A VCM driver for a real IOMMU, written against `struct vcm_driver` of seed 004 (the seed ships
 * none: "There are no real hardware drivers at this time"), over src/hw's IommuDomain.
 *
 * `struct vcm_iommu` embeds `struct vcm` and keeps, under its own mutex, a first-fit bitmap of
 * IOVA pages, the list of bound reservations and whether the context is active in hardware. Ops:
 * `res` (kzalloc + bitmap), `unreserve`, `phys` (kzalloc + alloc_pages, one contiguous part),
 * `bind` / `unbind` (record the binding; program / clear IOMMU PTEs when active), `activate` /
 * `deactivate` (program every bound reservation / clear them all), `cleanup` (kfree). No `alloc`
 * and no `map`, so vcm_make_binding reserves, allocates and binds, and vcm_map falls back to
 * vcm_reserve + vcm_bind. The callbacks check the core's contract ("only the first call in sequence
 * will invoke this callback", "call this callback always accompanies call to the @activate
 * callback") with WARN_ON, as a careful driver would.
 * Follows drivers/iommu usage of iommu_map / iommu_unmap (v3.x). Leaves out: attach/detach of the
 * device (activation is modelled as programming the PTEs), IOTLB flushes, page sizes above 4 KiB.
 */
import {
  ERR_PTR, type ErrPtr, IOMMU_READ, IOMMU_WRITE, KMutex, PAGE_SIZE, WARN_ON, Field, kfree,
  mutex_lock, mutex_unlock,
} from '../../src/index.js';
import { IOVA_START, type VcmPlatform } from './platform.js';
import { ENOMEM, ENOSPC, type G, type Vcm, type VcmCore, type VcmDriver, type VcmPhys, type VcmRes, newPhys, newRes, newVcm } from './structs.js';

/** One bound reservation as the driver records it. */
export interface IommuBinding {
  readonly res: VcmRes;
  readonly iova: number;
  readonly pa: number;
  readonly size: number;
}

/** struct vcm_iommu. */
export interface VcmIommu {
  readonly kblock: number;
  readonly vcm: Vcm;
  readonly lock: KMutex;
  /** IOVA pages in use, one bit per page. */
  readonly bitmap: Field<number>;
  readonly bound: Field<readonly IommuBinding[]>;
  readonly active: Field<boolean>;
  /** Callback counts (not ops): for the activation-balance invariant. */
  activateCalls: number;
  deactivateCalls: number;
}

function* mapAll(hw: VcmPlatform, list: readonly IommuBinding[], label: string): G<number> {
  for (let i = 0; i < list.length; i++) {
    const b = list[i] as IommuBinding;
    if (yield* hw.failPoint('iommu_map', label)) {
      for (let j = 0; j < i; j++) {
        const u = list[j] as IommuBinding;
        yield* hw.domain.unmap(u.iova, u.size, `${label}: unwind iommu_unmap`);
      }
      return -ENOMEM;
    }
    yield* hw.domain.map(b.iova, b.pa, b.size, IOMMU_READ | IOMMU_WRITE, `${label}: iommu_map`);
  }
  return 0;
}

/*
 * The driver's callbacks are the methods of a module-level class (one function object each for the
 * whole run), not generator closures made per vcm_iommu_create: a `function*` made per execution
 * gets its own hidden class, which keeps that execution alive through every scavenge until a full GC.
 */
export class IommuDriver implements VcmDriver {
  readonly name = 'vcm_iommu';
  readonly alloc = null;
  readonly map = null;
  /** struct vcm_iommu, set once kzalloc returned it (callbacks run only after that). */
  vi!: VcmIommu;
  /** The vcm_phys free callback (an arrow: no generator closure per phys). */
  readonly physFree = (phys: VcmPhys): G<void> => iommuPhysFree(this.hw, phys);
  constructor(readonly hw: VcmPlatform) {
    // The cores call callbacks as C function pointers (`deref(d->res)(...)`, unbound): bind each
    // once per driver (a bound function shares its method's hidden class; no closure per call).
    this.cleanup = this.cleanup.bind(this);
    this.res = this.res.bind(this);
    this.unreserve = this.unreserve.bind(this);
    this.phys = this.phys.bind(this);
    this.bind = this.bind.bind(this);
    this.unbind = this.unbind.bind(this);
    this.activate = this.activate.bind(this);
    this.deactivate = this.deactivate.bind(this);
  }

  *cleanup(vcm: Vcm): G<void> {
    yield* kfree(this.vi, 'vcm_iommu_cleanup: kfree(vi)');
    void vcm;
  }

  *res(vcm: Vcm, size: number, flags: number): G<VcmRes | ErrPtr> {
    const F = 'vcm_iommu_res';
    void flags;
    const tag = this.hw.tag('res');
    const r = yield* this.hw.kzallocAt('res', `vcm_res ${tag}`, (b) => newRes(b, tag, 0, size), `${F}: kzalloc(res)`);
    if (r === null) return ERR_PTR(-ENOMEM);
    const n = size / PAGE_SIZE;
    const want = (1 << n) - 1;
    yield* mutex_lock(this.vi.lock, `${F}: mutex_lock(&vi->lock)`);
    const bits = yield* this.vi.bitmap.get(`${F}: read vi->bitmap`);
    let idx = -1;
    for (let i = 0; i + n <= this.hw.iovaPages; i++) if ((bits & (want << i)) === 0) { idx = i; break; }
    if (idx < 0) {
      yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
      yield* kfree(r, `${F}: kfree(res)`);
      return ERR_PTR(-ENOSPC);
    }
    yield* this.vi.bitmap.set(bits | (want << idx), `${F}: bitmap_set(vi->bitmap)`);
    yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
    r.start.v = (yield* vcm.start.get(`${F}: vcm->start`)) + idx * PAGE_SIZE;
    return r;
  }

  *unreserve(res: VcmRes): G<void> {
    const F = 'vcm_iommu_unreserve';
    const start = yield* res.start.get(`${F}: res->start`);
    const n = (yield* res.res_size.get(`${F}: res->res_size`)) / PAGE_SIZE;
    const idx = (start - IOVA_START) / PAGE_SIZE;
    yield* mutex_lock(this.vi.lock, `${F}: mutex_lock(&vi->lock)`);
    const bits = yield* this.vi.bitmap.get(`${F}: read vi->bitmap`);
    yield* this.vi.bitmap.set(bits & ~(((1 << n) - 1) << idx), `${F}: bitmap_clear(vi->bitmap)`);
    yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
    res.freed = true;
    yield* kfree(res, `${F}: kfree(res)`);
  }

  *phys(vcm: Vcm, size: number, flags: number): G<VcmPhys | ErrPtr> {
    const F = 'vcm_iommu_phys';
    void vcm; void flags;
    const tag = this.hw.tag('phys');
    const p = yield* this.hw.kzallocAt('phys', `vcm_phys ${tag}`, (b) => newPhys(b, tag, size, this.physFree), `${F}: kzalloc(phys)`);
    if (p === null) return ERR_PTR(-ENOMEM);
    const pages = yield* this.hw.phys.allocPages(size / PAGE_SIZE, tag, { mayFail: this.hw.mayFail('pages'), label: `${F}: alloc_pages` });
    if (pages === null) {
      yield* kfree(p, `${F}: kfree(phys)`);
      return ERR_PTR(-ENOMEM);
    }
    p.parts.v = [{ start: pages[0]?.pa ?? 0, page: pages, size }];
    return p;
  }

  *bind(res: VcmRes, phys: VcmPhys): G<number> {
    const F = 'vcm_iommu_bind';
    const iova = yield* res.start.get(`${F}: res->start`);
    const part = (yield* phys.parts.get(`${F}: phys->parts[0]`))[0];
    if (part === undefined) return -ENOMEM;
    const b: IommuBinding = { res, iova, pa: part.start, size: part.size };
    yield* mutex_lock(this.vi.lock, `${F}: mutex_lock(&vi->lock)`);
    if (yield* this.vi.active.get(`${F}: vi->active`)) {
      const ret = yield* mapAll(this.hw, [b], F);
      if (ret) {
        yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
        return ret;
      }
    }
    const list = yield* this.vi.bound.get(`${F}: list_add(&b->list, &vi->bound)`);
    yield* this.vi.bound.set([...list, b], `${F}: list_add(&b->list, &vi->bound)`);
    yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
    return 0;
  }

  *unbind(res: VcmRes): G<void> {
    const F = 'vcm_iommu_unbind';
    yield* mutex_lock(this.vi.lock, `${F}: mutex_lock(&vi->lock)`);
    const list = yield* this.vi.bound.get(`${F}: find binding`);
    const b = list.find((x) => x.res === res);
    if (b !== undefined) {
      if (yield* this.vi.active.get(`${F}: vi->active`)) yield* this.hw.domain.unmap(b.iova, b.size, `${F}: iommu_unmap`);
      yield* this.vi.bound.set(list.filter((x) => x !== b), `${F}: list_del(&b->list)`);
    }
    yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
  }

  *activate(vcm: Vcm): G<number> {
    const F = 'vcm_iommu_activate';
    void vcm;
    yield* mutex_lock(this.vi.lock, `${F}: mutex_lock(&vi->lock)`);
    WARN_ON(yield* this.vi.active.get(`${F}: vi->active`), `${F}: WARN_ON(vi->active)`);
    this.vi.activateCalls++;
    const ret = yield* mapAll(this.hw, yield* this.vi.bound.get(`${F}: list_for_each_entry(b, &vi->bound)`), F);
    if (ret) {
      this.vi.activateCalls--;
      yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
      return ret;
    }
    yield* this.vi.active.set(true, `${F}: vi->active = true`);
    yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
    return 0;
  }

  *deactivate(vcm: Vcm): G<void> {
    const F = 'vcm_iommu_deactivate';
    void vcm;
    yield* mutex_lock(this.vi.lock, `${F}: mutex_lock(&vi->lock)`);
    WARN_ON(!(yield* this.vi.active.get(`${F}: vi->active`)), `${F}: WARN_ON(!vi->active)`);
    this.vi.deactivateCalls++;
    for (const b of yield* this.vi.bound.get(`${F}: list_for_each_entry(b, &vi->bound)`)) {
      yield* this.hw.domain.unmap(b.iova, b.size, `${F}: iommu_unmap`);
    }
    yield* this.vi.active.set(false, `${F}: vi->active = false`);
    yield* mutex_unlock(this.vi.lock, `${F}: mutex_unlock(&vi->lock)`);
  }
}

export function* iommuPhysFree(hw: VcmPlatform, phys: VcmPhys): G<void> {
  const F = 'vcm_iommu_phys_free';
  for (const part of yield* phys.parts.get(`${F}: phys->parts`)) yield* hw.phys.freePages(part.page, `${F}: __free_pages`);
  phys.freed = true;
  hw.checkPhysFree(phys, `${F}: kfree(phys)`);
  yield* kfree(phys, `${F}: kfree(phys)`);
}

/** vcm_iommu_create(): allocate the container, fill start/size/driver, vcm_init. */
export function* vcm_iommu_create(core: VcmCore, hw: VcmPlatform): G<VcmIommu | ErrPtr> {
  const L = 'vcm_iommu_create';
  const driver = new IommuDriver(hw);
  const c = yield* hw.kzallocAt('create', 'vcm_iommu', (b): Omit<VcmIommu, 'kblock'> => ({
    vcm: newVcm(b, 'vcm', IOVA_START, hw.iovaPages * PAGE_SIZE, driver),
    lock: new KMutex('vi->lock', b, 'vcm_iommu->lock'),
    bitmap: new Field(0, 'vi->bitmap', b),
    bound: new Field<readonly IommuBinding[]>([], 'vi->bound', b),
    active: new Field(false, 'vi->active', b),
    activateCalls: 0,
    deactivateCalls: 0,
  }), `${L}: kzalloc(vi)`);
  if (c === null) return ERR_PTR(-ENOMEM);
  driver.vi = c;
  const v = yield* core.vcm_init(c.vcm);
  if (v !== c.vcm) {
    yield* kfree(c, `${L}: kfree(vi)`);
    return ERR_PTR(-ENOMEM);
  }
  return c;
}
