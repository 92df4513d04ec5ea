/**
 * A one-to-one VCM driver (bus address = physical address), written against `struct vcm_driver`
 * as seed 004's documentation describes them ("certain operations are very unlikely to succeed";
 * reservations and physical memory "need to be made at the same time"; the seed ships none).
 *
 * Two flavours, chosen by the scenario:
 * - `o2o`: `alloc` (physical memory first, then a reservation at the same address; a reservation
 *   alone is -EOPNOTSUPP), `map` (a reservation at the memory's own address), `bind` (only the
 *   memory whose address the reservation has), `unreserve`; no `res`, `phys`, `unbind`,
 *   `activate`, `deactivate` or `cleanup` (the doc: activation "is most likely a no-operation").
 * - `o2o-map-only`: `map`, `bind`, `unreserve` only, for a direct-mapped device that maps memory
 *   allocated in another context; vcm_make_binding then takes its phys + map branch.
 * Every error path of a callback releases what that callback took (the core's own paths are
 * what the model checks). Follows the doc's "Writing a VCM driver" section.
 * Leaves out: discontiguous memory (one part per allocation, as one-to-one contexts require).
 */
import { ERR_PTR, type ErrPtr, IS_ERR, PAGE_SIZE, kfree } from '../../src/index.js';
import { RAM_START, type VcmPlatform } from './platform.js';
import {
  EINVAL, ENOMEM, EOPNOTSUPP, type G, type Slot, type Vcm, type VcmCore, type VcmDriver, type VcmPhys, type VcmRes,
  newPhys, newRes, newVcm,
} from './structs.js';

export type O2oFlavour = 'o2o' | 'o2o-map-only';

/** struct vcm_o2o: just the embedded struct vcm. */
export interface VcmO2o {
  readonly kblock: number;
  readonly vcm: Vcm;
}

export function* vcm_o2o_create(core: VcmCore, hw: VcmPlatform, flavour: O2oFlavour): G<VcmO2o | ErrPtr> {
  const L = 'vcm_o2o_create';

  function* physFree(phys: VcmPhys): G<void> {
    const F = 'vcm_o2o_phys_free';
    for (const part of yield* phys.parts.get(`${F}: phys->parts`)) yield* hw.phys.freePages(part.page, `${F}: __free_pages`);
    phys.freed = true;
    hw.checkPhysFree(phys, `${F}: kfree(phys)`);
    yield* kfree(phys, `${F}: kfree(phys)`);
  }

  /** A reservation at `start` (= the physical address of the memory it will map). */
  function* newReservation(start: number, size: number, F: string): G<VcmRes | null> {
    const tag = hw.tag('res');
    return yield* hw.kzallocAt('o2o_res', `vcm_res ${tag}`, (b) => newRes(b, tag, start, size), `${F}: kzalloc(res)`);
  }

  const alloc = function* (vcm: Vcm, size: number, phys: Slot<VcmPhys> | null, alloc_flags: number,
    res: Slot<VcmRes> | null, res_flags: number): G<number> {
    const F = 'vcm_o2o_alloc';
    void vcm; void alloc_flags; void res_flags;
    if (phys === null) return -EOPNOTSUPP;
    const tag = hw.tag('phys');
    const p = yield* hw.kzallocAt('o2o_phys', `vcm_phys ${tag}`, (b) => newPhys(b, tag, size, physFree), `${F}: kzalloc(phys)`);
    if (p === null) return -ENOMEM;
    const pages = yield* hw.phys.allocPages(size / PAGE_SIZE, tag, { mayFail: hw.mayFail('pages'), label: `${F}: alloc_pages` });
    if (pages === null) {
      yield* kfree(p, `${F}: kfree(phys)`);
      return -ENOMEM;
    }
    const start = pages[0]?.pa ?? 0;
    p.parts.v = [{ start, page: pages, size }];
    if (res !== null) {
      const r = yield* newReservation(start, size, F);
      if (r === null) {
        yield* hw.phys.freePages(pages, `${F}: __free_pages`);
        yield* kfree(p, `${F}: kfree(phys)`);
        return -ENOMEM;
      }
      res.v = r;
    }
    phys.v = p;
    return 0;
  };

  const driver: VcmDriver = {
    name: flavour === 'o2o' ? 'vcm_o2o' : 'vcm_o2o_map_only',
    cleanup: null, res: null, phys: null, unbind: null, activate: null, deactivate: null,
    alloc: flavour === 'o2o' ? alloc : null,
    *map(vcm: Vcm, phys: VcmPhys, flags: number): G<VcmRes | ErrPtr> {
      const F = 'vcm_o2o_map';
      void vcm; void flags;
      const parts = yield* phys.parts.get(`${F}: phys->parts`);
      const part = parts[0];
      if (parts.length !== 1 || part === undefined) return ERR_PTR(-EINVAL);
      const r = yield* newReservation(part.start, part.size, F);
      return r === null ? ERR_PTR(-ENOMEM) : r;
    },
    *bind(res: VcmRes, phys: VcmPhys): G<number> {
      const F = 'vcm_o2o_bind';
      const start = yield* res.start.get(`${F}: res->start`);
      const part = (yield* phys.parts.get(`${F}: phys->parts[0]`))[0];
      return part !== undefined && part.start === start ? 0 : -EINVAL;
    },
    *unreserve(res: VcmRes): G<void> {
      res.freed = true;
      yield* kfree(res, 'vcm_o2o_unreserve: kfree(res)');
    },
  };

  const c = yield* hw.kzallocAt('create', 'vcm_o2o', (b) => ({
    vcm: newVcm(b, 'vcm', RAM_START, hw.ramPages * PAGE_SIZE, driver),
  }), `${L}: kzalloc(o2o)`);
  if (c === null) return ERR_PTR(-ENOMEM);
  const v = yield* core.vcm_init(c.vcm);
  if (IS_ERR(v) || v !== c.vcm) {
    yield* kfree(c, `${L}: kfree(o2o)`);
    return ERR_PTR(-ENOMEM);
  }
  return c;
}
