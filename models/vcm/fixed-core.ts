/**
 * mm/vcm.c with the corrections a review of seed 004 asks for (VCM was never merged; the fixes
 * follow the kernel's own conventions for the same shapes):
 * - error propagation: every local pointer starts NULL; `__vcm_alloc_and_reserve` checks
 *   `IS_ERR` before it dereferences what a callback returned, undoes only what it took (the
 *   reservation, through the driver, when the physical allocation fails) and reports through
 *   `*res` / `*phys` = ERR_PTR(ret) only; `vcm_make_binding` returns `ERR_CAST(phys)` on the phys
 *   failure and releases with vcm_unreserve / vcm_free when binding fails;
 * - activation: `struct mutex activation_lock` protects `activation_count`, and the count changes
 *   only with the hardware state: 0 -> 1 only after driver->activate succeeded, 1 -> 0 only after
 *   driver->deactivate ran, both under the lock, so no vcm_activate returns before the mappings
 *   are in the hardware and a failed activation leaves the count as it was (the shape of
 *   clk_prepare_enable's prepare_count / enable_count under prepare_lock).
 * - sharing: memory lives by a kref and reservations bind under a mutex (fixed-binding.ts);
 *   `__vcm_alloc_and_reserve` initialises the kref with the bindings count, and vcm_map's driver
 *   `map` path takes the binding's reference like vcm_bind does.
 * Leaves out: see fixed-binding.ts.
 */
import {
  ERR_PTR, type ErrPtr, IS_ERR, PAGE_SIZE, PTR_ERR, WARN_ON, type CPtr, atomic_inc, atomic_set, deref, kfree, kref_get, kref_init,
  mutex_lock, mutex_unlock, pageAlign,
} from '../../src/index.js';
import { driverOf } from './posted-core.js';
import { vcm_bind, vcm_destroy_binding, vcm_free, vcm_phys_get, vcm_unbind, vcm_unmap, vcm_unreserve } from './fixed-binding.js';
import { EINVAL, EOPNOTSUPP, type G, type Slot, type Vcm, type VcmCore, type VcmPhys, type VcmRes } from './structs.js';

function* vcm_destroy(vcm: CPtr<Vcm>): G<void> {
  const v = deref(vcm, 'vcm_destroy: vcm->activation_count');
  if (WARN_ON(yield* v.activation_count.get('vcm_destroy: vcm->activation_count'), 'vcm_destroy: WARN_ON(vcm->activation_count)')) {
    const d = yield* driverOf(v, 'vcm_destroy: vcm->driver->deactivate');
    if (d.deactivate) yield* d.deactivate(v);
  }
  const d = yield* driverOf(v, 'vcm_destroy: vcm->driver->cleanup');
  if (d.cleanup) yield* d.cleanup(v);
  else yield* kfree(v, 'vcm_destroy: kfree(vcm)');
}

function* __vcm_alloc_and_reserve(vcm: CPtr<Vcm>, size: number, phys: Slot<VcmPhys> | null, alloc_flags: number,
  res: Slot<VcmRes> | null, res_flags: number): G<number> {
  const L = '__vcm_alloc_and_reserve';
  let r: CPtr<VcmRes> = null;
  let p: CPtr<VcmPhys> = null;
  let ret = 0;
  out: {
    if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`) || !size) { ret = -EINVAL; break out; }
    const v = deref(vcm, `${L}: vcm->driver`);
    size = pageAlign(size);
    const d = yield* driverOf(v, `${L}: vcm->driver->alloc`);
    if (d.alloc) {
      const ps: Slot<VcmPhys> | null = phys ? { v: null } : null;
      const rs: Slot<VcmRes> | null = res ? { v: null } : null;
      ret = yield* d.alloc(v, size, ps, alloc_flags, rs, res_flags);
      if (ret) break out;
      r = rs ? rs.v : null;
      p = ps ? ps.v : null;
    } else if ((res && !d.res) || (phys && !d.phys)) {
      ret = -EOPNOTSUPP;
      break out;
    } else {
      if (res && d.res) {
        const got: VcmRes | ErrPtr = yield* d.res(v, size, res_flags);
        if (IS_ERR(got)) { ret = PTR_ERR(got); break out; }
        r = got;
      }
      if (phys && d.phys) {
        const got: VcmPhys | ErrPtr = yield* d.phys(v, size, alloc_flags);
        if (IS_ERR(got) || WARN_ON((yield* got.free.get(`${L}: WARN_ON(!phys->free)`)) === null, `${L}: WARN_ON(!phys->free)`)) {
          ret = IS_ERR(got) ? PTR_ERR(got) : -EINVAL;
          if (r !== null && d.unreserve) yield* d.unreserve(deref(r, `${L}: vcm->driver->unreserve(res)`));
          break out;
        }
        p = got;
      }
    }
    if (r !== null) {
      const rr = deref(r, `${L}: res->bound_size = 0`);
      yield* rr.bound_size.set(0, `${L}: res->bound_size = 0`);
      yield* rr.vcm.set(v, `${L}: res->vcm = vcm`);
      yield* rr.phys.set(null, `${L}: res->phys = NULL`);
    }
    if (p !== null) {
      const pp = deref(p, L);
      yield* atomic_set(pp.bindings, 0, `${L}: atomic_set(&phys->bindings, 0)`);
      yield* kref_init(pp.ref, `${L}: kref_init(&phys->ref)`);
    }
    if (res) res.v = r;
    if (phys) phys.v = p;
    return 0;
  }
  if (phys) phys.v = ERR_PTR(ret);
  if (res) res.v = ERR_PTR(ret);
  return ret;
}

function* vcm_make_binding(vcm: CPtr<Vcm>, size: number, alloc_flags: number, res_flags: number): G<CPtr<VcmRes>> {
  const L = 'vcm_make_binding';
  const phys: Slot<VcmPhys> = { v: null };
  const res: Slot<VcmRes> = { v: null };
  if (WARN_ON(vcm === null || !size || (size & (PAGE_SIZE - 1)) !== 0, `${L}: WARN_ON(!vcm || !size || size & ~PAGE_MASK)`)) {
    return ERR_PTR(-EINVAL);
  }
  const v = deref(vcm, `${L}: vcm->driver`);
  const d = yield* driverOf(v, `${L}: vcm->driver->alloc || !vcm->driver->map`);
  if (d.alloc || !d.map) {
    const err = yield* __vcm_alloc_and_reserve(v, size, phys, alloc_flags, res, res_flags);
    if (err) return ERR_PTR(err);
    const ret = yield* vcm_bind(res.v, phys.v);
    if (!ret) return res.v;
    yield* vcm_unreserve(res.v);
    yield* vcm_free(phys.v);
    return ERR_PTR(ret);
  }
  const err = yield* __vcm_alloc_and_reserve(v, size, phys, alloc_flags, null, 0);
  if (err) return ERR_PTR(err);
  const r = yield* vcm_map(v, phys.v, res_flags);
  if (IS_ERR(r)) yield* vcm_free(phys.v);
  return r;
}

function* vcm_alloc(vcm: CPtr<Vcm>, size: number, flags: number): G<CPtr<VcmPhys>> {
  const phys: Slot<VcmPhys> = { v: null };
  yield* __vcm_alloc_and_reserve(vcm, size, phys, flags, null, 0);
  return phys.v;
}

function* vcm_reserve(vcm: CPtr<Vcm>, size: number, flags: number): G<CPtr<VcmRes>> {
  const res: Slot<VcmRes> = { v: null };
  yield* __vcm_alloc_and_reserve(vcm, size, null, 0, res, flags);
  return res.v;
}

function* vcm_map(vcm: CPtr<Vcm>, phys: CPtr<VcmPhys>, flags: number): G<CPtr<VcmRes>> {
  const L = 'vcm_map';
  if (WARN_ON(vcm === null || phys === null, `${L}: WARN_ON(!vcm || !phys)`)) return ERR_PTR(-EINVAL);
  const v = deref(vcm, `${L}: vcm->driver`);
  const p = deref(phys, `${L}: phys`);
  const d = yield* driverOf(v, `${L}: vcm->driver->map`);
  if (d.map) {
    const res: VcmRes | ErrPtr = yield* d.map(v, p, flags);
    if (!IS_ERR(res)) {
      yield* kref_get(p.ref, `${L}: kref_get(&phys->ref)`);
      yield* atomic_inc(p.bindings, `${L}: atomic_inc(&phys->bindings)`);
      yield* res.phys.set(p, `${L}: res->phys = phys`);
      yield* res.bound_size.set(yield* p.size.get(`${L}: phys->size`), `${L}: res->bound_size = phys->size`);
      yield* res.vcm.set(v, `${L}: res->vcm = vcm`);
    }
    return res;
  }
  const res = yield* vcm_reserve(v, yield* p.size.get(`${L}: phys->size`), flags);
  if (IS_ERR(res)) return res;
  const ret = yield* vcm_bind(res, p);
  if (!ret) return res;
  yield* vcm_unreserve(res);
  return ERR_PTR(ret);
}

function* vcm_activate(vcm: CPtr<Vcm>): G<number> {
  const L = 'vcm_activate';
  if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`)) return -EINVAL;
  const v = deref(vcm, L);
  let ret = 0;
  yield* mutex_lock(v.activation_lock, `${L}: mutex_lock(&vcm->activation_lock)`);
  const count = yield* v.activation_count.get(`${L}: vcm->activation_count`);
  if (count === 0) {
    const d = yield* driverOf(v, `${L}: vcm->driver->activate`);
    if (d.activate) ret = yield* d.activate(v);
  }
  if (!ret) yield* v.activation_count.set(count + 1, `${L}: vcm->activation_count++`);
  yield* mutex_unlock(v.activation_lock, `${L}: mutex_unlock(&vcm->activation_lock)`);
  return ret;
}

function* vcm_deactivate(vcm: CPtr<Vcm>): G<void> {
  const L = 'vcm_deactivate';
  if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`)) return;
  const v = deref(vcm, L);
  yield* mutex_lock(v.activation_lock, `${L}: mutex_lock(&vcm->activation_lock)`);
  const count = yield* v.activation_count.get(`${L}: vcm->activation_count`);
  if (!WARN_ON(count === 0, `${L}: WARN_ON(!vcm->activation_count)`)) {
    if (count === 1) {
      const d = yield* driverOf(v, `${L}: vcm->driver->deactivate`);
      if (d.deactivate) yield* d.deactivate(v);
    }
    yield* v.activation_count.set(count - 1, `${L}: vcm->activation_count--`);
  }
  yield* mutex_unlock(v.activation_lock, `${L}: mutex_unlock(&vcm->activation_lock)`);
}

function* vcm_init(vcm: CPtr<Vcm>): G<CPtr<Vcm>> {
  const L = 'vcm_init';
  if (WARN_ON(vcm === null, `${L}: WARN_ON(!vcm)`)) return ERR_PTR(-EINVAL);
  const v = deref(vcm, L);
  const size = yield* v.size.get(`${L}: vcm->size`);
  const start = yield* v.start.get(`${L}: vcm->start`);
  const d = yield* v.driver.get(`${L}: vcm->driver`);
  if (WARN_ON(!size || ((start | size) % PAGE_SIZE) !== 0 || d === null || !d.unreserve, `${L}: WARN_ON(bad vcm)`)) return ERR_PTR(-EINVAL);
  yield* v.activation_count.set(0, `${L}: vcm->activation_count = 0`);
  return v;
}

/** The fixed core as a VcmCore. */
export const fixedCore: VcmCore = {
  variant: 'fixed',
  vcm_init, vcm_destroy, vcm_make_binding, vcm_alloc, vcm_reserve, vcm_map, vcm_unmap, vcm_unreserve, vcm_free,
  vcm_bind, vcm_unbind, vcm_destroy_binding, vcm_activate, vcm_deactivate, vcm_phys_get,
};
