/**
 * The state and the platform thread of a VCM scenario: the platform creates the contexts
 * (vcm_iommu_create / vcm_o2o_create -> vcm_init; a second context of the other kind when the
 * scenario has one, as in the documentation's o2o + IOMMU example), starts the device thread when
 * asked, spawns one driver thread per program (driver.ts), joins them and calls vcm_destroy on each
 * context (inside `misuse()` when a driver leaked an activation). The harness hand-offs between drivers (a completion, a barrier, the mailboxes through
 * which memory and reservations are shared, a count of finished drivers) are marked objects: a
 * release store or an atomic before, an acquire or a wait after.
 * Leaves out: two IOMMU contexts (one IOMMU domain per platform).
 */
import {
  AtomicT, type DmaDevice, Field, IOMMU_READ, IOMMU_WRITE, IS_ERR, PAGE_SIZE, currentExecution, join, spawn, type ThreadSpec,
} from '../../src/index.js';
import { call, driverThread, maybeMisuse } from './driver.js';
import { vcmRelations } from './scenarios.js';
import { type VcmIommu, vcm_iommu_create } from './iommu-driver.js';
import { type VcmO2o, vcm_o2o_create } from './onetoone-driver.js';
import { checkNotBound } from './invariants.js';
import { RAM_START, VcmPlatform } from './platform.js';
import type { VcmDriverKind, VcmParams, VcmStep } from './scenarios.js';
import type { G, VcmCore, VcmPhys, VcmRes } from './structs.js';

type ObjectTable = ReturnType<typeof currentExecution>['objects'];

/** One context: its driver kind, its container, the device behind it, and whether that device runs as a thread. */
export interface VcmCtx {
  readonly kind: VcmDriverKind;
  readonly c: VcmIommu | VcmO2o;
  readonly dev: DmaDevice;
  readonly device: boolean;
}

/** The state of one execution. */
export interface VcmState {
  readonly params: VcmParams;
  /** The execution's object table (which vcm_res / vcm_phys blocks are freed). */
  readonly objects: ObjectTable;
  readonly core: VcmCore;
  readonly hw: VcmPlatform;
  /** The contexts, once created (index 0: `driver`, 1: `second`). */
  readonly ctxs: VcmCtx[];
  /** Every reservation / physical memory a driver thread got back (for the invariants). */
  readonly res: VcmRes[];
  readonly phys: VcmPhys[];
  /** Memory handed to other drivers (its bindings span threads: checked at the end, not per thread). */
  readonly shared: Set<VcmPhys>;
  /** The first vcm_* call that returned neither a valid pointer nor an ERR_PTR. */
  badReturn: string | null;
  /** The WARNs the kernel raised for the drivers' deliberate misuse (driver.ts `maybeMisuse`), for reports and suites. */
  readonly misuseAnswers: string[];
  readonly ready: AtomicT;
  /** Threads that reached their `barrier` step, and how many programs have one. */
  readonly barrier: AtomicT;
  readonly barrierThreads: number;
  /** Driver threads that finished. */
  readonly finished: AtomicT;
  /** Shared memory / reservation ('none': the publisher had nothing to give). */
  readonly mailbox: Field<VcmPhys | 'none' | null>;
  readonly resMailbox: Field<VcmRes | 'none' | null>;
}

export function vcmSetup(core: VcmCore, p: VcmParams): VcmState {
  vcmRelations(p);
  const hw = new VcmPlatform(p.iovaPages, p.ramPages, p.faults);
  const s: VcmState = {
    params: p, objects: currentExecution().objects, core, hw, ctxs: [], res: [], phys: [], shared: new Set(), badReturn: null, misuseAnswers: [],
    ready: new AtomicT(0, 'ready'), barrier: new AtomicT(0, 'barrier'), finished: new AtomicT(0, 'drivers finished'),
    barrierThreads: p.threads.filter((t) => t.includes('barrier')).length,
    mailbox: new Field<VcmPhys | 'none' | null>(null, 'shared memory mailbox'),
    resMailbox: new Field<VcmRes | 'none' | null>(null, 'shared reservation mailbox'),
  };
  hw.physFreeCheck = checkNotBoundOf;
  hw.physFreeOwner = s;
  return s;
}

const checkNotBoundOf = (s: unknown, phys: VcmPhys, label: string): void => checkNotBound(s as VcmState, phys, label);

function* createCtx(s: VcmState, kind: VcmDriverKind): G<VcmIommu | VcmO2o | null> {
  const c = kind === 'iommu' ? yield* vcm_iommu_create(s.core, s.hw) : yield* vcm_o2o_create(s.core, s.hw, kind);
  return IS_ERR(c) ? null : c;
}

export function* platformThread(s: VcmState): G<void> {
  const p = s.params;
  const kinds = [p.driver, ...(p.second !== undefined ? [p.second] : [])];
  const ctxOf = (i: number): number => p.threadCtx?.[i] ?? 0;
  for (const kind of kinds) {
    const c = yield* createCtx(s, kind);
    if (c === null) break;
    const dev = kind === 'iommu' ? s.hw.dev : s.hw.directDev;
    s.ctxs.push({ kind, c, dev, device: p.deviceThread === true });
  }
  if (s.ctxs.length === kinds.length) {
    const direct = p.threads.some((t, i) => kinds[ctxOf(i)] !== 'iommu' && t.includes('dma'));
    if (direct) yield* s.hw.direct.map(RAM_START, RAM_START, p.ramPages * PAGE_SIZE, IOMMU_READ | IOMMU_WRITE, 'platform: direct-map RAM for the o2o device');
    const devices = p.deviceThread === true ? [...new Set(s.ctxs.map((c) => c.dev))] : [];
    for (const d of devices) {
      const spec = d.queueThread();
      yield* spawn(spec.body, spec.name, 'platform: start device');
    }
    const tids: number[] = [];
    for (let i = 0; i < p.threads.length; i++) {
      const steps = p.threads[i] as readonly VcmStep[];
      const ctx = s.ctxs[ctxOf(i)] as VcmCtx;
      tids.push(yield* spawn(() => driverThread(s, i, steps, ctx), `drv${i}`, 'platform: start driver'));
    }
    for (const t of tids) yield* join(t, 'platform: wait for driver');
    for (const d of devices) yield* d.stop('platform: stop device');
    if (direct) yield* s.hw.direct.unmap(RAM_START, p.ramPages * PAGE_SIZE, 'platform: remove direct map');
  }
  // A driver that leaked an activation earned vcm_destroy's WARN ("a warning will be issued when
  // VCM context is destroyed"): the kernel's answer to its misuse, not a finding.
  const leaked = p.threads.some((t) => t.includes('leak_activation'));
  for (const ctx of s.ctxs) {
    const destroy = call(s, 'vcm_destroy', s.core.vcm_destroy(ctx.c.vcm), null);
    yield* (leaked ? maybeMisuse(s, 'leak_activation', 'platform: vcm_destroy() after a leaked vcm_activate()', destroy) : destroy);
  }
}

export function vcmThreads(s: VcmState): readonly ThreadSpec[] {
  return [{ name: 'platform', body: () => platformThread(s) }];
}
