/**
 * What the VCM model checks beyond the sanitizers (KASAN, KCSAN, lockdep, WARN_ON, IOMMU faults,
 * the Oops of a bad pointer), from DESIGN.md §6 and issue 5:
 * - every vcm_* call returns a valid pointer or an ERR_PTR, never stack garbage;
 * - `phys->bindings` equals the number of live reservations bound to that memory, whenever no
 *   thread is inside a vcm_* call (the core updates the two in separate stores);
 * - memory is never freed while a live reservation is bound to it;
 * - at the end: activate / deactivate balanced (driver callbacks paired, the count back to 0) and
 *   no IOMMU entry left behind. Mappings being active before vcm_activate's caller relies on
 *   them is checked by the hardware: the device's DMA through an unprogrammed entry is an IOMMU
 *   fault. Leaks on error paths are kmemleak's (the engine's leak check at the end).
 * `inspect` prints the context, each reservation and physical allocation, and the IOMMU entries.
 * Leaves out: nothing the issue lists.
 */
import type { Check } from '../../src/index.js';
import type { VcmIommu } from './iommu-driver.js';
import { IOVA_START } from './platform.js';
import type { VcmPhys } from './structs.js';
import type { VcmState } from './workload.js';

function isIommu(s: VcmState): s is VcmState & { ctx: VcmIommu } {
  return s.ctx !== null && 'bitmap' in s.ctx;
}

function allPhys(s: VcmState): VcmPhys[] {
  const out = new Set<VcmPhys>(s.phys);
  for (const r of s.res) {
    const p = r.phys.v;
    if (p !== null && typeof p === 'object' && 'bindings' in p) out.add(p);
  }
  return [...out];
}

export const vcmInvariants: readonly Check<VcmState>[] = [
  { name: 'vcm calls return a valid pointer or an ERR_PTR', check: (s) => s.badReturn ?? true },
  {
    name: 'phys->bindings equals the reservations bound to it',
    check: (s) => {
      if (s.inCore > 0) return true;
      for (const p of allPhys(s)) {
        if (p.freed) continue;
        const bound = s.res.filter((r) => !r.freed && r.phys.v === p).length;
        if (p.bindings.value !== bound) return `${p.tag}->bindings is ${p.bindings.value} but ${bound} live reservation(s) are bound to it`;
      }
      return true;
    },
  },
  {
    name: 'memory is never freed while bound',
    check: (s) => {
      for (const r of s.res) {
        const p = r.phys.v;
        if (!r.freed && p !== null && typeof p === 'object' && 'freed' in p && p.freed) return `${p.tag} was freed while ${r.tag} is still bound to it`;
      }
      return true;
    },
  },
];

export const vcmFinal: readonly Check<VcmState>[] = [
  {
    name: 'activate / deactivate balanced',
    check: (s) => {
      if (s.ctx === null) return true;
      const v = s.ctx.vcm;
      if (v.activations.value !== 0 || v.activation_count.v !== 0) return `activation count is ${v.activations.value || v.activation_count.v} after every driver finished`;
      if (isIommu(s) && s.ctx.activateCalls !== s.ctx.deactivateCalls) return `driver->activate ran ${s.ctx.activateCalls} time(s), driver->deactivate ${s.ctx.deactivateCalls}`;
      return true;
    },
  },
  {
    name: 'no IOMMU entry left behind',
    check: (s) => s.hw.domain.pt.presentCount === 0 || `${s.hw.domain.pt.presentCount} IOMMU entr(ies) still present: ${JSON.stringify(s.hw.domain.describe(IOVA_START, s.params.iovaPages * 4096))}`,
  },
];

export function vcmInspect(s: VcmState): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = { driver: s.params.driver };
  if (s.ctx !== null) {
    out['vcm->activations (atomic_t, posted)'] = s.ctx.vcm.activations.value;
    out['vcm->activation_count (fixed)'] = s.ctx.vcm.activation_count.v;
  }
  if (isIommu(s)) {
    out['vi->active'] = s.ctx.active.v;
    out['vi->bitmap'] = `0b${s.ctx.bitmap.v.toString(2)}`;
    out['vi->bound'] = s.ctx.bound.v.map((b) => b.res.tag).join(',') || '(empty)';
    out['driver activate/deactivate calls'] = `${s.ctx.activateCalls}/${s.ctx.deactivateCalls}`;
  }
  for (const r of s.res) {
    const p = r.phys.v;
    out[r.tag] = `start=0x${r.start.v.toString(16)} phys=${p !== null && typeof p === 'object' && 'tag' in p ? p.tag : String(p)}${r.freed ? ' (freed)' : ''}`;
  }
  for (const p of allPhys(s)) out[p.tag] = `bindings=${p.bindings.value}${p.freed ? ' (freed)' : ''}`;
  const m = s.hw.domain.describe(IOVA_START, s.params.iovaPages * 4096);
  out['iommu entries'] = Object.entries(m).map(([a, pa]) => `${a}->${pa}`).join(' ') || '(none)';
  return out;
}
