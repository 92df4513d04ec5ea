/**
 * A VCM driver thread: runs its program in the probe / remove shape of the seed's `foo_probe` /
 * `foo_remove` example: take resources step by step, use them, then release them in reverse; when a
 * step fails (IS_ERR / non-zero return), release what was taken so far and stop, as a driver's error
 * ladder does. A step whose inputs the driver does not have (bind without memory, DMA without a
 * bound buffer, take when the publisher gave up) is skipped: the driver is a correct caller except
 * in the misuse steps.
 *
 * Steps: `make_binding` / `alloc` / `reserve` (one page; undone by vcm_destroy_binding / vcm_free /
 * vcm_unreserve), `bind` (the driver's memory into its reservation; vcm_unbind), `map` (vcm_map of
 * its memory; vcm_unmap), `activate` (vcm_deactivate), `dma` (the device writes through
 * `res->start`, expecting the buffer's pages), `signal` / `wait` (a completion between drivers),
 * `barrier` (every driver with one waits there), `undo` (release the newest resource now: map,
 * unmap, map again reuses IOVA space and memory), `join_others` (wait until every other driver has
 * finished, e.g. before unreserving a reservation others bound into).
 * Sharing: `publish` hands the driver's memory (its own, or its make_binding's `res->phys`) to the
 * others, `take` adopts it (then `map` / `bind` use it); `publish_res` / `take_res` do the same
 * with a reservation (then `bind` binds the taker's memory into it). With the fixed core the
 * publisher takes one reference per taker (`vcm_phys_get`) and each taker drops its own with
 * vcm_free at the end; the posted API has no way to take one, so a taker just uses the pointer.
 * Misuse the kernel must survive or WARN about: `leak_activation` (activate, never deactivate),
 * `extra_deactivate` (deactivate without activating), `make_binding0` / `alloc0` / `reserve0`
 * (0 bytes). Their calls run inside `misuse()` (`maybeMisuse`; the platform's vcm_destroy after a
 * leaked activation too, workload.ts): the WARN each earns is the kernel's answer to the caller,
 * kept in `misuseAnswers`, not a finding against the design.
 * Leaves out: a driver that frees memory twice (a use-after-free in any design: C cannot tell).
 */
import {
  type CPtr, IS_ERR, PAGE_SIZE, READS_OWN, Uninit, atomic_inc, atomic_set, deref, isValidPtr, misuse, op, smp_load_acquire,
  smp_store_release,
} from '../../src/index.js';
import { type Owned, checkOwnBindings } from './invariants.js';
import { MISUSE_STEPS, type VcmStep } from './scenarios.js';
import type { G, Vcm, VcmPhys, VcmRes } from './structs.js';
import type { VcmCtx, VcmState } from './workload.js';

/**
 * Run one vcm_* call: record a returned pointer that is neither valid nor an ERR_PTR, and (for a
 * driver thread, `own`) check its memory's bindings count now that the call is done.
 */
export function* call<R>(s: VcmState, name: string, g: G<R>, own: Owned | null): G<R> {
  const r = yield* g;
  if (r instanceof Uninit && s.badReturn === null) s.badReturn = `${name}() returned ${String(r)}: neither a valid pointer nor an ERR_PTR`;
  if (own !== null) {
    keep(s, own, r);
    checkOwnBindings(s, own, name);
  }
  return r;
}

/** A driver thread keeps every reservation and memory a vcm_* call gives it (for the checks). */
function keep(s: VcmState, own: Owned, r: unknown): void {
  if (!isValidPtr(r as CPtr<object>) || typeof r !== 'object' || r === null) return;
  if ('res_size' in r) {
    const res = r as VcmRes;
    if (!own.res.includes(res)) { own.res.push(res); s.res.push(res); }
  } else if ('bindings' in r) {
    const p = r as VcmPhys;
    if (!own.phys.includes(p)) { own.phys.push(p); s.phys.push(p); }
  }
}

/**
 * A misuse step's call runs inside `misuse()` (src/linux/bug.ts): the WARNs the kernel raises for
 * it are the diagnosis the caller earned, kept in `s.misuseAnswers` (reports, suites) instead of
 * reported as findings; anything else it causes (an oops, KASAN, a broken check) is still a finding.
 * A correct step's call runs as it is.
 */
export function* maybeMisuse<R>(s: VcmState, step: VcmStep, what: string, g: G<R>): G<R> {
  if (!MISUSE_STEPS.includes(step)) return yield* g;
  return (yield* misuse(what, g, s.misuseAnswers)).result;
}

/** One resource the driver holds: how to release it, and what the driver forgets when it does. */
interface Held {
  readonly release: () => G<unknown>;
  readonly forget: () => void;
}

/** Takers of thread i's `publish`: the other threads whose program has `take`. */
function takers(s: VcmState, i: number): number {
  return s.params.threads.filter((t, k) => k !== i && t.includes('take')).length;
}

export function* driverThread(s: VcmState, i: number, steps: readonly VcmStep[], ctx: VcmCtx): G<void> {
  const { core } = s;
  const vcm: Vcm = ctx.c.vcm;
  const L = `drv${i}`;
  let res: CPtr<VcmRes> = null;
  let phys: CPtr<VcmPhys> = null;
  let bound = false;
  /** The driver called vcm_deactivate once more than it activated (extra_deactivate). */
  let unbalanced = false;
  const pending = new Set<VcmStep>(steps.filter((x) => ['signal', 'barrier', 'publish', 'publish_res', 'take'].includes(x)));
  const held: Held[] = [];
  const own: Owned = { res: [], phys: [], sharesRes: false };
  const run = <R>(name: string, g: G<R>): G<R> => call(s, name, g, own);
  const hold = (release: () => G<unknown>, forget: () => void = () => {}): void => { held.push({ release, forget }); };

  function* publish(what: VcmPhys | 'none'): G<void> {
    if (what !== 'none' && core.vcm_phys_get !== null) {
      for (let k = takers(s, i); k > 0; k--) yield* core.vcm_phys_get(what);
    }
    yield* smp_store_release(s.mailbox, what, `${L}: hand the memory to the other drivers`);
    if (what !== 'none') s.shared.add(what);
    pending.delete('publish');
  }
  function* take(): G<VcmPhys | 'none'> {
    yield op.wait(s.mailbox.id, `${L}: wait for the shared memory`, () => s.mailbox.v !== null, READS_OWN);
    const got = (yield* smp_load_acquire(s.mailbox, `${L}: take the shared memory`)) ?? 'none';
    pending.delete('take');
    // The fixed API gave this driver a reference: it drops it with vcm_free when done.
    if (got !== 'none' && core.vcm_phys_get !== null) hold(() => run('vcm_free', core.vcm_free(got)));
    return got;
  }
  function* publishRes(what: VcmRes | 'none'): G<void> {
    own.sharesRes = true;
    yield* smp_store_release(s.resMailbox, what, `${L}: hand the reservation to the other drivers`);
    pending.delete('publish_res');
  }

  for (const step of steps) {
    let ok = true;
    switch (step) {
      case 'make_binding': case 'make_binding0': {
        const r = yield* maybeMisuse(s, step, `${L}: vcm_make_binding(vcm, 0, ...)`, run('vcm_make_binding', core.vcm_make_binding(vcm, step === 'make_binding' ? PAGE_SIZE : 0, 0, 0)));
        if (IS_ERR(r)) { ok = false; break; }
        res = r; bound = true;
        hold(() => run('vcm_destroy_binding', core.vcm_destroy_binding(r)), () => { res = null; bound = false; });
        break;
      }
      case 'alloc': case 'alloc0': {
        const p = yield* maybeMisuse(s, step, `${L}: vcm_alloc(vcm, 0, 0)`, run('vcm_alloc', core.vcm_alloc(vcm, step === 'alloc' ? PAGE_SIZE : 0, 0)));
        if (IS_ERR(p)) { ok = false; break; }
        phys = p;
        hold(() => run('vcm_free', core.vcm_free(p)), () => { phys = null; });
        break;
      }
      case 'reserve': case 'reserve0': {
        const r = yield* maybeMisuse(s, step, `${L}: vcm_reserve(vcm, 0, 0)`, run('vcm_reserve', core.vcm_reserve(vcm, step === 'reserve' ? PAGE_SIZE : 0, 0)));
        if (IS_ERR(r)) { ok = false; break; }
        res = r; bound = false;
        hold(() => run('vcm_unreserve', core.vcm_unreserve(r)), () => { res = null; });
        break;
      }
      case 'bind': {
        const r = res;
        if (!isValidPtr(r) || !isValidPtr(phys) || bound) break;
        if ((yield* run('vcm_bind', core.vcm_bind(r, phys))) !== 0) { ok = false; break; }
        bound = true;
        hold(() => run('vcm_unbind', core.vcm_unbind(r)), () => { bound = false; });
        break;
      }
      case 'map': {
        if (!isValidPtr(phys)) break;
        const r = yield* run('vcm_map', core.vcm_map(vcm, phys, 0));
        if (IS_ERR(r)) { ok = false; break; }
        res = r; bound = true;
        hold(() => run('vcm_unmap', core.vcm_unmap(r)), () => { res = null; bound = false; });
        break;
      }
      case 'activate':
        if ((yield* run('vcm_activate', core.vcm_activate(vcm))) !== 0) { ok = false; break; }
        // After an extra_deactivate this driver's own deactivate is the unbalanced one: its WARN is
        // the kernel's answer to the same misuse.
        hold(() => maybeMisuse(s, unbalanced ? 'extra_deactivate' : step, `${L}: vcm_deactivate() after an extra one`, run('vcm_deactivate', core.vcm_deactivate(vcm))));
        break;
      case 'leak_activation':
        yield* run('vcm_activate', core.vcm_activate(vcm));
        break;
      case 'extra_deactivate':
        unbalanced = true;
        yield* maybeMisuse(s, step, `${L}: vcm_deactivate() without vcm_activate()`, run('vcm_deactivate', core.vcm_deactivate(vcm)));
        break;
      case 'dma': {
        const buf: CPtr<VcmRes> = res;
        if (!isValidPtr(buf) || !bound) break;
        const iova = yield* buf.start.get(`${L}: buf->start`);
        const mem = buf.phys.v;
        const job = {
          iova, len: PAGE_SIZE, write: true, value: i + 1, label: `${ctx.dev.name}: DMA write for ${L}`,
          ...(isValidPtr(mem) ? { expectOwner: mem.tag } : {}),
        };
        if (ctx.device) yield* ctx.dev.waitDone(yield* ctx.dev.submit(job, `${L}: ring doorbell`), `${L}: wait for DMA completion`);
        else yield* ctx.dev.dma(job);
        break;
      }
      case 'signal':
        yield* atomic_set(s.ready, 1, `${L}: complete(&ready)`);
        pending.delete('signal');
        break;
      case 'wait':
        yield op.wait(s.ready.id, `${L}: wait_for_completion(&ready)`, () => s.ready.value === 1, READS_OWN);
        break;
      case 'barrier':
        yield* atomic_inc(s.barrier, `${L}: atomic_inc(&barrier)`);
        pending.delete('barrier');
        yield op.wait(s.barrier.id, `${L}: wait for every driver at the barrier`, () => s.barrier.value >= s.barrierThreads, READS_OWN);
        break;
      case 'publish': {
        const mine = isValidPtr(phys) ? phys : isValidPtr(res) && bound ? yield* deref(res, `${L}: res->phys`).phys.get(`${L}: res->phys`) : null;
        yield* publish(isValidPtr(mine) ? mine : 'none');
        break;
      }
      case 'take': {
        const got = yield* take();
        if (got !== 'none') phys = got;
        break;
      }
      case 'publish_res':
        yield* publishRes(isValidPtr(res) ? res : 'none');
        break;
      case 'take_res': {
        own.sharesRes = true;
        yield op.wait(s.resMailbox.id, `${L}: wait for the shared reservation`, () => s.resMailbox.v !== null, READS_OWN);
        const got = yield* smp_load_acquire(s.resMailbox, `${L}: take the shared reservation`);
        if (got !== null && got !== 'none') {
          res = got; bound = false;
          if (!own.res.includes(got)) own.res.push(got);
        }
        break;
      }
      case 'join_others':
        yield op.wait(s.finished.id, `${L}: wait for the other drivers to finish`, () => s.finished.value >= s.params.threads.length - 1, READS_OWN);
        break;
      case 'undo': {
        const h = held.pop();
        if (h !== undefined) { yield* h.release(); h.forget(); }
        break;
      }
    }
    if (!ok) break;
  }
  // A driver that stopped early still does what others wait for.
  if (pending.has('signal')) yield* atomic_set(s.ready, 1, `${L}: complete(&ready)`);
  if (pending.has('barrier')) yield* atomic_inc(s.barrier, `${L}: atomic_inc(&barrier)`);
  if (pending.has('publish')) yield* publish('none');
  if (pending.has('publish_res')) yield* publishRes('none');
  if (pending.has('take')) yield* take();
  for (let k = held.length - 1; k >= 0; k--) yield* (held[k] as Held).release();
  // Counted only when a driver waits for the others (join_others): one op less per driver otherwise.
  if (s.params.threads.some((t) => t.includes('join_others'))) yield* atomic_inc(s.finished, `${L}: driver finished`);
}
