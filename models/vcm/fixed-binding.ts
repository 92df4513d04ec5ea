/**
 * The binding half of the fixed VCM core: vcm_bind, vcm_unbind, vcm_unreserve, vcm_free,
 * vcm_destroy_binding, vcm_unmap and the new vcm_phys_get, corrected for memory shared between
 * users, which the documentation names as VCM's purpose ("Single physical allocation can be bound to
 * several different reservations also from different VCM contexts").
 *
 * Posted, `vcm_free` frees unless an unlocked `atomic_read(&phys->bindings)` is non-zero, and
 * `vcm_bind` tests and sets `res->phys` without a lock (KH E9 / E10): two users tearing a shared
 * buffer down concurrently WARN and leak it, a map racing the free uses freed memory, and two binds of
 * one reservation both succeed. The fix is the kernel's usual one for an object with several users:
 * - `struct vcm_phys` gets a `struct kref` (Documentation/core-api/kref.rst): vcm_alloc's caller
 *   holds one reference, each binding holds one, and whoever hands the memory to another user takes
 *   one for it with `vcm_phys_get()` (kref_get, valid only while the giver holds its own, as kref.rst
 *   requires). `vcm_free()` is kref_put: the memory goes back to the driver when the last binding or
 *   holder is gone, so "free while bound" is no longer a warning and a leak but a deferred free.
 * - `struct vcm_res` gets a mutex taken by vcm_bind, vcm_unbind and vcm_unreserve, so the check of
 *   `res->phys` and the driver call that follows are one step for other users of the reservation
 *   (the shape of iommu_attach_device's group->mutex around the domain check and the attach).
 * `bindings` stays as the count of reservations (the documented field), updated under the same lock.
 * Leaves out: a reference count on vcm_res (the reserver still owns it, and must not unreserve while
 * others may bind: the documentation's rule, kept).
 */
import {
  EINVAL, type CPtr, WARN_ON, atomic_dec, atomic_inc, deref, kref_get, kref_put, mutex_lock, mutex_unlock, nonNull, isValidPtr,
} from '../../src/index.js';
import { callFree, driverOf } from './posted-core.js';
import { EADDRINUSE, EALREADY, ENOSPC, EOPNOTSUPP, type G, type VcmPhys, type VcmRes } from './structs.js';

/** The kref release: hand the memory back to its driver. */
function* releasePhys(phys: VcmPhys): G<void> {
  yield* callFree(phys, 'vcm_phys_release: phys->free(phys)');
}

/** void vcm_phys_get(struct vcm_phys *phys): kref_get(&phys->ref). */
export function* vcm_phys_get(phys: CPtr<VcmPhys>): G<void> {
  if (WARN_ON(!isValidPtr(phys), 'vcm_phys_get: WARN_ON(!phys)')) return;
  yield* kref_get(deref(phys, 'vcm_phys_get').ref, 'vcm_phys_get: kref_get(&phys->ref)');
}

/** void vcm_free(struct vcm_phys *phys): drop the caller's reference. */
export function* vcm_free(phys: CPtr<VcmPhys>): G<void> {
  if (WARN_ON(phys === null, 'vcm_free: WARN_ON(!phys)')) return;
  const p = deref(phys, 'vcm_free: phys->ref');
  yield* kref_put(p.ref, () => releasePhys(p), 'vcm_free: kref_put(&phys->ref, vcm_phys_release)');
}

export function* vcm_bind(res: CPtr<VcmRes>, phys: CPtr<VcmPhys>): G<number> {
  const L = 'vcm_bind';
  if (WARN_ON(res === null || phys === null, `${L}: WARN_ON(!res || !phys)`)) return -EINVAL;
  const r = deref(res, `${L}: res->lock`);
  const p = deref(phys, `${L}: phys->size`);
  yield* mutex_lock(r.lock, `${L}: mutex_lock(&res->lock)`);
  let ret: number;
  const cur = yield* r.phys.get(`${L}: res->phys`);
  if (cur === p) ret = -EALREADY;
  else if (nonNull(cur)) ret = -EADDRINUSE;
  else if ((yield* p.size.get(`${L}: phys->size`)) > (yield* r.res_size.get(`${L}: res->res_size`))) ret = -ENOSPC;
  else {
    const v = deref(yield* r.vcm.get(`${L}: res->vcm`), `${L}: res->vcm->driver`);
    const d = yield* driverOf(v, `${L}: res->vcm->driver->bind`);
    ret = d.bind ? yield* d.bind(r, p) : -EOPNOTSUPP;
    if (ret >= 0) {
      yield* kref_get(p.ref, `${L}: kref_get(&phys->ref)`);
      yield* atomic_inc(p.bindings, `${L}: atomic_inc(&phys->bindings)`);
      yield* r.phys.set(p, `${L}: res->phys = phys`);
      yield* r.bound_size.set(yield* p.size.get(`${L}: phys->size`), `${L}: res->bound_size = phys->size`);
    }
  }
  yield* mutex_unlock(r.lock, `${L}: mutex_unlock(&res->lock)`);
  return ret;
}

/** Unbind with res->lock held; returns the memory that was bound (its binding reference still held). */
function* unbindLocked(r: VcmRes, phys: VcmPhys, L: string): G<void> {
  const v = deref(yield* r.vcm.get(`${L}: res->vcm`), `${L}: res->vcm->driver`);
  const d = yield* driverOf(v, `${L}: res->vcm->driver->unbind`);
  if (d.unbind) yield* d.unbind(r);
  yield* atomic_dec(phys.bindings, `${L}: atomic_dec(&phys->bindings)`);
  yield* r.phys.set(null, `${L}: res->phys = NULL`);
  yield* r.bound_size.set(0, `${L}: res->bound_size = 0`);
}

/**
 * struct vcm_phys *vcm_unbind(struct vcm_res *res): the returned pointer stays valid only while the
 * caller holds its own reference (vcm_destroy_binding holds vcm_make_binding's).
 */
export function* vcm_unbind(res: CPtr<VcmRes>): G<CPtr<VcmPhys>> {
  const L = 'vcm_unbind';
  if (WARN_ON(res === null, `${L}: WARN_ON(!res)`)) return null;
  const r = deref(res, `${L}: res->lock`);
  yield* mutex_lock(r.lock, `${L}: mutex_lock(&res->lock)`);
  const phys = yield* r.phys.get(`${L}: phys = res->phys`);
  if (WARN_ON(!isValidPtr(phys), `${L}: WARN_ON(!res->phys)`)) {
    yield* mutex_unlock(r.lock, `${L}: mutex_unlock(&res->lock)`);
    return null;
  }
  const p = deref(phys, L);
  yield* unbindLocked(r, p, L);
  yield* mutex_unlock(r.lock, `${L}: mutex_unlock(&res->lock)`);
  yield* kref_put(p.ref, () => releasePhys(p), `${L}: kref_put(&phys->ref, vcm_phys_release)`);
  return p;
}

export function* vcm_unreserve(res: CPtr<VcmRes>): G<void> {
  const L = 'vcm_unreserve';
  if (WARN_ON(res === null, `${L}: WARN_ON(!res)`)) return;
  const r = deref(res, `${L}: res->lock`);
  yield* mutex_lock(r.lock, `${L}: mutex_lock(&res->lock)`);
  const phys = yield* r.phys.get(`${L}: res->phys`);
  const bound = isValidPtr(phys) ? phys : null;
  if (WARN_ON(bound !== null, `${L}: WARN_ON(res->phys)`) && bound !== null) yield* unbindLocked(r, bound, L);
  yield* mutex_unlock(r.lock, `${L}: mutex_unlock(&res->lock)`);
  if (bound !== null) yield* kref_put(bound.ref, () => releasePhys(bound), `${L}: kref_put(&phys->ref, vcm_phys_release)`);
  const v = deref(yield* r.vcm.get(`${L}: res->vcm`), `${L}: res->vcm->driver`);
  const d = yield* driverOf(v, `${L}: res->vcm->driver->unreserve`);
  if (!WARN_ON(!d.unreserve, `${L}: WARN_ON(!unreserve)`) && d.unreserve) yield* d.unreserve(r);
}

export function* vcm_destroy_binding(res: CPtr<VcmRes>): G<void> {
  if (WARN_ON(res === null, 'vcm_destroy_binding: WARN_ON(!res)')) return;
  const phys = yield* vcm_unbind(res);
  if (nonNull(phys)) yield* vcm_free(phys);
  yield* vcm_unreserve(res);
}

export function* vcm_unmap(res: CPtr<VcmRes>): G<void> {
  yield* vcm_unbind(res);
  yield* vcm_unreserve(res);
}
