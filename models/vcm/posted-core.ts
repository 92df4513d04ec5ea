/**
 * mm/vcm.c exactly as posted in seed 004 (Michal Nazarewicz, "Virtual Contiguous Memory
 * framework", 2010): vcm_destroy, __vcm_alloc_and_reserve, vcm_make_binding, vcm_alloc,
 * vcm_reserve, vcm_map, vcm_unreserve, vcm_free, vcm_bind, vcm_unbind, vcm_destroy_binding,
 * vcm_activate, vcm_deactivate, vcm_init, and the vcm_unmap inline of include/linux/vcm.h.
 *
 * Kept as written, bugs included:
 * - `vcm_make_binding` / `vcm_alloc` / `vcm_reserve` leave `phys` / `res` uninitialised; the error
 *   path of `__vcm_alloc_and_reserve` does `if (*res) vcm_unreserve(*res)` on that garbage (and on
 *   the ERR_PTR the res callback returned), and `vcm_make_binding` returns `ERR_CAST(res)` of the
 *   uninitialised `res` when the phys allocation failed.
 * - `WARN_ON(!(*phys)->free)` dereferences what the phys callback returned before `IS_ERR`, and
 *   its recovery assigns `phys = ERR_PTR(-EINVAL)` (the double pointer, not `*phys`).
 * - `vcm_activate` uses `atomic_inc_return(&vcm->activations) != 1` as if it were a lock: a second
 *   activator returns 0 while the first is still inside `driver->activate`, and a failed activate
 *   leaves the count raised; `vcm_deactivate` is `atomic_read` then `atomic_dec_and_test`.
 * Every `vcm->driver` load is one plain read op (the table itself is const rodata); a C short-
 * circuit chain is evaluated left to right with one op per load it performs.
 * Leaves out: nothing of vcm.c; EXPORT_SYMBOL_GPL lines.
 */
import {
  ERR_PTR, type ErrPtr, IS_ERR, PAGE_SIZE, PTR_ERR, UNINIT, WARN_ON, WARN_ON_ONCE, type CPtr,
  atomic_add_unless, atomic_dec_and_test, atomic_inc, atomic_inc_return, atomic_read, atomic_set, deref, kfree,
  nonNull, pageAlign,
} from '../../src/index.js';
import {
  EADDRINUSE, EALREADY, EINVAL, ENOSPC, EOPNOTSUPP, type G, type Slot, type Vcm, type VcmCore, type VcmDriver,
  type VcmPhys, type VcmRes,
} from './structs.js';

/** `vcm->driver` (one plain load); the driver pointer is never NULL after vcm_init. */
export function* driverOf(vcm: Vcm, label: string): G<VcmDriver> {
  return deref(yield* vcm.driver.get(label), label);
}

/** `phys->free(phys)`: load the callback, call it. */
export function* callFree(phys: CPtr<VcmPhys>, label: string): G<void> {
  const p = deref(phys, label);
  const free = deref(yield* p.free.get(label), label);
  yield* free(p);
}

/** ERR_CAST(p) is a cast: whatever `p` holds (garbage included) is returned as is. */
function ERR_CAST<T>(p: CPtr<unknown>): CPtr<T> {
  return p as CPtr<T>;
}

function* vcm_destroy(vcm: CPtr<Vcm>): G<void> {
  const v = deref(vcm, 'vcm_destroy: vcm->activations');
  const n = yield* atomic_read(v.activations, 'vcm_destroy: atomic_read(&vcm->activations)');
  if (WARN_ON(n, 'vcm_destroy: WARN_ON(atomic_read(&vcm->activations))')) {
    const d = yield* driverOf(v, 'vcm_destroy: vcm->driver->deactivate');
    yield* deref(d.deactivate, 'vcm_destroy: vcm->driver->deactivate(vcm)')(v);
  }
  const d = yield* driverOf(v, 'vcm_destroy: vcm->driver->cleanup');
  if (d.cleanup) yield* d.cleanup(v);
  else yield* kfree(v, 'vcm_destroy: kfree(vcm)');
}

function* __vcm_alloc_and_reserve(vcm: CPtr<Vcm>, size: number, physIn: Slot<VcmPhys> | null, alloc_flags: number,
  res: Slot<VcmRes> | null, res_flags: number): G<void> {
  const L = '__vcm_alloc_and_reserve';
  let ret = 0;
  let alloc = 0;
  // `phys` is the double-pointer parameter; the WARN_ON recovery below overwrites it.
  let phys: CPtr<Slot<VcmPhys>> = physIn;

  function* error(): G<void> {
    if (phys) deref(phys, `${L}: *phys = ERR_PTR(ret)`).v = ERR_PTR(ret);
    if (res) {
      if (nonNull(res.v)) yield* vcm_unreserve(res.v);
      res.v = ERR_PTR(ret);
    }
  }

  if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`) || !size) {
    ret = -EINVAL;
    return yield* error();
  }
  const v = deref(vcm, `${L}: vcm->driver`);
  size = pageAlign(size);

  const d1 = yield* driverOf(v, `${L}: vcm->driver->alloc`);
  if (d1.alloc) {
    ret = yield* d1.alloc(v, size, physIn, alloc_flags, res, res_flags);
    if (ret) return yield* error();
    alloc = 1;
  } else if ((res && !d1.res) || (phys && !d1.phys)) {
    ret = -EOPNOTSUPP;
    return yield* error();
  }

  if (res) {
    if (!alloc) {
      const d = yield* driverOf(v, `${L}: vcm->driver->res`);
      res.v = yield* deref(d.res, `${L}: vcm->driver->res()`)(v, size, res_flags);
      if (IS_ERR(res.v)) {
        ret = PTR_ERR(res.v);
        return yield* error();
      }
    }
    const r = deref(res.v, `${L}: (*res)->bound_size = 0`);
    yield* r.bound_size.set(0, `${L}: (*res)->bound_size = 0`);
    yield* r.vcm.set(v, `${L}: (*res)->vcm = vcm`);
    yield* r.phys.set(null, `${L}: (*res)->phys = NULL`);
  }

  if (phys) {
    const slot = phys;
    if (!alloc) {
      const d = yield* driverOf(v, `${L}: vcm->driver->phys`);
      slot.v = yield* deref(d.phys, `${L}: vcm->driver->phys()`)(v, size, alloc_flags);
      const p = deref(slot.v, `${L}: WARN_ON(!(*phys)->free)`);
      const free = yield* p.free.get(`${L}: WARN_ON(!(*phys)->free)`);
      if (WARN_ON(free === null, `${L}: WARN_ON(!(*phys)->free)`)) phys = ERR_PTR(-EINVAL);
      const cur = deref(phys, `${L}: IS_ERR(*phys)`).v;
      if (IS_ERR(cur)) {
        ret = PTR_ERR(cur);
        return yield* error();
      }
    }
    const p = deref(deref(phys, `${L}: (*phys)->bindings`).v, `${L}: atomic_set(&(*phys)->bindings, 0)`);
    yield* atomic_set(p.bindings, 0, `${L}: atomic_set(&(*phys)->bindings, 0)`);
  }
}

function* vcm_make_binding(vcm: CPtr<Vcm>, size: number, alloc_flags: number, res_flags: number): G<CPtr<VcmRes>> {
  const L = 'vcm_make_binding';
  const phys: Slot<VcmPhys> = { v: UNINIT(`${L}: phys`) };
  const res: Slot<VcmRes> = { v: UNINIT(`${L}: res`) };
  if (WARN_ON(vcm === null || !size || (size & (PAGE_SIZE - 1)) !== 0, `${L}: WARN_ON(!vcm || !size || size & ~PAGE_MASK)`)) {
    return ERR_PTR(-EINVAL);
  }
  const v = deref(vcm, `${L}: vcm->driver`);
  const d = yield* driverOf(v, `${L}: vcm->driver->alloc || !vcm->driver->map`);
  if (d.alloc || !d.map) {
    yield* __vcm_alloc_and_reserve(v, size, phys, alloc_flags, res, res_flags);
    if (IS_ERR(res.v)) return res.v;
    const ret = yield* vcm_bind(res.v, phys.v);
    if (!ret) return res.v;
    const d2 = yield* driverOf(v, `${L}: vcm->driver->unreserve`);
    if (d2.unreserve) yield* d2.unreserve(deref(res.v, `${L}: vcm->driver->unreserve(res)`));
    yield* callFree(phys.v, `${L}: phys->free(phys)`);
    return ERR_PTR(ret);
  }
  yield* __vcm_alloc_and_reserve(v, size, phys, alloc_flags, null, 0);
  if (IS_ERR(phys.v)) return ERR_CAST<VcmRes>(res.v);
  const r = yield* vcm_map(v, phys.v, res_flags);
  if (IS_ERR(r)) yield* callFree(phys.v, `${L}: phys->free(phys)`);
  return r;
}

function* vcm_alloc(vcm: CPtr<Vcm>, size: number, flags: number): G<CPtr<VcmPhys>> {
  const phys: Slot<VcmPhys> = { v: UNINIT('vcm_alloc: phys') };
  yield* __vcm_alloc_and_reserve(vcm, size, phys, flags, null, 0);
  return phys.v;
}

function* vcm_reserve(vcm: CPtr<Vcm>, size: number, flags: number): G<CPtr<VcmRes>> {
  const res: Slot<VcmRes> = { v: UNINIT('vcm_reserve: res') };
  yield* __vcm_alloc_and_reserve(vcm, size, null, 0, res, flags);
  return res.v;
}

function* vcm_map(vcm: CPtr<Vcm>, phys: CPtr<VcmPhys>, flags: number): G<CPtr<VcmRes>> {
  const L = 'vcm_map';
  if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`)) return ERR_PTR(-EINVAL);
  const v = deref(vcm, `${L}: vcm->driver`);
  const d = yield* driverOf(v, `${L}: vcm->driver->map`);
  if (d.map) {
    const p = deref(phys, `${L}: vcm->driver->map(vcm, phys, flags)`);
    const res: VcmRes | ErrPtr = yield* d.map(v, p, flags);
    if (!IS_ERR(res)) {
      yield* atomic_inc(p.bindings, `${L}: atomic_inc(&phys->bindings)`);
      yield* res.phys.set(p, `${L}: res->phys = phys`);
      yield* res.bound_size.set(yield* p.size.get(`${L}: phys->size`), `${L}: res->bound_size = phys->size`);
      yield* res.vcm.set(v, `${L}: res->vcm = vcm`);
    }
    return res;
  }
  const psize = yield* deref(phys, `${L}: phys->size`).size.get(`${L}: phys->size`);
  const res = yield* vcm_reserve(v, psize, flags);
  if (IS_ERR(res)) return res;
  const ret = yield* vcm_bind(res, phys);
  if (!ret) return res;
  yield* vcm_unreserve(res);
  return ERR_PTR(ret);
}

export function* vcm_unreserve(res: CPtr<VcmRes>): G<void> {
  const L = 'vcm_unreserve';
  if (!WARN_ON(res === null, `${L}: WARN_ON(!res)`)) {
    const r = deref(res, `${L}: res->phys`);
    if (WARN_ON(nonNull(yield* r.phys.get(`${L}: WARN_ON(res->phys)`)), `${L}: WARN_ON(res->phys)`)) yield* vcm_unbind(r);
    const v = deref(yield* r.vcm.get(`${L}: res->vcm`), `${L}: res->vcm->driver`);
    const d = yield* driverOf(v, `${L}: res->vcm->driver->unreserve`);
    if (!WARN_ON_ONCE(!d.unreserve, `${L}: WARN_ON_ONCE(!unreserve)`)) yield* deref(d.unreserve, L)(r);
  }
}

export function* vcm_free(phys: CPtr<VcmPhys>): G<void> {
  const L = 'vcm_free';
  const bad = phys === null || (yield* atomic_read(deref(phys, `${L}: phys->bindings`).bindings, `${L}: atomic_read(&phys->bindings)`)) !== 0;
  if (!WARN_ON(bad, `${L}: WARN_ON(!phys || atomic_read(&phys->bindings))`)) yield* callFree(phys, `${L}: phys->free(phys)`);
}

export function* vcm_bind(res: CPtr<VcmRes>, phys: CPtr<VcmPhys>): G<number> {
  const L = 'vcm_bind';
  if (WARN_ON(res === null || phys === null, `${L}: WARN_ON(!res || !phys)`)) return -EINVAL;
  const r = deref(res, `${L}: res->phys`);
  if ((yield* r.phys.get(`${L}: res->phys == phys`)) === phys) return -EALREADY;
  if (nonNull(yield* r.phys.get(`${L}: if (res->phys)`))) return -EADDRINUSE;
  const p = deref(phys, `${L}: phys->size`);
  if ((yield* p.size.get(`${L}: phys->size`)) > (yield* r.res_size.get(`${L}: res->res_size`))) return -ENOSPC;
  const v = deref(yield* r.vcm.get(`${L}: res->vcm`), `${L}: res->vcm->driver`);
  if (!(yield* driverOf(v, `${L}: res->vcm->driver->bind`)).bind) return -EOPNOTSUPP;
  const d = yield* driverOf(v, `${L}: res->vcm->driver->bind(res, phys)`);
  const ret = yield* deref(d.bind, L)(r, p);
  if (ret >= 0) {
    yield* atomic_inc(p.bindings, `${L}: atomic_inc(&phys->bindings)`);
    yield* r.phys.set(p, `${L}: res->phys = phys`);
    yield* r.bound_size.set(yield* p.size.get(`${L}: phys->size`), `${L}: res->bound_size = phys->size`);
  }
  return ret;
}

export function* vcm_unbind(res: CPtr<VcmRes>): G<CPtr<VcmPhys>> {
  const L = 'vcm_unbind';
  let phys: CPtr<VcmPhys> = null;
  const bad = res === null || !nonNull(yield* deref(res, `${L}: res->phys`).phys.get(`${L}: WARN_ON(!res->phys)`));
  if (!WARN_ON(bad, `${L}: WARN_ON(!res || !res->phys)`)) {
    const r = deref(res, L);
    phys = yield* r.phys.get(`${L}: phys = res->phys`);
    const v = deref(yield* r.vcm.get(`${L}: res->vcm`), `${L}: res->vcm->driver`);
    const d = yield* driverOf(v, `${L}: res->vcm->driver->unbind`);
    if (d.unbind) yield* d.unbind(r);
    const p = deref(phys, `${L}: phys->bindings`);
    WARN_ON(!(yield* atomic_add_unless(p.bindings, -1, 0, `${L}: atomic_add_unless(&phys->bindings, -1, 0)`)), `${L}: WARN_ON(!atomic_add_unless(...))`);
    yield* r.phys.set(null, `${L}: res->phys = NULL`);
    yield* r.bound_size.set(0, `${L}: res->bound_size = 0`);
  }
  return phys;
}

export function* vcm_destroy_binding(res: CPtr<VcmRes>): G<void> {
  if (!WARN_ON(res === null, 'vcm_destroy_binding: WARN_ON(!res)')) {
    const phys = yield* vcm_unbind(res);
    if (nonNull(phys)) yield* vcm_free(phys);
    yield* vcm_unreserve(res);
  }
}

export function* vcm_unmap(res: CPtr<VcmRes>): G<void> {
  yield* vcm_unbind(res);
  yield* vcm_unreserve(res);
}

function* vcm_activate(vcm: CPtr<Vcm>): G<number> {
  const L = 'vcm_activate';
  if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`)) return -EINVAL;
  const v = deref(vcm, L);
  if ((yield* atomic_inc_return(v.activations, `${L}: atomic_inc_return(&vcm->activations) != 1`)) !== 1
    || !(yield* driverOf(v, `${L}: !vcm->driver->activate`)).activate) return 0;
  const d = yield* driverOf(v, `${L}: vcm->driver->activate(vcm)`);
  return yield* deref(d.activate, L)(v);
}

function* vcm_deactivate(vcm: CPtr<Vcm>): G<void> {
  const L = 'vcm_deactivate';
  const bad = vcm === null || (yield* atomic_read(deref(vcm, L).activations, `${L}: !atomic_read(&vcm->activations)`)) === 0;
  if (!WARN_ON(bad, `${L}: WARN_ON(!vcm || !atomic_read(&vcm->activations))`)) {
    const v = deref(vcm, L);
    if ((yield* atomic_dec_and_test(v.activations, `${L}: atomic_dec_and_test(&vcm->activations)`))
      && (yield* driverOf(v, `${L}: vcm->driver->deactivate`)).deactivate) {
      const d = yield* driverOf(v, `${L}: vcm->driver->deactivate(vcm)`);
      yield* deref(d.deactivate, L)(v);
    }
  }
}

function* vcm_init(vcm: CPtr<Vcm>): G<CPtr<Vcm>> {
  const L = 'vcm_init';
  let bad = vcm === null;
  if (!bad) {
    const v = deref(vcm, L);
    const size = yield* v.size.get(`${L}: vcm->size`);
    const start = yield* v.start.get(`${L}: vcm->start`);
    const d = size ? yield* v.driver.get(`${L}: vcm->driver`) : null;
    bad = !size || ((start | size) % PAGE_SIZE) !== 0 || d === null || !d.unreserve;
  }
  if (WARN_ON(bad, `${L}: WARN_ON(!vcm || !vcm->size || ... || !vcm->driver->unreserve)`)) return ERR_PTR(-EINVAL);
  const v = deref(vcm, L);
  yield* atomic_set(v.activations, 0, `${L}: atomic_set(&vcm->activations, 0)`);
  return v;
}

/** The posted core as a VcmCore. */
export const postedCore: VcmCore = {
  variant: 'posted',
  vcm_init, vcm_destroy, vcm_make_binding, vcm_alloc, vcm_reserve, vcm_map, vcm_unmap, vcm_unreserve, vcm_free,
  vcm_bind, vcm_unbind, vcm_destroy_binding, vcm_activate, vcm_deactivate,
  vcm_phys_get: null,
};
