/**
 * The second half of every access: a physical address reaching RAM or a device window, after the
 * page walk (CPU MMU or IOMMU) produced it. One op on the target's object: a device op for MMIO
 * (register reads may have side effects, so every MMIO access is write-class), an atomic read or
 * write of the frame for RAM (hardware accesses are not KCSAN-checked, but they do order with
 * other accesses to the same frame).
 *
 * Checks what the caller was promised about the target: a RAM frame must be allocated (an access
 * to a freed frame is a 'use-after-free' naming where it was freed) and, when asked, owned by the
 * buffer the caller meant (`expectOwner`, otherwise 'wrong-target'); a PA nothing decodes is
 * 'wrong-target' (a bus error).
 *
 * Stale translations: the walk and the access are separate ops, so an unmap (and then a free of
 * the frame) can fall between them. The kernel flushes the TLB before it frees a frame it
 * unmapped, and a flush cannot split one access, so such an access logically happened at walk
 * time: when the PTE no longer maps the frame and the frame was freed or reallocated since the
 * walk, the access is dropped (a read returns 0) instead of being reported.
 * Leaves out: access widths splitting into bytes (each offset holds one value), endianness.
 */
import { type Op, op } from '../engine/ops.js';
import { currentExecution } from '../engine/execution.js';
import { hex, pageOffset, truncToSize } from './addr.js';
import { hwFail, sanitizing } from './fault.js';
import type { AccessOpts, Pte } from './pagetable.js';
import type { PhysMem } from './phys.js';

type G<R> = Generator<Op, R, unknown>;

/** Perform an access at physical address `pa` on behalf of `by` ('cpu' or a device name). */
/** The PTE a walk used and the frame generation it saw (for the stale-translation rule). */
export interface WalkedVia {
  readonly pte: Pte;
  readonly gen: number;
}

/** Take a walk's snapshot before yielding the access op. */
export function walkedVia(phys: PhysMem, pte: Pte, pa: number): WalkedVia {
  return { pte, gen: phys.pageAt(pa)?.gen ?? 0 };
}

export function* reach(phys: PhysMem, pa: number, o: AccessOpts, label: string, by: string, via?: WalkedVia): G<number> {
  const t = phys.resolve(pa);
  const write = o.write === true;
  const size = o.size ?? 4;
  if (t === undefined) {
    yield op.device(phys.allocatorId, label, `${by} ${write ? 'write' : 'read'} ${hex(pa)}`);
    return hwFail('wrong-target', `${by} ${write ? 'write' : 'read'} at PA ${hex(pa)}: no RAM or device decodes this address`, label, {
      title: `BUG: bus error: ${by} access to unclaimed PA ${hex(pa)}`,
    });
  }
  const value = write ? truncToSize(o.value ?? 0, size) : 0;
  if (t.kind === 'mmio') {
    const dev = t.dev;
    yield op.device(dev.id, label, `${by} ${write ? 'write' : 'read'} ${hex(pa)}`);
    const e = currentExecution();
    const offset = pa - dev.base;
    let v = value;
    if (write) dev.regs.set(offset, value);
    else v = dev.regs.get(offset) ?? 0;
    dev.log.push({ thread: e.running, step: e.stepIndex - 1, pa, offset, write, value: v, label, by });
    return v;
  }
  const page = t.page;
  const cache = write ? page.writeOps : page.readOps;
  let ao = cache.get(label);
  if (ao === undefined) {
    ao = write ? op.write(page.id, label) : op.read(page.id, label);
    cache.set(label, ao);
  }
  yield ao;
  if (via && !(via.pte.present && via.pte.pa === page.pa) && (page.isFree || page.gen !== via.gen)) {
    return 0; // stale translation: the access happened before the unmap (see header)
  }
  if (sanitizing()) {
    if (page.isFree) {
      hwFail('use-after-free', `${by} ${write ? 'wrote' : 'read'} PA ${hex(pa)}, a page frame already freed`, label, {
        title: `BUG: KASAN: use-after-free in ${label.split(':')[0] ?? label} (page pfn ${hex(page.pfn)})`,
        object: currentExecution().objects.ref(page.id),
        ...(page.freedAt ? { other: page.freedAt } : {}),
      });
    }
    if (o.expectOwner !== undefined && page.owner !== o.expectOwner) {
      hwFail('wrong-target', `${by} ${write ? 'write' : 'read'} at PA ${hex(pa)} landed in a page owned by ${page.owner ?? 'nobody'}, not ${o.expectOwner}`, label, {
        object: currentExecution().objects.ref(page.id), facts: { owner: page.owner ?? 'none', expected_owner: o.expectOwner, page_count: page.count },
      });
    }
  }
  const off = pageOffset(pa);
  if (write) {
    page.data.set(off, value);
    return value;
  }
  return page.data.get(off) ?? 0;
}
