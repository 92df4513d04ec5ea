/**
 * Scenarios of the VCM model (JSON, so tokens carry them and fast-check can generate them): which
 * driver backs the context, how big the IOVA window and RAM are, which allocation sites may fail,
 * and one program per driver thread (steps as in workload.ts). Both variants run all of them.
 *
 * - `activate-race`: two drivers bind a buffer each and activate the shared IOMMU context, then
 *   DMA; neither deactivates before both are done. Seed 004's activation counter is not a lock:
 *   the second vcm_activate returns 0 while the first is still inside driver->activate, and its
 *   DMA hits unprogrammed IOMMU entries.
 * - `activate-race-device`: the same race, the second driver's DMA issued by the device running
 *   as its own thread behind a doorbell.
 * - `activate-enomem`: the first driver's activation fails (iommu_map cannot get a page-table
 *   page); the second, ordered after it by a completion, activates and DMAs.
 * - `reactivate-race`: the second driver activates while the first deactivates.
 * - `make-binding-enomem-res` / `-phys` / `-pages`: one allocation of vcm_make_binding fails.
 * - `iova-exhausted`: two drivers, a one-page IOVA window: the second reservation fails -ENOSPC.
 * - `o2o-enomem`: vcm_make_binding on the one-to-one context, its alloc callback fails.
 * - `o2o-reserve`: vcm_reserve on the one-to-one context (no reservation without memory).
 * - `map-only-make-binding`: vcm_make_binding on a one-to-one context without alloc / phys ops.
 * - `bind-and-map`: one driver binds with vcm_alloc + vcm_reserve + vcm_bind and activates; a
 *   second, started after that, maps with vcm_alloc + vcm_map into the active context (the new
 *   binding must reach the hardware at once); both DMA.
 * - `o2o-share`: two drivers make and map bindings on the one-to-one context and DMA.
 * - `create-enomem`: the context's own allocation fails in the platform code.
 * - `three-drivers`: the three ways to get a bound buffer (bind, make_binding, map) at once,
 *   each driver activating and DMAing: too big for DPOR to exhaust quickly, run with PCT.
 * Leaves out: more than three driver threads (fast-check generates bigger mixes for PCT).
 */
import type { Json } from '../../src/index.js';

export type VcmStep = 'make_binding' | 'alloc' | 'reserve' | 'bind' | 'map' | 'activate' | 'dma' | 'signal' | 'wait' | 'barrier';
export type VcmDriverKind = 'iommu' | 'o2o' | 'o2o-map-only';

export type VcmParams = {
  readonly driver: VcmDriverKind;
  readonly iovaPages: number;
  readonly ramPages: number;
  /** Allocation sites that may fail: create, res, phys, pages, iommu_map, o2o_phys, o2o_res. */
  readonly faults: readonly string[];
  readonly threads: readonly (readonly VcmStep[])[];
  /** The device runs as its own thread taking jobs from a doorbell (default: the transfer runs in the driver's thread). */
  readonly deviceThread?: boolean;
};

/** Compile-time check that VcmParams is JSON. */
export const paramsAreJson = (p: VcmParams): Json => p;

const iommu = (threads: VcmParams['threads'], faults: readonly string[] = [], iovaPages = 4): VcmParams =>
  ({ driver: 'iommu', iovaPages, ramPages: 4, faults, threads });
const o2o = (driver: VcmDriverKind, threads: VcmParams['threads'], faults: readonly string[] = []): VcmParams =>
  ({ driver, iovaPages: 4, ramPages: 4, faults, threads });

export const VCM_SCENARIOS: Readonly<Record<string, VcmParams>> = {
  'activate-race': iommu([['make_binding', 'activate', 'dma', 'barrier'], ['make_binding', 'activate', 'dma', 'barrier']]),
  'activate-enomem': iommu([['make_binding', 'activate', 'signal'], ['wait', 'make_binding', 'activate', 'dma']], ['iommu_map']),
  'reactivate-race': iommu([['make_binding', 'activate', 'dma', 'signal'], ['wait', 'make_binding', 'activate', 'dma']]),
  'make-binding-enomem-res': iommu([['make_binding', 'activate', 'dma']], ['res']),
  'make-binding-enomem-phys': iommu([['make_binding', 'activate', 'dma']], ['phys']),
  'make-binding-enomem-pages': iommu([['make_binding', 'activate', 'dma']], ['pages']),
  'iova-exhausted': iommu([['make_binding'], ['make_binding']], [], 1),
  'o2o-enomem': o2o('o2o', [['make_binding', 'dma']], ['o2o_phys', 'o2o_res']),
  'o2o-reserve': o2o('o2o', [['reserve']]),
  'map-only-make-binding': o2o('o2o-map-only', [['make_binding', 'dma']]),
  'bind-and-map': iommu([['alloc', 'reserve', 'bind', 'activate', 'signal', 'dma', 'barrier'], ['wait', 'alloc', 'map', 'dma', 'barrier']]),
  'o2o-share': o2o('o2o', [['make_binding', 'activate', 'dma'], ['alloc', 'map', 'dma']]),
  'create-enomem': iommu([['make_binding']], ['create']),
  'activate-race-device': { ...iommu([['make_binding', 'activate', 'barrier'], ['make_binding', 'activate', 'dma', 'barrier']]), deviceThread: true },
  'three-drivers': iommu([
    ['alloc', 'reserve', 'bind', 'activate', 'dma', 'barrier'],
    ['make_binding', 'activate', 'dma', 'barrier'],
    ['alloc', 'map', 'activate', 'dma', 'barrier'],
  ]),
};
