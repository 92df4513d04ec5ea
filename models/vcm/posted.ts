/**
 * vcm/posted: seed 004's mm/vcm.c as posted (posted-core.ts) with the IOMMU and one-to-one
 * drivers, and the bugs an explored interleaving or injected allocation failure shows: the
 * activation counter used as a lock (IOMMU fault of a DMA after vcm_activate returned 0), a failed
 * activation that keeps the count, a re-activation inside vcm_deactivate's window, and the error
 * paths of __vcm_alloc_and_reserve / vcm_make_binding / vcm_reserve that dereference ERR_PTRs and
 * uninitialised locals or return the garbage (each an Oops, i.e. a 'page-fault' violation); and
 * with memory shared between drivers (VCM's documented purpose), the unlocked `bindings` check of
 * vcm_free and the unlocked `res->phys` test of vcm_bind (KH E9 / E10), and vcm_destroy calling a
 * NULL deactivate for a context a driver left active (KH E7). Every expected bug is matched on the
 * line where it shows (the WARN, the dereference, the racing functions), not by its kind alone.
 * Leaves out: see posted-core.ts.
 */
import { vcmModel } from './model.js';
import { postedCore } from './posted-core.js';

export const vcmPosted = vcmModel({
  name: 'vcm/posted',
  description: 'seed 004 VCM core as posted: activation counter used as a lock, error paths on uninitialised / error pointers',
  core: postedCore,
  defaultScenario: 'activate-race',
  expectedBugs: [
    {
      id: 'activation-counter-as-lock',
      description: 'vcm_activate: a second activator sees atomic_inc_return() != 1 and returns 0 while the first is still inside driver->activate; its device DMAs through IOMMU entries nobody programmed yet',
      scenario: 'activate-race', kinds: ['iommu-fault'], match: 'write through unmapped IOVA',
    },
    {
      id: 'activation-counter-as-lock-device',
      description: 'the same race with the device as its own thread: the driver rings the doorbell after its vcm_activate returned 0 and the device\'s transfer faults in the IOMMU',
      scenario: 'activate-race-device', kinds: ['iommu-fault'], match: 'write through unmapped IOVA',
    },
    {
      id: 'failed-activate-keeps-count',
      description: 'vcm_activate: when driver->activate fails the activation count stays raised, so later activators return 0 with nothing in the hardware and vcm_destroy finds the context still active',
      scenario: 'activate-enomem', kinds: ['assertion'], match: 'vcm_destroy: WARN_ON(atomic_read(&vcm->activations))',
    },
    {
      id: 'reactivate-during-deactivate',
      description: 'vcm_deactivate: after atomic_dec_and_test() reached 0 and before driver->deactivate runs, a new vcm_activate calls driver->activate on a context that is still active (then the late deactivate turns it off under the new user)',
      scenario: 'reactivate-race', kinds: ['assertion'], match: 'vcm_iommu_activate: WARN_ON(vi->active)',
    },
    {
      id: 'unreserve-err-ptr',
      description: '__vcm_alloc_and_reserve: when the res callback fails (kzalloc -ENOMEM), the error path calls vcm_unreserve(*res) on the ERR_PTR it just got back',
      scenario: 'make-binding-enomem-res', kinds: ['page-fault'], match: "ERR_PTR(-12) at 'vcm_unreserve",
    },
    {
      id: 'unreserve-err-ptr-enospc',
      description: 'the same error path without fault injection: two drivers, a one-page IOVA window; the second reservation is ERR_PTR(-ENOSPC) and is passed to vcm_unreserve',
      scenario: 'iova-exhausted', kinds: ['page-fault'], match: "ERR_PTR(-28) at 'vcm_unreserve",
    },
    {
      id: 'phys-err-ptr-deref',
      description: '__vcm_alloc_and_reserve: WARN_ON(!(*phys)->free) dereferences the ERR_PTR the phys callback returned before IS_ERR(*phys) is tested',
      scenario: 'make-binding-enomem-phys', kinds: ['page-fault'], match: "at '__vcm_alloc_and_reserve: WARN_ON(!(*phys)->free)'",
    },
    {
      id: 'make-binding-uninit-res',
      description: 'vcm_make_binding leaves res uninitialised; when the driver alloc callback fails, __vcm_alloc_and_reserve does if (*res) vcm_unreserve(*res) on the stack garbage',
      scenario: 'o2o-enomem', kinds: ['page-fault'], match: "vcm_make_binding: res (stack garbage) at 'vcm_unreserve",
    },
    {
      id: 'reserve-uninit-res',
      description: 'vcm_reserve on a context that cannot reserve (-EOPNOTSUPP) unreserves its own uninitialised res instead of returning the error',
      scenario: 'o2o-reserve', kinds: ['page-fault'], match: "vcm_reserve: res (stack garbage) at 'vcm_unreserve",
    },
    {
      id: 'err-cast-uninit',
      description: 'vcm_make_binding returns ERR_CAST(res) of the uninitialised res when the phys allocation fails: IS_ERR() is false on the garbage and the caller uses it as a reservation',
      scenario: 'map-only-make-binding', kinds: ['page-fault'], match: 'vcm_make_binding: res (stack garbage) at',
    },
    {
      id: 'shared-free-warns-and-leaks',
      description: 'the documentation\'s own sharing example (one-to-one make_binding, its memory vcm_map()ped into the IOMMU context) torn down by two drivers at once: vcm_destroy_binding\'s vcm_free reads the other context\'s binding, WARNs and skips the free, and no later call frees the memory (KH E10)',
      scenario: 'doc-share', kinds: ['assertion'], match: 'vcm_free: WARN_ON(!phys || atomic_read(&phys->bindings))',
    },
    {
      id: 'shared-map-vs-free',
      description: 'memory handed to another driver is freed by its owner while that driver maps it: vcm_free\'s unlocked bindings check passes and the mapper reads the freed vcm_phys (KH E10); the API offers no reference the taker could hold',
      scenario: 'share-map-vs-free', kinds: ['use-after-free'], match: 'KASAN: use-after-free in vcm_',
    },
    {
      id: 'bind-one-res-race',
      description: 'two drivers vcm_bind() memory into one shared reservation: both test res->phys == NULL before either sets it, so both succeed, one binding is lost with its bindings count (KH E9); KCSAN reports the unlocked res->phys accesses',
      scenario: 'bind-one-res', kinds: ['data-race'], match: 'data-race in vcm_bind / vcm_bind',
    },
    {
      id: 'destroy-null-deactivate',
      description: 'vcm_destroy on a context a driver left activated WARNs and then calls vcm->driver->deactivate, which one-to-one drivers do not have (the documentation says they need no activation): a NULL call (KH E7)',
      scenario: 'o2o-activation-leak', kinds: ['page-fault'], match: "NULL pointer at 'vcm_destroy: vcm->driver->deactivate(vcm)'",
    },
  ],
});
