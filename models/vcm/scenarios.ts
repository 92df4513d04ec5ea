/**
 * Scenarios of the VCM model (JSON, so tokens carry them and fast-check can generate them): which
 * driver backs each context, how big the IOVA window and RAM are, which allocation sites may fail,
 * and one program per driver thread (steps as in driver.ts). Both variants run all of them.
 *
 * Activation (seed 004's counter used as a lock): `activate-race` (two drivers activate the shared
 * IOMMU context, then DMA), `activate-race-device` (the DMA issued by the device as its own thread),
 * `activate-enomem` (the first activation fails in iommu_map), `reactivate-race` (one driver
 * activates while the other deactivates), `three-drivers` (the three ways to get a bound buffer at
 * once, each driver activating and DMAing).
 * Error paths, each with a second driver working concurrently: `make-binding-enomem-res` /
 * `-phys` / `-pages` (one allocation of vcm_make_binding fails), `iova-exhausted` (a one-page
 * window: the second reservation fails -ENOSPC), `o2o-enomem`, `o2o-reserve` (no reservation
 * without memory on a one-to-one context), `map-only-make-binding` (no alloc / phys ops),
 * `create-enomem` (the context's own allocation).
 * Sharing, VCM's documented purpose ("Single physical allocation can be bound to several different
 * reservations also from different VCM contexts"): `doc-share` (the documentation's own example: a
 * one-to-one make_binding whose memory the IOMMU context maps, both DMA, concurrent teardown),
 * `share-map-vs-free` (the owner frees while another driver maps its memory), `share-three` (three
 * users of one buffer on one IOMMU context), `bind-one-res` (two drivers bind memory into one
 * reservation: KH E9), `bind-and-map` / `o2o-share` (binding into an active context, two users of a
 * one-to-one context), `remap` (map, unmap and map again: reuse of IOVA space).
 * Callers the kernel must survive or WARN about: `o2o-activation-leak` (a driver that never
 * deactivates: vcm_destroy's WARN then driver->deactivate, which a one-to-one driver does not have:
 * KH E7), `zero-sizes` (make_binding / alloc / reserve of 0 bytes).
 * Leaves out: more than three driver threads (fast-check generates bigger mixes for PCT).
 */
import { type Json, UsageError } from '../../src/index.js';

export const VCM_STEPS = [
  'make_binding', 'alloc', 'reserve', 'bind', 'map', 'activate', 'dma', 'signal', 'wait', 'barrier',
  'publish', 'take', 'publish_res', 'take_res', 'join_others', 'undo',
  'leak_activation', 'extra_deactivate', 'make_binding0', 'alloc0', 'reserve0',
] as const;
export type VcmStep = typeof VCM_STEPS[number];
/** Steps a correct driver never takes: the kernel must survive them or WARN as documented. */
export const MISUSE_STEPS: readonly VcmStep[] = ['leak_activation', 'extra_deactivate', 'make_binding0', 'alloc0', 'reserve0'];
export const FAULT_SITES = ['create', 'res', 'phys', 'pages', 'iommu_map', 'o2o_phys', 'o2o_res'] as const;
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
  /** A second context, of another kind than `driver` (the documentation's o2o + IOMMU example). */
  readonly second?: VcmDriverKind;
  /** Per driver thread, the context it uses (0: `driver`, 1: `second`); default 0. */
  readonly threadCtx?: readonly number[];
};

/** Compile-time check that VcmParams is JSON. */
export const paramsAreJson = (p: VcmParams): Json => p;

function usage(msg: string): never {
  throw new UsageError(`vcm scenario: ${msg}`);
}

/**
 * Relations between fields the schema (schema.ts) cannot state, refused with one line before setup
 * builds anything: the hand-offs a program relies on (a driver that waits for
 * something nobody provides would hang the harness, not the kernel): `take` needs one `publish` in
 * another thread, `take_res` one `publish_res` (whose thread ends in `join_others`: a reservation
 * has no reference count, so its owner outlives its takers), `wait` a `signal`; `join_others` ends its program
 * and only one thread has it; a `second` context is of another kind (one IOMMU domain per platform).
 */
export function vcmRelations(p: VcmParams): void {
  const has = (s: VcmStep): number[] => p.threads.flatMap((t, i) => (t.includes(s) ? [i] : []));
  const once = (s: VcmStep): void => {
    p.threads.forEach((t, i) => { if (t.filter((x) => x === s).length > 1) usage(`threads[${i}] has '${s}' twice; allowed: once per thread`); });
  };
  for (const [give, take] of [['publish', 'take'], ['publish_res', 'take_res']] as const) {
    once(give); once(take);
    const givers = has(give);
    if (givers.length > 1) usage(`threads[${givers[1] ?? 0}] has '${give}' too; allowed: one thread publishes`);
    for (const i of has(take)) {
      if (givers.length === 0 || givers[0] === i) usage(`threads[${i}] has '${take}' without '${give}' in another thread`);
    }
  }
  // VCM counts no references on a reservation: a driver that hands its reservation to others must
  // outlive them (join_others) before its vcm_unreserve, or its takers use a freed res (a caller bug).
  for (const i of has('publish_res')) {
    if (!(p.threads[i] ?? []).includes('join_others')) usage(`threads[${i}] has 'publish_res' without 'join_others'; allowed: a thread that shares its reservation waits for the others before releasing it`);
  }
  if (has('wait').length > 0 && has('signal').length === 0) usage(`threads[${has('wait')[0] ?? 0}] has 'wait' but no thread has 'signal'`);
  const joiners = has('join_others');
  if (joiners.length > 1) usage(`threads[${joiners[1] ?? 0}] has 'join_others' too; allowed: one thread`);
  for (const i of joiners) {
    const t = p.threads[i] ?? [];
    if (t[t.length - 1] !== 'join_others' || t.filter((x) => x === 'join_others').length > 1) usage(`threads[${i}]: 'join_others' must be its last step, once`);
  }
  if (p.second !== undefined && (p.second === 'iommu') === (p.driver === 'iommu')) {
    usage(`second = ${JSON.stringify(p.second)} with driver ${JSON.stringify(p.driver)}; allowed: one IOMMU and one one-to-one context`);
  }
  (p.threadCtx ?? []).forEach((c, i) => {
    if (c === 1 && p.second === undefined) usage(`threadCtx[${i}] = 1 without a second context`);
  });
}

const iommu = (threads: VcmParams['threads'], faults: readonly string[] = [], iovaPages = 4): VcmParams =>
  ({ driver: 'iommu', iovaPages, ramPages: 4, faults, threads });
const o2o = (driver: VcmDriverKind, threads: VcmParams['threads'], faults: readonly string[] = []): VcmParams =>
  ({ driver, iovaPages: 4, ramPages: 4, faults, threads });
const user: readonly VcmStep[] = ['make_binding', 'activate', 'dma', 'barrier'];

export const VCM_SCENARIOS: Readonly<Record<string, VcmParams>> = {
  'activate-race': iommu([user, user]),
  'activate-enomem': iommu([['make_binding', 'activate', 'signal'], ['wait', 'make_binding', 'activate', 'dma']], ['iommu_map']),
  'reactivate-race': iommu([['make_binding', 'activate', 'dma', 'signal'], ['wait', 'make_binding', 'activate', 'dma']]),
  'make-binding-enomem-res': iommu([['make_binding', 'activate', 'dma'], ['reserve']], ['res']),
  'make-binding-enomem-phys': iommu([['make_binding', 'activate', 'dma'], ['alloc']], ['phys']),
  'make-binding-enomem-pages': iommu([['make_binding', 'activate', 'dma'], ['alloc']], ['pages']),
  'iova-exhausted': iommu([['make_binding'], ['make_binding']], [], 1),
  'o2o-enomem': o2o('o2o', [['make_binding', 'dma'], ['make_binding', 'dma']], ['o2o_phys', 'o2o_res']),
  'o2o-reserve': o2o('o2o', [['reserve'], ['make_binding', 'dma']]),
  'map-only-make-binding': o2o('o2o-map-only', [['make_binding', 'dma'], ['make_binding', 'dma']]),
  'bind-and-map': iommu([['alloc', 'reserve', 'bind', 'activate', 'signal', 'dma', 'barrier'], ['wait', 'alloc', 'map', 'dma', 'barrier']]),
  'o2o-share': o2o('o2o', [['make_binding', 'activate', 'dma'], ['alloc', 'map', 'dma']]),
  'create-enomem': iommu([['make_binding'], ['reserve']], ['create']),
  'activate-race-device': { ...iommu([['make_binding', 'activate', 'barrier'], ['make_binding', 'activate', 'dma', 'barrier']]), deviceThread: true },
  'three-drivers': iommu([
    ['alloc', 'reserve', 'bind', 'activate', 'dma', 'barrier'],
    ['make_binding', 'activate', 'dma', 'barrier'],
    ['alloc', 'map', 'activate', 'dma', 'barrier'],
  ]),
  'doc-share': {
    ...o2o('o2o', [['make_binding', 'activate', 'publish', 'dma', 'barrier'], ['take', 'map', 'activate', 'dma', 'barrier']]),
    second: 'iommu', threadCtx: [0, 1],
  },
  'share-map-vs-free': iommu([['alloc', 'publish'], ['take', 'map', 'activate', 'dma']]),
  'share-three': iommu([['make_binding', 'publish', 'activate', 'dma'], ['take', 'map', 'activate', 'dma'], ['take', 'map', 'activate', 'dma']]),
  'bind-one-res': iommu([['reserve', 'publish_res', 'join_others'], ['alloc', 'take_res', 'bind'], ['alloc', 'take_res', 'bind']]),
  'remap': iommu([['alloc', 'activate', 'map', 'dma', 'undo', 'map', 'dma'], ['make_binding', 'activate', 'dma']], [], 2),
  'o2o-activation-leak': o2o('o2o', [['make_binding', 'leak_activation', 'dma']]),
  'zero-sizes': iommu([['make_binding0', 'alloc0', 'reserve0'], ['make_binding', 'activate', 'dma']]),
};
