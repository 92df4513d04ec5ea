/**
 * The two encodings of a page frame number with flags: `__pfn_t` exactly as seed 003 posts it
 * (include/linux/mm.h: `unsigned long val`, flags PFN_SG_CHAIN / PFN_SG_LAST / PFN_DEV in the low
 * PAGE_SHIFT bits, the pfn stored shifted left by PAGE_SHIFT), and the `pfn_t` mainline settled on
 * (include/linux/pfn_t.h, v4.5: a `u64` holding the pfn itself, flags in the top bits).
 *
 * The width matters: `unsigned long` is 32 bits on a 32-bit kernel, so `page_to_pfn(page) <<
 * PAGE_SHIFT` loses every pfn bit above bit 19 -- a PAE / HIGHMEM page above 4 GiB (the pages
 * kmap exists for) decodes to another frame. `ulong()` does the C conversion explicitly with BigInt
 * so the truncation stays visible. Pure local computation: no ops.
 * Leaves out: the scatterlist use of PFN_SG_CHAIN / PFN_SG_LAST (only carried, never interpreted).
 */
import { PAGE_SHIFT } from '../../src/index.js';

/** BITS_PER_LONG of the modelled kernel. */
export type LongBits = 32 | 64;

/** C conversion to `unsigned long` of a `bits`-bit kernel. */
export function ulong(x: bigint, bits: LongBits): bigint {
  return BigInt.asUintN(bits, x);
}

const SHIFT = BigInt(PAGE_SHIFT);

/** A pfn with flags, whichever encoding made it; `val` is the C value. */
export interface PfnT {
  readonly val: bigint;
}

/** The operations both encodings offer, as the kmap code calls them. */
export interface PfnCodec {
  readonly name: string;
  /** page_to_pfn_t(page): a memmap-backed pfn. */
  fromPage(pfn: number): PfnT;
  /** A device (PFN_DEV) pfn at physical address `phys`, as the pmem driver builds it. */
  fromDevPhys(phys: number): PfnT;
  /** __pfn_t_has_page(). */
  hasPage(p: PfnT): boolean;
  /** __pfn_t_to_pfn(). */
  toPfn(p: PfnT): number;
  /** __pfn_t_to_phys(): `__pfn_to_phys(__pfn_t_to_pfn(pfn))` in a 64-bit phys_addr_t. */
  toPhys(p: PfnT): number;
}

/** enum { PFN_MASK, PFN_SG_CHAIN, PFN_SG_LAST, PFN_DEV } of the posted patch (CONFIG_KMAP_PFN=y). */
export const POSTED_PFN = {
  PFN_MASK: (1n << SHIFT) - 1n,
  PFN_SG_CHAIN: 1n << 0n,
  PFN_SG_LAST: 1n << 1n,
  PFN_DEV: 1n << 2n,
} as const;

/** The posted `__pfn_t` on a kernel whose `unsigned long` has `bits` bits. */
export function postedPfnCodec(bits: LongBits): PfnCodec {
  return {
    name: `__pfn_t (unsigned long, ${bits}-bit)`,
    // static inline __pfn_t page_to_pfn_t(struct page *page)
    //   { __pfn_t pfn = { .val = page_to_pfn(page) << PAGE_SHIFT, }; return pfn; }
    // page_to_pfn() is an unsigned long: the shift happens in `bits` bits.
    fromPage: (pfn) => ({ val: ulong(ulong(BigInt(pfn), bits) << SHIFT, bits) }),
    // The series' pmem driver builds device pfns the same way with PFN_DEV or'ed in (the posted
    // patch has no constructor for them; this is the evident intent: the val field's layout).
    fromDevPhys: (phys) => ({ val: ulong((ulong(BigInt(phys), bits) & ~POSTED_PFN.PFN_MASK) | POSTED_PFN.PFN_DEV, bits) }),
    // return (pfn.val & PFN_DEV) == 0;
    hasPage: (p) => (p.val & POSTED_PFN.PFN_DEV) === 0n,
    // return pfn.val >> PAGE_SHIFT;
    toPfn: (p) => Number(p.val >> SHIFT),
    // __pfn_to_phys(pfn) is ((phys_addr_t)(pfn) << PAGE_SHIFT): 64-bit with PAE, but the pfn was
    // already cut to `bits - PAGE_SHIFT` bits by the encoding.
    toPhys: (p) => Number((p.val >> SHIFT) << SHIFT),
  };
}

/** include/linux/pfn_t.h (v4.5): flags in the top bits of a u64, the pfn unshifted below them. */
export const MAINLINE_PFN = {
  PFN_FLAGS_MASK: ((1n << 64n) - 1n) ^ ((1n << (64n - SHIFT)) - 1n),
  PFN_SG_CHAIN: 1n << 63n,
  PFN_SG_LAST: 1n << 62n,
  PFN_DEV: 1n << 61n,
  PFN_MAP: 1n << 60n,
} as const;

/** The mainline `pfn_t`: the same on 32- and 64-bit kernels. */
export function mainlinePfnCodec(): PfnCodec {
  const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
  return {
    name: 'pfn_t (u64, flags in the top bits)',
    // page_to_pfn_t(page) = __pfn_to_pfn_t(page_to_pfn(page), 0)
    fromPage: (pfn) => ({ val: u64(BigInt(pfn)) }),
    // phys_to_pfn_t(addr, PFN_DEV) = __pfn_to_pfn_t(addr >> PAGE_SHIFT, PFN_DEV)
    fromDevPhys: (phys) => ({ val: u64((BigInt(phys) >> SHIFT) | MAINLINE_PFN.PFN_DEV) }),
    // pfn_t_has_page(): (pfn.flags & PFN_MAP) == PFN_MAP || (pfn.flags & PFN_DEV) == 0
    hasPage: (p) => (p.val & MAINLINE_PFN.PFN_MAP) !== 0n || (p.val & MAINLINE_PFN.PFN_DEV) === 0n,
    // pfn_t_to_pfn(): pfn.val & ~PFN_FLAGS_MASK
    toPfn: (p) => Number(p.val & ~MAINLINE_PFN.PFN_FLAGS_MASK),
    toPhys: (p) => Number((p.val & ~MAINLINE_PFN.PFN_FLAGS_MASK) << SHIFT),
  };
}
