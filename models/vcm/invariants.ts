/**
 * What the VCM model checks beyond the sanitizers (KASAN, KCSAN, lockdep, WARN_ON, IOMMU faults,
 * the Oops of a bad pointer), from DESIGN.md §6 and issue 5:
 * - every vcm_* call returns a valid pointer or an ERR_PTR, never stack garbage;
 * - `phys->bindings` equals the number of live reservations bound to that memory (the core
 *   updates the two in separate stores, so it is checked when a vcm_* call returns);
 * - memory is never freed while a live reservation is bound to it;
 * - at the end: activate / deactivate balanced (driver callbacks paired, the count back to 0) and
 *   no IOMMU entry left behind. Mappings being active before vcm_activate's caller relies on
 *   them is checked by the hardware: the device's DMA through an unprogrammed entry is an IOMMU
 *   fault. Leaks on error paths are kmemleak's (the engine's leak check at the end).
 * DPOR and per-step checks (docs/soundness.md): only the first is still a per-step invariant, and
 * it reads an append-only fact (`observes: 'ops'`). The other two used to be per-step invariants
 * reading ghost state threads add and remove (a "threads inside a vcm_* call" counter, the kept
 * reservations' bindings), which made DPOR treat every state change as dependent on every other
 * (activate-race: 2 048 executions became more than 30 000); naming the vcm_res / vcm_phys blocks
 * as observed objects was still over 30 000. They moved to the ops where they are decided:
 * `checkOwnBindings` runs in a driver thread as each of its vcm_* calls returns, over the memory
 * and reservations that thread got back (bindings count; kept reservation bound to freed memory),
 * and `checkNotBound` runs in the drivers' phys free just before its kfree. For memory no driver
 * shared, every input they read is written only by the owning thread, so they see the same values
 * in every ordering DPOR leaves out (engine/peek.ts checks that at run time). Memory handed to other drivers (`publish` / `take`), and
 * everything a driver that shares a reservation (`publish_res` / `take_res`) holds, is left
 * out of the per-thread count (its bindings span threads, and another thread may be inside vcm_bind
 * between its two stores): the final check counts it over every reservation once all drivers are
 * done, and what sharing breaks on the way shows as KASAN use-after-free, WARNs, KCSAN races on
 * `res->phys` and kmemleak leaks.
 * `inspect` prints the context, each reservation and physical allocation, and the IOMMU entries.
 * Leaves out: nothing the issue lists.
 */
import { type Check, type Violation, currentExecution, violation } from '../../src/index.js';
import type { VcmIommu } from './iommu-driver.js';
import { IOVA_START } from './platform.js';
import type { VcmPhys, VcmRes } from './structs.js';
import type { VcmState } from './workload.js';

function iommuCtx(s: VcmState): VcmIommu | null {
  for (const c of s.ctxs) if ('bitmap' in c.c) return c.c;
  return null;
}

/** Is this `CPtr` value a live-or-freed struct vcm_phys (not NULL, an ERR_PTR or garbage)? */
function isPhys(p: unknown): p is VcmPhys {
  return p !== null && typeof p === 'object' && 'bindings' in p;
}

function allPhys(s: VcmState): VcmPhys[] {
  const out = new Set<VcmPhys>(s.phys);
  for (const r of s.res) if (isPhys(r.phys.v)) out.add(r.phys.v);
  return [...out];
}

/** What one driver thread got back from its vcm_* calls (reservations, memory). */
export interface Owned {
  readonly res: VcmRes[];
  readonly phys: VcmPhys[];
  /**
   * The thread published or took a reservation: another driver may bind or unbind it at any time,
   * so its memory's bindings count is not this thread's alone, and only the final check counts it
   * (reading it here would read state another thread writes outside any op: engine/peek.ts).
   */
  sharesRes: boolean;
}

export const BINDINGS_CHECK = 'phys->bindings equals the reservations bound to it';
export const FREE_CHECK = 'memory is never freed while bound';

/** Fail the running thread with an invariant violation of check `name`, sited at `label`. */
function failCheck(name: string, message: string, label: string): never {
  const e = currentExecution();
  const t = e.running;
  const v: Violation = violation('invariant', `${name}: ${message}`, {
    threads: t >= 0 ? [t] : [], sites: t >= 0 ? [{ thread: t, step: e.stepIndex - 1, label }] : [], step: e.stepIndex - 1,
    title: `WARNING: invariant '${name}' violated`,
  });
  return e.fail(v);
}

/**
 * Memory about to be kfree'd (called by the drivers' phys free just before the kfree): no live
 * reservation a driver kept may still be bound to it. Reservations are owned by the thread that
 * frees their memory (no workload shares memory), so nobody can rebind or free them in between.
 */
export function checkNotBound(s: VcmState, phys: VcmPhys, label: string): void {
  for (const r of s.res) {
    if (r.phys.v === phys && !s.objects.isFreed(r.kblock)) failCheck(FREE_CHECK, `${phys.tag} was freed while ${r.tag} is still bound to it`, label);
  }
}

/**
 * `phys->bindings` of the memory a thread owns against its live reservations bound to it, checked
 * as each of that thread's vcm_* calls returns (the count and `res->phys` are both settled then).
 */
export function checkOwnBindings(s: VcmState, own: Owned, call: string): void {
  if (own.sharesRes) return;
  const objs = s.objects;
  const mem = new Set<VcmPhys>(own.phys);
  for (const r of own.res) {
    const p = r.phys.v;
    if (!isPhys(p)) continue;
    mem.add(p);
    if (!objs.isFreed(r.kblock) && objs.isFreed(p.kblock)) failCheck(FREE_CHECK, `${p.tag} was freed while ${r.tag} is still bound to it`, `${call}() returned`);
  }
  for (const p of mem) {
    if (objs.isFreed(p.kblock) || s.shared.has(p)) continue;
    const bound = own.res.filter((r) => !objs.isFreed(r.kblock) && r.phys.v === p).length;
    if (p.bindings.value !== bound) failCheck(BINDINGS_CHECK, `${p.tag}->bindings is ${p.bindings.value} but ${bound} live reservation(s) are bound to it`, `${call}() returned`);
  }
}

export const vcmInvariants: readonly Check<VcmState>[] = [
  // 'ops': badReturn is written once (workload.ts `call`, guarded by === null) from the caller's own return value, never cleared.
  { name: 'vcm calls return a valid pointer or an ERR_PTR', check: (s) => s.badReturn ?? true, observes: 'ops' },
];

export const vcmFinal: readonly Check<VcmState>[] = [
  {
    name: 'activate / deactivate balanced',
    // The premise is callers that balance their calls: a scenario that leaks or adds one checks
    // what the kernel does about it at vcm_destroy / vcm_deactivate (a documented WARN), not here.
    check: (s) => {
      if (s.params.threads.some((t) => t.includes('leak_activation') || t.includes('extra_deactivate'))) return true;
      for (const { c } of s.ctxs) {
        const v = c.vcm;
        if (v.activations.value !== 0 || v.activation_count.v !== 0) return `activation count is ${v.activations.value || v.activation_count.v} after every driver finished`;
        if ('bitmap' in c && c.activateCalls !== c.deactivateCalls) return `driver->activate ran ${c.activateCalls} time(s), driver->deactivate ${c.deactivateCalls}`;
      }
      return true;
    },
  },
  {
    name: BINDINGS_CHECK,
    check: (s) => {
      const objs = s.objects;
      for (const p of allPhys(s)) {
        if (objs.isFreed(p.kblock)) continue;
        const bound = s.res.filter((r) => !objs.isFreed(r.kblock) && r.phys.v === p).length;
        if (p.bindings.value !== bound) return `${p.tag}->bindings is ${p.bindings.value} but ${bound} live reservation(s) are bound to it`;
      }
      for (const r of s.res) {
        const p = r.phys.v;
        if (!objs.isFreed(r.kblock) && isPhys(p) && objs.isFreed(p.kblock)) return `${r.tag} is still bound to ${p.tag}, which was freed`;
      }
      return true;
    },
  },
  {
    name: 'no IOMMU entry left behind',
    check: (s) => s.hw.domain.pt.presentCount === 0 || `${s.hw.domain.pt.presentCount} IOMMU entr(ies) still present: ${JSON.stringify(s.hw.domain.describe(IOVA_START, s.params.iovaPages * 4096))}`,
  },
];

export function vcmInspect(s: VcmState): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = { driver: s.params.driver, ...(s.params.second !== undefined ? { second: s.params.second } : {}) };
  const first = s.ctxs[0];
  if (first !== undefined) {
    out['vcm->activations (atomic_t, posted)'] = first.c.vcm.activations.value;
    out['vcm->activation_count (fixed)'] = first.c.vcm.activation_count.v;
  }
  const vi = iommuCtx(s);
  if (vi !== null) {
    out['vi->active'] = vi.active.v;
    out['vi->bitmap'] = `0b${vi.bitmap.v.toString(2)}`;
    out['vi->bound'] = vi.bound.v.map((b) => b.res.tag).join(',') || '(empty)';
    out['driver activate/deactivate calls'] = `${vi.activateCalls}/${vi.deactivateCalls}`;
  }
  for (const r of s.res) {
    const p = r.phys.v;
    out[r.tag] = `start=0x${r.start.v.toString(16)} phys=${p !== null && typeof p === 'object' && 'tag' in p ? p.tag : String(p)}${r.freed ? ' (freed)' : ''}`;
  }
  for (const p of allPhys(s)) out[p.tag] = `bindings=${p.bindings.value}${s.core.variant === 'fixed' ? ` ref=${p.ref.value}` : ''}${p.freed ? ' (freed)' : ''}`;
  const m = s.hw.domain.describe(IOVA_START, s.params.iovaPages * 4096);
  out['iommu entries'] = Object.entries(m).map(([a, pa]) => `${a}->${pa}`).join(' ') || '(none)';
  if (s.misuseAnswers.length > 0) out['kernel answers to caller misuse'] = s.misuseAnswers.join('; ');
  return out;
}
