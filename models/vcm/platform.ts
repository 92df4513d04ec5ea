/**
 * What the VCM drivers of this model stand on: physical RAM, the IOMMU domain of the device the
 * IOMMU context drives, a direct (identity) "domain" for the device behind the one-to-one context,
 * and the allocation-failure plan of the scenario. A fault site is a name for one allocation in a
 * driver (`res`, `phys`, `pages`, `iommu_map`, `o2o_phys`, `o2o_res`, `create`); only the sites a
 * scenario lists may fail, each as an explored choose point (src/linux's kmalloc failure
 * injection switched on for exactly that call), so "allocation failing at each step" is one
 * scenario per step and DPOR explores success and failure of each.
 * Follows the fault-injection idea of the kernel's failslab / fail_page_alloc, per call site.
 * Leaves out: random failure probabilities (every listed site is explored both ways).
 */
import {
  DmaDevice, IommuDomain, type Make, PAGE_SIZE, PhysMem, UsageError, choose, kernelConfig, kzalloc, GFP_KERNEL, type KPtr,
} from '../../src/index.js';
import type { G, VcmPhys } from './structs.js';

/** IOVA window of the IOMMU context, and RAM of the platform. */
export const IOVA_START = 0x10000000;
export const RAM_START = 0x80000000;

export class VcmPlatform {
  readonly phys = new PhysMem();
  /** The IOMMU domain the IOMMU VCM context programs. */
  readonly domain: IommuDomain;
  /** The device behind the IOMMU context. */
  readonly dev: DmaDevice;
  /** Identity domain for the device of the one-to-one context (bus address = physical address). */
  readonly direct: IommuDomain;
  readonly directDev: DmaDevice;
  private readonly faults: ReadonlySet<string>;
  /**
   * The model's check that no live reservation is still bound to memory about to be kfree'd: a
   * module-level function and the state it reads, set by the workload. Not a closure stored here
   * per execution: V8 then keeps every execution's state alive until a full GC (see README).
   */
  physFreeCheck: ((owner: unknown, phys: VcmPhys, label: string) => void) | null = null;
  physFreeOwner: unknown = null;
  private tags = new Map<string, number>();

  constructor(readonly iovaPages: number, readonly ramPages: number, faults: readonly string[]) {
    if (!Number.isInteger(iovaPages) || iovaPages < 0 || iovaPages > 30) {
      throw new UsageError(`vcm scenario: iovaPages = ${String(iovaPages)} must be an integer in 0..30 (the IOMMU driver's bitmap is one unsigned long)`);
    }
    this.phys.addRam(RAM_START, ramPages);
    this.domain = new IommuDomain('iommu', this.phys, { start: IOVA_START, size: iovaPages * PAGE_SIZE });
    this.dev = new DmaDevice('dev', this.domain);
    this.direct = new IommuDomain('direct', this.phys, { start: RAM_START, size: ramPages * PAGE_SIZE });
    this.directDev = new DmaDevice('o2o-dev', this.direct);
    this.faults = new Set(faults);
  }

  checkPhysFree(phys: VcmPhys, label: string): void {
    if (this.physFreeCheck !== null) this.physFreeCheck(this.physFreeOwner, phys, label);
  }

  /** May allocation site `site` fail in this scenario? */
  mayFail(site: string): boolean {
    return this.faults.has(site);
  }

  /** A fresh name `phys0`, `res1`, ... (deterministic per execution). */
  tag(kind: string): string {
    const n = this.tags.get(kind) ?? 0;
    this.tags.set(kind, n + 1);
    return `${kind}${n}`;
  }

  /** kzalloc at fault site `site`: fails (null) only when the scenario lists the site. */
  *kzallocAt<T extends object>(site: string, name: string, make: Make<T>, label: string): G<KPtr<T> | null> {
    kernelConfig({ failAllocs: this.mayFail(site) });
    try {
      return yield* kzalloc(name, GFP_KERNEL, make, label);
    } finally {
      kernelConfig({ failAllocs: false });
    }
  }

  /** A failure point inside hardware programming (iommu_map needing a page-table page). */
  *failPoint(site: string, label: string): G<boolean> {
    if (!this.mayFail(site)) return false;
    return (yield* choose(2, `${label}: allocation fails?`)) === 1;
  }
}
