/**
 * Page tables: virtual page -> physical frame with a memory type and permissions, as one object
 * per PTE so concurrent map / unmap / access interleave and DPOR sees which ones conflict. The same
 * class serves the kernel page table (vmap_page_range / vunmap_page_range, ioremap_page_range),
 * each user mm's page table, and an IOMMU domain's IOVA table.
 *
 * A CPU (or device) access is two ops, as on hardware: the page walk (a read of the PTE: an absent
 * entry is a 'page-fault', a translation to another PA or memory type than the caller was promised
 * is 'wrong-target'), then the access itself on the target frame or device window (see reach()).
 * Between the two a racing unmap may clear the PTE: the access then goes through the stale
 * translation, as a TLB entry would before flush_tlb_kernel_range.
 * Follows mm/vmalloc.c vmap_pte_range (WARN_ON(!pte_none(*pte)) when mapping over a live PTE).
 * Leaves out: page-table levels (a flat map of PTEs), huge pages, TLB state, accessed/dirty bits.
 */
import { currentExecution } from '../engine/execution.js';
import { type Op, op } from '../engine/ops.js';
import { type Site, UsageError } from '../engine/violation.js';
import { PAGE_SIZE, checkAddr, hex, isPageAligned, pageOffset, pfnOf } from './addr.js';
import { hereSite, hwFail, sanitizing } from './fault.js';
import type { PhysMem } from './phys.js';
import { reach, walkedVia } from './reach.js';

type G<R> = Generator<Op, R, unknown>;

/** Memory type of a mapping: ioremap (device, uncached), ioremap_wc, normal cached RAM. */
export type MemType = 'device' | 'wc' | 'cached';

/** PTE permission bits (also IOMMU_READ / IOMMU_WRITE). */
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_RW = PROT_READ | PROT_WRITE;

export class Pte {
  present = false;
  /** Frame base physical address. */
  pa = 0;
  type: MemType = 'cached';
  /** Permission bits; PROT_RW until a map says otherwise (so a PTE filled by hand at setup is usable). */
  prot = PROT_RW;
  /** Where it was last set / cleared (for reports). */
  changedAt: Site | null = null;
  /**
   * Walk op descriptors (immutable, reused: no allocation per access): the last label walked with
   * inline, others in a map made on the second distinct label (most PTEs are walked from one
   * place, and most of a big table never: an execution builds none of this for them).
   */
  private walkLabel: string | null = null;
  private walkOp: Op | null = null;
  private walkOps: Map<string, Op> | null = null;
  constructor(readonly id: number, readonly va: number) {}

  /** The walk op for `label` (`<label>: walk`, a read of this PTE). */
  walkOpFor(label: string): Op {
    if (label === this.walkLabel) return this.walkOp as Op;
    let o = this.walkOps?.get(label);
    if (o === undefined) {
      o = op.read(this.id, `${label}: walk`);
      if (this.walkLabel !== null) (this.walkOps ??= new Map()).set(label, o);
    }
    if (this.walkLabel === null) {
      this.walkLabel = label;
      this.walkOp = o;
    }
    return o;
  }
}

/** What an access expects to reach. Any field given is checked ('wrong-target' otherwise). */
export interface AccessOpts {
  readonly write?: boolean;
  readonly value?: number;
  readonly size?: 1 | 2 | 4 | 8;
  readonly expectPa?: number | undefined;
  readonly expectType?: MemType | undefined;
  /** RAM only: the owner tag the target frame must carry. */
  readonly expectOwner?: string | undefined;
  readonly label?: string;
}

export interface MapOpts {
  readonly prot?: number;
  readonly label?: string;
  /** 'warn' (kernel vmap: a violation) or 'eexist' (IOMMU drivers: return -EEXIST). */
  readonly onPresent?: 'warn' | 'eexist';
}

export const EEXIST = 17;

/** A run of PTE ids reserved by `prepare` (the Pte objects themselves are made on first touch). */
interface PreparedRun {
  readonly firstVpn: number;
  readonly count: number;
  readonly firstId: number;
}

export class PageTable {
  private readonly ptes = new Map<number, Pte>();
  private prepared: PreparedRun[] | null = null;
  /** Word used in messages: 'VA' for CPU tables, 'IOVA' for an IOMMU domain. */
  addrWord = 'VA';
  constructor(readonly name: string, readonly phys: PhysMem) {}

  /** The PTE object for the page holding `va` (created on first use). */
  pte(va: number): Pte {
    const vpn = pfnOf(va);
    let p = this.ptes.get(vpn);
    if (!p) {
      p = new Pte(this.preparedId(vpn) ?? currentExecution().objects.add('pte', this.pteName(vpn), -1), vpn * PAGE_SIZE);
      this.ptes.set(vpn, p);
    }
    return p;
  }

  /** Object name of the PTE for page `vpn`, e.g. `init_mm:pte[0xf0001000]`. */
  private pteName(vpn: number): string {
    return `${this.name}:pte[${hex(vpn * PAGE_SIZE)}]`;
  }

  private preparedId(vpn: number): number | undefined {
    if (this.prepared === null) return undefined;
    for (const r of this.prepared) if (vpn >= r.firstVpn && vpn < r.firstVpn + r.count) return r.firstId + (vpn - r.firstVpn);
    return undefined;
  }

  /**
   * Give the PTEs of a range their object ids up front, so ids do not depend on the order threads
   * first touch them (DPOR matches ops across executions by object). Only the ids are taken: each
   * Pte object, and its name, is made when the page is first touched or reported.
   */
  prepare(va: number, size: number): void {
    const first = pfnOf(va);
    const pages = size > 0 ? Math.ceil(size / PAGE_SIZE) : 0;
    const free = (vpn: number): boolean => !this.ptes.has(vpn) && this.preparedId(vpn) === undefined;
    // Pages already in use or prepared keep their ids; each gap becomes one reserved run.
    for (let k = 0; k < pages;) {
      if (!free(first + k)) {
        k++;
        continue;
      }
      let n = 1;
      while (k + n < pages && free(first + k + n)) n++;
      const firstVpn = first + k;
      const firstId = currentExecution().objects.reserve('pte', n, (i) => this.pteName(firstVpn + i));
      (this.prepared ??= []).push({ firstVpn, count: n, firstId });
      k += n;
    }
  }

  /** Translation without an op (for invariants, inspect and tests). */
  translate(va: number): { pa: number; type: MemType; prot: number } | null {
    const p = this.ptes.get(pfnOf(va));
    if (!p || !p.present) return null;
    return { pa: p.pa + pageOffset(va), type: p.type, prot: p.prot };
  }

  /** Number of present PTEs (for invariants). */
  get presentCount(): number {
    let n = 0;
    for (const p of this.ptes.values()) if (p.present) n++;
    return n;
  }

  /**
   * Boot-time mapping, in `setup()` only (no ops): what a finished vmap / ioremap_page_range leaves.
   * Same argument rules as `map`; a live PTE in the range is a UsageError.
   */
  mapAtSetup(va: number, pa: number, size: number, type: MemType, prot: number = PROT_RW): void {
    if (currentExecution().running >= 0) throw new UsageError(`${this.name}.mapAtSetup is for setup(); thread code maps with yield* map(...)`);
    if (!isPageAligned(checkAddr(va, this.addrWord)) || !isPageAligned(checkAddr(pa, 'PA')) || size <= 0 || !isPageAligned(size)) {
      throw new UsageError(`${this.name}.mapAtSetup(${hex(va)}, ${hex(pa)}, ${hex(size)}) needs page-aligned addresses and size`);
    }
    for (let off = 0; off < size; off += PAGE_SIZE) {
      const p = this.pte(va + off);
      if (p.present) throw new UsageError(`${this.name}.mapAtSetup: ${this.addrWord} ${hex(va + off)} is already mapped`);
      p.present = true;
      p.pa = pa + off;
      p.type = type;
      p.prot = prot;
      p.changedAt = { thread: -1, step: -1, label: 'boot mapping' };
    }
  }

  /** Map `[va, va + size)` to `[pa, ...)`: one set_pte op per page. Returns 0 or -EEXIST. */
  *map(va: number, pa: number, size: number, type: MemType, opts: MapOpts = {}): G<number> {
    checkAddr(va, `${this.addrWord}`);
    checkAddr(pa, 'PA');
    if (!isPageAligned(va) || !isPageAligned(pa) || size <= 0 || !isPageAligned(size)) {
      hwFail('usage', `${this.name}: map(${hex(va)}, ${hex(pa)}, ${hex(size)}) needs page-aligned addresses and size; align with pageAlignDown/pageAlign first`, opts.label ?? 'map');
    }
    const label = opts.label ?? 'set_pte_at';
    const prot = opts.prot ?? PROT_RW;
    for (let off = 0; off < size; off += PAGE_SIZE) {
      const p = this.pte(va + off);
      yield op.write(p.id, label);
      if (p.present) {
        if (opts.onPresent === 'eexist') return -EEXIST;
        if (sanitizing()) {
          hwFail('invariant', `${this.name}: mapping ${this.addrWord} ${hex(va + off)} over a live PTE (-> ${hex(p.pa)})`, label, {
            title: `WARNING: ${label}: ${this.addrWord} ${hex(va + off)} already mapped`,
            ...(p.changedAt ? { other: p.changedAt } : {}),
          });
        }
      }
      p.present = true;
      p.pa = pa + off;
      p.type = type;
      p.prot = prot;
      p.changedAt = hereSite(label);
    }
    return 0;
  }

  /** Unmap `[va, va + size)`: one pte_clear op per page. Returns how many PTEs were present. */
  *unmap(va: number, size: number, label = 'pte_clear'): G<number> {
    let n = 0;
    for (let a = va - pageOffset(va); a < va + size; a += PAGE_SIZE) {
      const p = this.pte(a);
      yield op.write(p.id, label);
      if (p.present) n++;
      p.present = false;
      p.changedAt = hereSite(label);
    }
    return n;
  }

  /** Change the permission of a present PTE (change_protection, pte_mkwrite): one op. Returns whether it was present. */
  *setProt(va: number, prot: number, label = 'change_protection'): G<boolean> {
    const p = this.pte(va);
    yield op.write(p.id, label);
    if (!p.present) return false;
    p.prot = prot;
    p.changedAt = hereSite(label);
    return true;
  }

  /** The page walk: one read op on the PTE; returns it (present or not). */
  *walk(va: number, label: string): G<Pte> {
    const p = this.pte(checkAddr(va, this.addrWord));
    yield p.walkOpFor(label);
    return p;
  }

  /**
   * A CPU access through this table: walk, check the promise, reach the target. Returns the value
   * read (or written). Faults and wrong targets are violations.
   */
  *access(va: number, o: AccessOpts = {}, by = 'cpu', faultKind: 'page-fault' | 'iommu-fault' = 'page-fault'): G<number> {
    const label = o.label ?? (o.write ? 'writel' : 'readl');
    const p = yield* this.walk(va, label);
    const pa = this.check(p, va, o, label, faultKind);
    return yield* reach(this.phys, pa, o, label, by, walkedVia(this.phys, p, pa));
  }

  /** Check a walked PTE against the access and its promise; returns the PA reached. */
  check(p: Pte, va: number, o: AccessOpts, label: string, faultKind: 'page-fault' | 'iommu-fault'): number {
    // The report's object and last-change site are built only when the check fails.
    const fail = (kind: 'page-fault' | 'iommu-fault' | 'wrong-target', message: string, title?: string): never => hwFail(kind, message, label, {
      ...(title !== undefined ? { title } : {}),
      object: currentExecution().objects.ref(p.id),
      ...(p.changedAt ? { other: p.changedAt } : {}),
    });
    const pf = faultKind === 'page-fault';
    if (!p.present) {
      fail(faultKind, `${o.write ? 'write' : 'read'} through unmapped ${this.addrWord} ${hex(va)} (${this.name})`,
        pf ? `BUG: unable to handle page fault for address: ${hex(va)}` : `iommu fault: unmapped IOVA ${hex(va)} in ${this.name}`);
    }
    if (o.write && (p.prot & PROT_WRITE) === 0) {
      fail(faultKind, `write through read-only ${this.addrWord} ${hex(va)} (${this.name})`,
        pf ? `BUG: unable to handle page fault for address: ${hex(va)} (write to read-only)` : `iommu fault: write to read-only IOVA ${hex(va)}`);
    }
    if (!o.write && (p.prot & PROT_READ) === 0) {
      fail(faultKind, `read through write-only ${this.addrWord} ${hex(va)} (${this.name})`,
        pf ? `BUG: unable to handle page fault for address: ${hex(va)} (no read permission)` : `iommu fault: read from write-only IOVA ${hex(va)}`);
    }
    const pa = p.pa + pageOffset(va);
    if (o.expectPa !== undefined && pa !== o.expectPa) {
      fail('wrong-target', `${this.addrWord} ${hex(va)} reached PA ${hex(pa)}, caller was promised PA ${hex(o.expectPa)}`);
    }
    if (o.expectType !== undefined && p.type !== o.expectType) {
      fail('wrong-target', `${this.addrWord} ${hex(va)} is mapped ${p.type}, caller was promised ${o.expectType}`);
    }
    return pa;
  }

  /** readl(addr) with kernel argument order. */
  *readl(va: number, o: Omit<AccessOpts, 'write' | 'value'> = {}): G<number> {
    return yield* this.access(va, withAccess(o, false, 0, 'readl'));
  }

  /** writel(value, addr) with kernel argument order. */
  *writel(value: number, va: number, o: Omit<AccessOpts, 'write' | 'value'> = {}): G<void> {
    yield* this.access(va, withAccess(o, true, value, 'writel'));
  }
}

/**
 * The caller's promise completed with the access itself (readl / writel: 4 bytes by default).
 * Written out field by field: `{ ...o, write }` (a spread followed by a property the source
 * lacks) takes V8's slow object-clone path, ~100x slower, and its results outlive scavenges.
 */
function withAccess(o: Omit<AccessOpts, 'write' | 'value'>, write: boolean, value: number, label: string): AccessOpts {
  return {
    write, value, size: o.size ?? 4, label: o.label ?? label, expectPa: o.expectPa, expectType: o.expectType, expectOwner: o.expectOwner,
  };
}
