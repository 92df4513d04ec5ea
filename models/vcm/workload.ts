/**
 * The threads of a VCM scenario: a platform thread that creates the context (vcm_iommu_create /
 * vcm_o2o_create -> vcm_init), spawns one driver thread per program, joins them and calls
 * vcm_destroy; and the driver threads, each running its program in the probe / remove shape of
 * the seed's `foo_probe` / `foo_remove` example: take resources step by step, use them, then
 * release them in reverse; when a step fails (IS_ERR / non-zero return), release what was taken
 * so far and stop, as a driver's error ladder does.
 *
 * Program steps (JSON strings): `make_binding` (vcm_make_binding of one page; undone by
 * vcm_destroy_binding), `alloc` (vcm_alloc / vcm_free), `reserve` (vcm_reserve /
 * vcm_unreserve), `bind` (vcm_bind of the thread's res and phys / vcm_unbind), `map` (vcm_map of
 * the thread's phys / vcm_unmap), `activate` (vcm_activate / vcm_deactivate), `dma` (the device
 * writes through `res->start`, expecting the thread's buffer), `signal` / `wait` (a completion
 * between driver threads, so a scenario can order one driver's probe after another's; a thread
 * that stops early still signals), `barrier` (every driver with this step waits until all have
 * reached it, e.g. so nobody deactivates before everyone has activated; reached on early stop too).
 * With `deviceThread`, the platform also starts the device as its own thread (src/hw's doorbell
 * queue) and a `dma` step rings the doorbell and waits for completion; otherwise the device's
 * transfer runs in the driver's thread at that point.
 * Leaves out: several contexts sharing one physical buffer (see the report: vcm_free's check of
 * `bindings` is not atomic with a concurrent vcm_map, but no owner discipline makes that a valid use).
 */
import {
  AtomicT, type CPtr, IS_ERR, IOMMU_READ, IOMMU_WRITE, PAGE_SIZE, Uninit, atomic_inc, atomic_set, currentExecution, deref,
  isValidPtr, join, op, spawn, type ThreadSpec, READS_OWN,
} from '../../src/index.js';
import { type Owned, checkNotBound, checkOwnBindings } from './invariants.js';
import { type VcmIommu, vcm_iommu_create } from './iommu-driver.js';
import { type VcmO2o, vcm_o2o_create } from './onetoone-driver.js';
import { RAM_START, VcmPlatform } from './platform.js';
import type { VcmParams, VcmStep } from './scenarios.js';
import type { G, VcmCore, VcmPhys, VcmRes } from './structs.js';

type ObjectTable = ReturnType<typeof currentExecution>['objects'];

/** The state of one execution. */
export interface VcmState {
  readonly params: VcmParams;
  /** The execution's object table (which vcm_res / vcm_phys blocks are freed). */
  readonly objects: ObjectTable;
  readonly core: VcmCore;
  readonly hw: VcmPlatform;
  /** The context's container, once created. */
  ctx: VcmIommu | VcmO2o | null;
  /** Every reservation / physical memory a driver thread got back (for the invariants). */
  readonly res: VcmRes[];
  readonly phys: VcmPhys[];
  /** The first vcm_* call that returned neither a valid pointer nor an error pointer. */
  badReturn: string | null;
  readonly ready: AtomicT;
  /** Threads that reached their `barrier` step, and how many programs have one. */
  readonly barrier: AtomicT;
  readonly barrierThreads: number;
}

export function vcmSetup(core: VcmCore, p: VcmParams): VcmState {
  const hw = new VcmPlatform(p.iovaPages, p.ramPages, p.faults);
  const s: VcmState = { params: p, objects: currentExecution().objects, core, hw, ctx: null, res: [], phys: [], badReturn: null,
    ready: new AtomicT(0, 'ready'), barrier: new AtomicT(0, 'barrier'),
    barrierThreads: p.threads.filter((t) => t.includes('barrier')).length,
  };
  hw.physFreeCheck = checkNotBoundOf;
  hw.physFreeOwner = s;
  return s;
}

const checkNotBoundOf = (s: unknown, phys: VcmPhys, label: string): void => checkNotBound(s as VcmState, phys, label);

/**
 * Run one vcm_* call: record a returned pointer that is neither valid nor an ERR_PTR, and (for a
 * driver thread, `own`) check its memory's bindings count now that the call is done.
 */
function* call<R>(s: VcmState, name: string, g: G<R>, own: Owned | null): G<R> {
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

function* driverThread(s: VcmState, i: number, steps: readonly VcmStep[]): G<void> {
  const { core } = s;
  const vcm = (s.ctx as VcmIommu | VcmO2o).vcm;
  const L = `drv${i}`;
  const dev = s.params.driver === 'iommu' ? s.hw.dev : s.hw.directDev;
  let res: CPtr<VcmRes> = null;
  let phys: CPtr<VcmPhys> = null;
  let signalled = !steps.includes('signal');
  let arrived = !steps.includes('barrier');
  const undo: (() => G<unknown>)[] = [];
  const own: Owned = { res: [], phys: [] };
  for (const step of steps) {
    let ok = true;
    switch (step) {
      case 'make_binding': {
        const r = yield* call(s, 'vcm_make_binding', core.vcm_make_binding(vcm, PAGE_SIZE, 0, 0), own);
        if (IS_ERR(r)) { ok = false; break; }
        res = r;
        undo.push(() => call(s, 'vcm_destroy_binding', core.vcm_destroy_binding(r), own));
        break;
      }
      case 'alloc': {
        const p = yield* call(s, 'vcm_alloc', core.vcm_alloc(vcm, PAGE_SIZE, 0), own);
        if (IS_ERR(p)) { ok = false; break; }
        phys = p;
        undo.push(() => call(s, 'vcm_free', core.vcm_free(p), own));
        break;
      }
      case 'reserve': {
        const r = yield* call(s, 'vcm_reserve', core.vcm_reserve(vcm, PAGE_SIZE, 0), own);
        if (IS_ERR(r)) { ok = false; break; }
        res = r;
        undo.push(() => call(s, 'vcm_unreserve', core.vcm_unreserve(r), own));
        break;
      }
      case 'bind': {
        const r = res;
        if ((yield* call(s, 'vcm_bind', core.vcm_bind(r, phys), own)) !== 0) { ok = false; break; }
        undo.push(() => call(s, 'vcm_unbind', core.vcm_unbind(r), own));
        break;
      }
      case 'map': {
        const r = yield* call(s, 'vcm_map', core.vcm_map(vcm, phys, 0), own);
        if (IS_ERR(r)) { ok = false; break; }
        res = r;
        undo.push(() => call(s, 'vcm_unmap', core.vcm_unmap(r), own));
        break;
      }
      case 'activate': {
        if ((yield* call(s, 'vcm_activate', core.vcm_activate(vcm), own)) !== 0) { ok = false; break; }
        undo.push(() => call(s, 'vcm_deactivate', core.vcm_deactivate(vcm), own));
        break;
      }
      case 'dma': {
        const buf = deref(res, `${L}: buf->start`);
        const iova = yield* buf.start.get(`${L}: buf->start`);
        const owner = isValidPtr(phys) ? phys.tag : isValidPtr(buf.phys.v) ? buf.phys.v.tag : undefined;
        const job = {
          iova, len: PAGE_SIZE, write: true, value: i + 1, label: `${dev.name}: DMA write for ${L}`,
          ...(owner !== undefined ? { expectOwner: owner } : {}),
        };
        if (s.params.deviceThread === true) yield* dev.waitDone(yield* dev.submit(job, `${L}: ring doorbell`), `${L}: wait for DMA completion`);
        else yield* dev.dma(job);
        break;
      }
      case 'signal':
        yield* atomic_set(s.ready, 1, `${L}: complete(&ready)`);
        signalled = true;
        break;
      case 'wait':
        yield op.wait(s.ready.id, `${L}: wait_for_completion(&ready)`, () => s.ready.value === 1, READS_OWN);
        break;
      case 'barrier':
        yield* atomic_inc(s.barrier, `${L}: atomic_inc(&barrier)`);
        arrived = true;
        yield op.wait(s.barrier.id, `${L}: wait for every driver at the barrier`, () => s.barrier.value >= s.barrierThreads, READS_OWN);
        break;
    }
    if (!ok) break;
  }
  if (!signalled) yield* atomic_set(s.ready, 1, `${L}: complete(&ready)`);
  if (!arrived) yield* atomic_inc(s.barrier, `${L}: atomic_inc(&barrier)`);
  for (let k = undo.length - 1; k >= 0; k--) yield* (undo[k] as () => G<unknown>)();
}

function* platformThread(s: VcmState): G<void> {
  const p = s.params;
  const c = p.driver === 'iommu' ? yield* vcm_iommu_create(s.core, s.hw) : yield* vcm_o2o_create(s.core, s.hw, p.driver);
  if (IS_ERR(c)) return;
  s.ctx = c;
  const direct = p.driver !== 'iommu' && p.threads.some((t) => t.includes('dma'));
  if (direct) yield* s.hw.direct.map(RAM_START, RAM_START, p.ramPages * PAGE_SIZE, IOMMU_READ | IOMMU_WRITE, 'platform: direct-map RAM for the o2o device');
  const tids: number[] = [];
  const device = p.deviceThread === true ? (p.driver === 'iommu' ? s.hw.dev : s.hw.directDev) : null;
  if (device) {
    const spec = device.queueThread();
    yield* spawn(spec.body, spec.name, 'platform: start device');
  }
  for (let i = 0; i < p.threads.length; i++) {
    const steps = p.threads[i] as readonly VcmStep[];
    tids.push(yield* spawn(() => driverThread(s, i, steps), `drv${i}`, 'platform: start driver'));
  }
  for (const t of tids) yield* join(t, 'platform: wait for driver');
  if (device) yield* device.stop('platform: stop device');
  yield* call(s, 'vcm_destroy', s.core.vcm_destroy(c.vcm), null);
  if (direct) yield* s.hw.direct.unmap(RAM_START, p.ramPages * PAGE_SIZE, 'platform: remove direct map');
}

export function vcmThreads(s: VcmState): readonly ThreadSpec[] {
  return [{ name: 'platform', body: () => platformThread(s) }];
}
