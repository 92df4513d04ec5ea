/**
 * The machine every ioremap-reuse variant runs on, and the driver threads of a scenario: physical
 * memory with the seed's MMIO windows, the kernel page table (init_mm), the v3.15 vmalloc space of
 * src/hw with `vmap_area_lock` as a spinlock and vmap_areas freed with kfree_rcu (as
 * __free_vmap_area does, so lockless list walkers stay safe), an RCU callback thread, and ghost
 * state: references taken from zero and owners that decided to free an area (append-only lists the
 * per-step invariants read), and the promise each live ioremap made to its caller (checked by the
 * driver itself, `keepsPromise`, at a PTE walk when ioremap returns and before iounmap).
 *
 * A driver thread runs its sessions: `va = ioremap(paddr, size, type)`, `readl` through va (the
 * access checks the PA and memory type the caller asked for), `iounmap(va)`. Boot-time mappings
 * (`premapped`) are built by setup without ops, exactly as a finished ioremap leaves them.
 * Leaves out: the lazy vmap purge (hw frees areas at once), vmalloc's page allocation (the
 * optional vmalloc thread maps one RAM frame it allocates itself).
 */
import {
  AtomicT, type KPtr, type MemType, PROT_RW, atomic_inc, op, type Op, type SpinlockT, type ThreadSpec, PAGE_SIZE, PageTable, PhysMem, VM_ALLOC, VM_IOREMAP, VM_VM_AREA,
  VmallocSpace, type VmStruct, VmapArea, currentExecution, hex, hwFail, join, kfree_rcu, pageAlign, pageAlignDown, pageOffset,
  rcuCallbackThread, spin_lock, spin_lock_init, spin_unlock,
} from '../../src/index.js';
import { DEVICES, type IoSession, type IoremapParams } from './scenarios.js';

export type G<R> = Generator<Op, R, unknown>;

/** VMALLOC_START / VMALLOC_END of the model: eight pages. */
export const VMALLOC_START = 0x100000;
export const VMALLOC_END = VMALLOC_START + 8 * PAGE_SIZE;
export const RAM_BASE = 0x80000000;

/** What ioremap promised one caller: until its iounmap, va reaches pa with memory type `type`. */
export interface Promise {
  readonly who: string;
  readonly va: number;
  readonly pa: number;
  readonly type: MemType;
}

export interface Ghost {
  /** vm_area_used_inc calls that took `used` from 0 to 1. */
  readonly resurrected: string[];
  /** Per vm_struct block id: owners whose decrement left 0 (each will remove and free the area). */
  readonly deciders: Map<number, string[]>;
  /** Live promises by caller key (thread/session). */
  readonly promises: Map<string, Promise>;
}

/** The hooks one variant supplies: its vm_struct, boot-time sharing, ioremap and iounmap. */
export interface IoVariant<V extends VmStruct> {
  newVm(id: number): V;
  /** Setup: may boot mapping `vm` (of memory type `type`) serve a request for this span / type? */
  bootReuse(vm: V, pa: number, span: number, type: MemType, vmType: MemType): boolean;
  /** Setup: one more owner of `vm`. */
  bootShare(vm: V): void;
  /** Setup: a boot mapping was created with this type (variants that record it do). */
  bootCreated(vm: V, type: MemType): void;
  /** Free vmap_areas with kfree_rcu and run an RCU callback thread (needed with lockless walkers). */
  readonly rcuFreeVa: boolean;
  ioremap(w: IoWorld<V>, paddr: number, size: number, type: MemType, who: string): G<number | null>;
  iounmap(w: IoWorld<V>, va: number, who: string): G<void>;
  /** vfree(addr) of a VM_ALLOC area (the variant's __vunmap). */
  vfree(w: IoWorld<V>, addr: number, who: string): G<void>;
}

export interface IoWorld<V extends VmStruct> {
  readonly params: IoremapParams;
  readonly phys: PhysMem;
  readonly kpt: PageTable;
  readonly vmapLock: SpinlockT;
  readonly vmalloc: VmallocSpace;
  readonly ghost: Ghost;
  /** Drivers whose first ioremap has returned (the `barrier` of a scenario waits on it). */
  readonly probed: AtomicT;
  /** Boot mapping VA of each premapped session, by caller key. */
  readonly boot: Map<string, number>;
  /** Memory type each boot area was created with (by vm block id). */
  readonly bootTypes: Map<number, MemType>;
  readonly variant: IoVariant<V>;
}

function sessionKey(thread: string, i: number): string {
  return `${thread}#${i}`;
}

/** Build the machine for one execution; boot mappings are created here, without ops. */
export function buildWorld<V extends VmStruct>(params: IoremapParams, variant: IoVariant<V>): IoWorld<V> {
  const phys = new PhysMem();
  for (const d of DEVICES) phys.addDevice(d.name, d.base, d.size);
  phys.addRam(RAM_BASE, 2);
  const kpt = new PageTable('init_mm', phys);
  const vmapLock = spin_lock_init('vmap_area_lock');
  const vmalloc = new VmallocSpace(kpt, {
    start: VMALLOC_START, end: VMALLOC_END,
    lock: {
      lock: (label?: string) => spin_lock(vmapLock, label),
      unlock: (label?: string) => spin_unlock(vmapLock, label),
    },
    newVm: (id) => variant.newVm(id),
    ...(variant.rcuFreeVa ? { freeVa: (va: KPtr<VmapArea>) => kfree_rcu(va, '__free_vmap_area: kfree_rcu(va, rcu_head)') } : {}),
  });
  const w: IoWorld<V> = {
    params, phys, kpt, vmapLock, vmalloc, variant, boot: new Map(), bootTypes: new Map(), probed: new AtomicT(0, 'drivers_probed'),
    ghost: { resurrected: [], deciders: new Map(), promises: new Map() },
  };
  params.threads.forEach((t) => t.sessions.forEach((s, i) => {
    if (s.premapped) bootMap(w, sessionKey(t.name, i), s);
  }));
  return w;
}

/** A finished ioremap at boot: reuse a boot area when the variant would, else build a new one. */
function bootMap<V extends VmStruct>(w: IoWorld<V>, key: string, s: IoSession): void {
  const pa = pageAlignDown(s.paddr);
  const span = pageAlign(pageOffset(s.paddr) + s.size);
  for (const va of w.vmalloc.list) {
    const vm = va.vm.value as V | null;
    if (!vm || vm.physAddr.value > pa) continue;
    const vmType = w.bootTypes.get(vm.id) ?? 'device';
    if (pa - vm.physAddr.value + span <= vm.size.value - PAGE_SIZE && w.variant.bootReuse(vm, pa, span, s.type, vmType)) {
      w.variant.bootShare(vm);
      addBootPromise(w, key, vm.addr.value + (pa - vm.physAddr.value) + pageOffset(s.paddr), s);
      return;
    }
  }
  const exec = currentExecution();
  const site = { thread: -1, step: -1, label: 'boot: ioremap' };
  const vmId = exec.objects.addHeap('kmalloc', 'vm_struct', site);
  const vm = Object.assign(w.variant.newVm(vmId), { kblock: vmId });
  const vaId = exec.objects.addHeap('kmalloc', 'vmap_area', site);
  let start = VMALLOC_START;
  for (const v of w.vmalloc.list) start = Math.max(start, v.vaEnd);
  const va = Object.assign(new VmapArea(vaId), { kblock: vaId });
  va.vaStart = start;
  va.vaEnd = start + span + PAGE_SIZE;
  vm.addr.value = va.vaStart;
  vm.size.value = va.vaEnd - va.vaStart;
  vm.flags.value = VM_IOREMAP;
  vm.physAddr.value = pa;
  vm.caller = 'boot ioremap';
  va.vm.value = vm;
  va.flags.value = VM_VM_AREA;
  va.onList = true;
  w.vmalloc.list.push(va);
  for (let off = 0; off < span; off += PAGE_SIZE) {
    const p = w.kpt.pte(va.vaStart + off);
    p.present = true;
    p.pa = pa + off;
    p.type = s.type;
    p.prot = PROT_RW;
  }
  w.bootTypes.set(vmId, s.type);
  w.variant.bootCreated(vm, s.type);
  addBootPromise(w, key, va.vaStart + pageOffset(s.paddr), s);
}

function addBootPromise<V extends VmStruct>(w: IoWorld<V>, key: string, va: number, s: IoSession): void {
  w.boot.set(key, va);
  w.ghost.promises.set(key, { who: key, va, pa: s.paddr, type: s.type });
}

/**
 * The promise check where the caller relies on it (when ioremap returns, and just before its
 * iounmap): one page-walk read of the PTE of `p.va`, so DPOR orders it against every write of that
 * PTE; a broken promise is an `invariant` violation with the message the per-step check had.
 */
function* keepsPromise<V extends VmStruct>(w: IoWorld<V>, p: Promise, label: string): G<void> {
  yield* w.kpt.walk(p.va, label);
  const t = w.kpt.translate(p.va);
  let why: string | null = null;
  if (t === null) why = `${p.who}: VA ${hex(p.va)} (for PA ${hex(p.pa)}) is not mapped, though its caller has not called iounmap`;
  else if (t.pa !== p.pa) why = `${p.who}: VA ${hex(p.va)} reaches PA ${hex(t.pa)}, but ioremap was asked for ${hex(p.pa)}`;
  else if (t.type !== p.type) why = `${p.who}: VA ${hex(p.va)} is mapped ${t.type}, but ioremap was asked for ${p.type}`;
  if (why !== null) {
    hwFail('invariant', `${PROMISE}: ${why}`, label, { title: `WARNING: invariant '${PROMISE}' violated` });
  }
}

/** Name of the promise check (it was a per-step invariant; reports keep its name). */
export const PROMISE = 'returned VA keeps its PA and memory type';

/** The driver thread of one scenario entry. */
function driver<V extends VmStruct>(w: IoWorld<V>, name: string, sessions: readonly IoSession[], hold: boolean): ThreadSpec {
  const others = w.params.threads.map((_, i) => i).filter((i) => w.params.threads[i]?.name !== name);
  return { name, body: () => driverBody(w, name, sessions, hold, others) };
}

/*
 * Thread bodies are module-level generators reached through arrows: a `function*` expression made
 * per execution gets its own hidden class, which keeps that execution's whole world alive through
 * every scavenge until the next full GC.
 */
function* driverBody<V extends VmStruct>(w: IoWorld<V>, name: string, sessions: readonly IoSession[], hold: boolean, others: readonly number[]): G<void> {
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i] as IoSession;
    const key = sessionKey(name, i);
    const va = s.premapped ? (w.boot.get(key) ?? null) : yield* w.variant.ioremap(w, s.paddr, s.size, s.type, key);
    if (i === 0) yield* atomic_inc(w.probed, `${name}: probe done`);
    if (va === null) continue; // ioremap may fail (vmalloc space full): the driver gives up
    if (!s.premapped) {
      const p: Promise = { who: key, va, pa: s.paddr, type: s.type };
      yield* keepsPromise(w, p, `${name}: ioremap returned`);
      w.ghost.promises.set(key, p);
    }
    for (let k = 0; k < s.accesses; k++) {
      yield* w.kpt.readl(va, { expectPa: s.paddr, expectType: s.type, label: `${name}: readl(base + 0)` });
    }
    if (hold && i === sessions.length - 1) {
      for (const t of others) yield* join(t, `${name}: stays loaded until T${t} is done`);
    }
    if (w.params.barrier && i === 0) {
      const n = w.params.threads.length;
      yield op.wait(w.probed.id, `${name}: wait until every driver has probed`, () => w.probed.value === n);
    }
    const p = w.ghost.promises.get(key);
    if (p) yield* keepsPromise(w, p, `${name}: before iounmap`);
    w.ghost.promises.delete(key);
    yield* w.variant.iounmap(w, va, key);
  }
}

/** vmalloc one page, write it, vfree it: an unrelated user of vmap_area_list. */
function vmallocUser<V extends VmStruct>(w: IoWorld<V>): ThreadSpec {
  return { name: 'vmalloc-user', body: () => vmallocUserBody(w) };
}

function* vmallocUserBody<V extends VmStruct>(w: IoWorld<V>): G<void> {
  const vm = yield* w.vmalloc.getVmArea(PAGE_SIZE, VM_ALLOC, 'vmalloc');
  if (!vm) return;
  const page = yield* w.phys.allocPage('vmalloc-buf');
  if (!page) return;
  const addr = yield* vm.addr.get('__vmalloc_area_node: area->addr');
  yield* w.kpt.map(addr, page.pa, PAGE_SIZE, 'cached', { label: 'map_vm_area: set_pte_at' });
  yield* w.kpt.writel(1, addr, { expectPa: page.pa, label: 'vmalloc-user: writel' });
  yield* w.variant.vfree(w, addr, 'vmalloc-user');
  yield* w.phys.putPage(page, '__vunmap: __free_page');
}

/** The model's threads: drivers, the optional vmalloc user, and the RCU callback runner. */
export function worldThreads<V extends VmStruct>(w: IoWorld<V>): ThreadSpec[] {
  const out = w.params.threads.map((t) => driver(w, t.name, t.sessions, t.holdUntilOthersDone));
  if (w.params.vmallocThread) out.push(vmallocUser(w));
  if (w.variant.rcuFreeVa) out.push(rcuCallbackThread('rcu_callbacks'));
  return out;
}

/** Record an owner that saw `used` reach 0 and will free the area. */
export function noteDecider<V extends VmStruct>(w: IoWorld<V>, vm: VmStruct, who: string): void {
  const l = w.ghost.deciders.get(vm.id) ?? [];
  l.push(who);
  w.ghost.deciders.set(vm.id, l);
}

export { hex };
