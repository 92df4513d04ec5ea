/**
 * The machine every ioremap-reuse variant runs on, and the threads of a scenario: physical memory
 * with the MMIO windows, the kernel page table (init_mm), the v3.15 vmalloc space of src/hw with
 * `vmap_area_lock` as a spinlock and vmap_areas freed with kfree_rcu (as __free_vmap_area does, so
 * lockless list walkers stay safe), ARM's boot-time areas (static mappings and the PCI I/O
 * reservation, imported onto vmap_area_list by vmalloc_init), an RCU callback thread, and ghost
 * state: references taken from zero and owners that decided to free an area (append-only lists the
 * per-step invariants read), and the promise each live ioremap made to its caller (checked by the
 * driver itself, `keepsPromise`, at a PTE walk when ioremap returns and before iounmap).
 *
 * A driver thread runs its sessions: `va = ioremap(paddr, size, type)` (ARM's
 * __arm_ioremap_caller, arm.ts, with the variant's reuse lookup), `readl` through va (the access
 * checks the PA and memory type the caller asked for), `iounmap(va)`; then, if asked, an iounmap
 * of an address ioremap never returned, as a deliberate misuse (`misuse`: the WARN it earns is
 * expected). Boot-time mappings (`premapped`) are built by setup without ops, exactly as a
 * finished ioremap leaves them. Optional helpers: a vmalloc / vfree user and a
 * get_vm_area(VM_IOREMAP) / free_vm_area user (Xen's alloc_vm_area shape: phys_addr stays 0).
 * The scenario is checked (schema.ts, then `ioremapRelations`) before anything is built.
 * Leaves out: the lazy vmap purge (hw frees areas at once), vmalloc's page allocation (the
 * optional vmalloc thread maps one RAM frame it allocates itself), what alloc_vm_area's users map
 * into their area later (its PTEs stay empty).
 */
import {
  AtomicT, type KPtr, type MemType, PROT_RW, atomic_inc, choose, op, type Op, type SpinlockT, type ThreadSpec, PAGE_SIZE, PageTable, PhysMem,
  VM_ALLOC, VM_IOREMAP, VM_VM_AREA, VmallocSpace, type VmStruct, VmapArea, BUG_ON, READS_OWN, currentExecution, hex, join, kernelConfig, kfree, kfree_rcu,
  kwarn, misuse, UsageError, pageAlign, pageAlignDown, pageOffset, rcuCallbackThread, spin_lock, spin_lock_init, spin_unlock,
} from '../../src/index.js';
import { type Mapped, type StaticVm, VM_ARM_EMPTY_MAPPING, VM_ARM_MTYPE, VM_ARM_STATIC_MAPPING, __arm_ioremap_caller, __iounmap } from './arm.js';
import { type IoSession, type IoremapParams, WINDOW_PAGES, devicesOf, ioremapRelations } from './scenarios.js';

export type G<R> = Generator<Op, R, unknown>;

/** VMALLOC_START / VMALLOC_END of the model. */
export const VMALLOC_START = 0x100000;
export const VMALLOC_END = VMALLOC_START + WINDOW_PAGES * PAGE_SIZE;
export const RAM_BASE = 0x80000000;

/** What ioremap promised one caller: until its iounmap, va reaches pa with memory type `type`. */
export interface Promise {
  readonly who: string;
  readonly va: number;
  readonly pa: number;
  readonly type: MemType;
  /** The function that found the area the VA lies in (find_vm_area_paddr, get_vm_area_caller, ...). */
  readonly via: string;
}

export interface Ghost {
  /** vm_area_used_inc calls that took `used` from 0 to 1. */
  readonly resurrected: string[];
  /** Per vm_struct block id: owners (and the function) whose decrement left 0 (each will remove and free the area). */
  readonly deciders: Map<number, string[]>;
  /** Live promises by caller key (thread/session). */
  readonly promises: Map<string, Promise>;
  /** What the kernel answered to deliberate misuse (WARN texts), for reports. */
  readonly misuseAnswers: string[];
  /**
   * vm ids of ioremap areas whose phys_addr __arm_ioremap_pfn_caller has stored (added in the step
   * of that store, arm.ts), so a finder can tell, in the step of its own load, that it matched a
   * half-built area on the 0 that get_vm_area_caller left there (`physPending`).
   */
  readonly physStored: Set<number>;
}

/** The hooks one variant supplies: its vm_struct, boot-time sharing, reuse lookup and __vunmap. */
export interface IoVariant<V extends VmStruct> {
  newVm(id: number): V;
  /** Setup: may boot mapping `vm` (of memory type `vmType`) serve a request for this span / type? */
  bootReuse(vm: V, pa: number, span: number, type: MemType, vmType: MemType): boolean;
  /** Setup: one more owner of `vm`. */
  bootShare(vm: V): void;
  /** Setup: a boot mapping was created with this type (variants that record it do). */
  bootCreated(vm: V, type: MemType): void;
  /** Setup: an ARM static mapping or reservation was created (never through setup_vmalloc_vm). */
  staticCreated(vm: V): void;
  /** Free vmap_areas with kfree_rcu and run an RCU callback thread (needed with lockless walkers). */
  readonly rcuFreeVa: boolean;
  /** The reuse lookup in __arm_ioremap_pfn_caller (patch 2/2's place); absent: always a fresh area. */
  reuse?(w: IoWorld<V>, paddr: number, size: number, offset: number, type: MemType, who: string): G<Mapped | null>;
  /** After ioremap_page_range succeeded for a fresh area. */
  mapped?(w: IoWorld<V>, vm: V, type: MemType): G<void>;
  /** vunmap(addr) / vfree(addr) without pages: the variant's __vunmap(addr, 0). */
  vunmap(w: IoWorld<V>, addr: number, who: string): G<void>;
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
  /** static_vmlist: ARM static mappings and reservations, in address order (never changes after boot). */
  readonly statics: readonly StaticVm<V>[];
  readonly variant: IoVariant<V>;
}

function sessionKey(thread: string, i: number): string {
  return `${thread}#${i}`;
}

/** Build the machine for one execution; boot areas and boot mappings are created here, without ops. */
export function buildWorld<V extends VmStruct>(params: IoremapParams, variant: IoVariant<V>): IoWorld<V> {
  ioremapRelations(params); // relations between fields the schema (schema.ts) cannot state, refused before anything is built
  kernelConfig({ failAllocs: params.failAllocs === true });
  const phys = new PhysMem();
  for (const d of devicesOf(params)) phys.addDevice(d.name, d.base, d.size);
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
  const statics = bootStatics(params, variant, vmalloc, kpt);
  const w: IoWorld<V> = {
    params, phys, kpt, vmapLock, vmalloc, variant, statics, boot: new Map(), bootTypes: new Map(), probed: new AtomicT(0, 'drivers_probed'),
    ghost: { resurrected: [], deciders: new Map(), promises: new Map(), misuseAnswers: [], physStored: new Set() },
  };
  params.threads.forEach((t) => t.sessions.forEach((s, i) => {
    if (s.premapped) bootMap(w, sessionKey(t.name, i), s);
  }));
  return w;
}

/** Link a boot-time area into vmap_area_list at its address (vmalloc_init's import, no ops). */
function linkAtBoot(vmalloc: VmallocSpace, va: VmapArea): void {
  let i = 0;
  while (i < vmalloc.list.length && (vmalloc.list[i] as VmapArea).vaStart < va.vaStart) i++;
  vmalloc.list.splice(i, 0, va as KPtr<VmapArea>);
  va.onList = true;
}

/**
 * iotable_init / vm_reserve_area_early, then vmalloc_init: each static_vm is a memblock
 * allocation (a static object here, never freed), its vm_struct imported onto vmap_area_list with
 * VM_VM_AREA. Placed from the top of the window down; no guard page; `used` was never set.
 */
function bootStatics<V extends VmStruct>(p: IoremapParams, variant: IoVariant<V>, vmalloc: VmallocSpace, kpt: PageTable): StaticVm<V>[] {
  const exec = currentExecution();
  const out: StaticVm<V>[] = [];
  let top = VMALLOC_END;
  const add = (pages: number, phys: number, flags: number, caller: string, type: MemType | null): void => {
    const size = pages * PAGE_SIZE;
    top -= size;
    const block = exec.objects.add('static', `static_vm (${caller})`, -1);
    const vm = Object.assign(variant.newVm(block), { kblock: block });
    vm.addr.value = top;
    vm.size.value = size;
    vm.flags.value = flags;
    vm.physAddr.value = phys;
    vm.caller = caller;
    variant.staticCreated(vm);
    const va = new VmapArea(exec.objects.add('static', 'vmap_area (vmalloc_init)', -1));
    va.vaStart = top;
    va.vaEnd = top + size;
    va.vm.value = vm;
    va.flags.value = VM_VM_AREA;
    linkAtBoot(vmalloc, va);
    if (type !== null) kpt.mapAtSetup(top, phys, size, type); // create_mapping
    out.push({ vm, addr: top, size, phys, flags });
  };
  const pci = p.pciIoPages ?? 0;
  if (pci > 0) add(pci, 0, VM_IOREMAP | VM_ARM_EMPTY_MAPPING, 'pci_reserve_io', null);
  for (const m of p.staticMaps ?? []) add(m.pages, m.pa, VM_IOREMAP | VM_ARM_STATIC_MAPPING | VM_ARM_MTYPE(m.type), 'iotable_init', m.type);
  return out.sort((a, b) => a.addr - b.addr);
}

/** A finished ioremap at boot: reuse a boot area when the variant would, else build a new one. */
function bootMap<V extends VmStruct>(w: IoWorld<V>, key: string, s: IoSession): void {
  const pa = pageAlignDown(s.paddr);
  const span = pageAlign(pageOffset(s.paddr) + s.size);
  for (const va of w.vmalloc.list) {
    const vm = va.vm.value as V | null;
    if (!vm || !w.bootTypes.has(vm.id) || vm.physAddr.value > pa) continue;
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
  for (const v of w.vmalloc.list) if (!isBootArea(w, v.vaStart)) start = Math.max(start, v.vaEnd);
  const limit = Math.min(VMALLOC_END, ...w.statics.map((x) => x.addr));
  if (start + span + PAGE_SIZE > limit) throw new UsageError(`scenario: the premapped sessions need more than the ${WINDOW_PAGES}-page vmalloc window (at ${key})`);
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
  linkAtBoot(w.vmalloc, va);
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
  w.ghost.promises.set(key, { who: key, va, pa: s.paddr, type: s.type, via: 'boot ioremap' });
}

/** Name of the promise check (it was a per-step invariant; reports keep its name). */
export const PROMISE = 'returned VA keeps its PA and memory type';

/**
 * The promise check where the caller relies on it (`when`: when ioremap returns, before iounmap):
 * one page-walk read of the PTE of `p.va`, so DPOR orders it against every write of that PTE.
 * Each broken part (not mapped, another PA, another memory type) is its own `invariant` report
 * naming the function that produced the VA; the driver carries on, as a driver would.
 */
function* keepsPromise<V extends VmStruct>(w: IoWorld<V>, p: Promise, when: string, label: string): G<void> {
  yield* w.kpt.walk(p.va, label);
  const t = w.kpt.translate(p.va);
  const va = `VA ${hex(p.va)} from ${p.via}`;
  const broken: [string, string][] = [];
  if (t === null) broken.push(['is not mapped', `${va} is not mapped ${when} (asked for PA ${hex(p.pa)})`]);
  else {
    if (t.pa !== p.pa) broken.push(['reaches another PA', `${va} reaches PA ${hex(t.pa)} ${when}, but ioremap was asked for ${hex(p.pa)}`]);
    if (t.type !== p.type) broken.push(['has another memory type', `${va} is mapped ${t.type} ${when}, but ioremap was asked for ${p.type}`]);
  }
  for (const [symptom, why] of broken) {
    kwarn('invariant', `${PROMISE}: ${p.who}: ${why}`, label, { title: `WARNING: invariant '${PROMISE}' violated: VA from ${p.via} ${symptom} ${when}` });
  }
}

/** An address no ioremap ever returns: the first byte past the vmalloc window. */
export const NEVER_MAPPED = VMALLOC_END;

/** The driver thread of one scenario entry. */
function driver<V extends VmStruct>(w: IoWorld<V>, t: IoremapParams['threads'][number]): ThreadSpec {
  const name = t.name;
  const sessions = t.sessions;
  const others = w.params.threads.map((_, i) => i).filter((i) => w.params.threads[i]?.name !== name);
  return { name, body: () => driverBody(w, t, others) };
}

/*
 * Thread bodies are module-level generators reached through arrows: a `function*` expression made
 * per execution gets its own hidden class, which keeps that execution's whole world alive through
 * every scavenge until the next full GC.
 */
function* driverBody<V extends VmStruct>(w: IoWorld<V>, t: IoremapParams['threads'][number], others: readonly number[]): G<void> {
  const name = t.name;
  const sessions = t.sessions;
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i] as IoSession;
    const key = sessionKey(name, i);
    let va: number | null;
    if (s.premapped) va = w.boot.get(key) ?? null;
    else {
      const m = yield* __arm_ioremap_caller(w, s.paddr, s.size, s.type, key);
      va = m?.va ?? null;
      if (m) {
        const p: Promise = { who: key, va: m.va, pa: s.paddr, type: s.type, via: m.via };
        yield* keepsPromise(w, p, 'when ioremap returned', `${name}: ioremap returned`);
        w.ghost.promises.set(key, p);
      }
    }
    if (i === 0) yield* atomic_inc(w.probed, `${name}: probe done`);
    if (va === null) continue; // ioremap may fail (or was asked for 0 bytes): the driver gives up
    for (let k = 0; k < s.accesses; k++) {
      yield* w.kpt.readl(va, { expectPa: s.paddr, expectType: s.type, label: `${name}: readl(base + 0)` });
    }
    if (t.holdUntilOthersDone && i === sessions.length - 1) {
      for (const o of others) yield* join(o, `${name}: stays loaded until T${o} is done`);
    }
    if (w.params.barrier && i === 0) {
      const n = w.params.threads.length;
      yield op.wait(w.probed.id, `${name}: wait until every driver has probed`, () => w.probed.value === n, READS_OWN);
    }
    const p = w.ghost.promises.get(key);
    if (p) yield* keepsPromise(w, p, 'before iounmap', `${name}: before iounmap`);
    w.ghost.promises.delete(key);
    yield* __iounmap(w, va, key);
  }
  if (t.badIounmap === true) {
    const r = yield* misuse(`${name}: iounmap(${hex(NEVER_MAPPED)})`, __iounmap(w, NEVER_MAPPED, `${name} (bad iounmap)`));
    w.ghost.misuseAnswers.push(...r.warnings);
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
  yield* w.variant.vunmap(w, addr, 'vmalloc-user');
  yield* w.phys.putPage(page, '__vunmap: __free_page');
}

/**
 * alloc_vm_area(PAGE_SIZE) then free_vm_area (mm/vmalloc.c, v3.14): get_vm_area_caller with
 * VM_IOREMAP (phys_addr stays 0), apply_to_page_range to build page tables (may fail:
 * free_vm_area), and later free_vm_area: remove_vm_area, BUG_ON(ret != area), kfree. Neither
 * path goes through __vunmap, so the `used` count is never consulted.
 */
function allocVmAreaUser<V extends VmStruct>(w: IoWorld<V>): ThreadSpec {
  return { name: 'alloc_vm_area-user', body: () => allocVmAreaBody(w) };
}

function* allocVmAreaBody<V extends VmStruct>(w: IoWorld<V>): G<void> {
  const area = yield* w.vmalloc.getVmArea(PAGE_SIZE, VM_IOREMAP, 'alloc_vm_area');
  if (!area) return;
  const failed = w.params.failAllocs === true && (yield* choose(2, 'alloc_vm_area: apply_to_page_range fails?')) === 1;
  if (!failed) yield op.yield('alloc_vm_area user: maps grant pages, uses them');
  const addr = yield* area.addr.get('free_vm_area: area->addr');
  const ret = yield* w.vmalloc.removeVmArea(addr);
  BUG_ON(ret !== area, 'free_vm_area: BUG_ON(ret != area)');
  yield* kfree(area, 'free_vm_area: kfree(area)');
}

/** The model's threads: drivers, the optional helpers, and the RCU callback runner. */
export function worldThreads<V extends VmStruct>(w: IoWorld<V>): ThreadSpec[] {
  const out = w.params.threads.map((t) => driver(w, t));
  if (w.params.vmallocThread) out.push(vmallocUser(w));
  if (w.params.allocVmAreaThread === true) out.push(allocVmAreaUser(w));
  if (w.variant.rcuFreeVa) out.push(rcuCallbackThread('rcu_callbacks'));
  return out;
}

/** Record an owner that saw the count reach 0 (in `fn`) and will free the area. */
export function noteDecider<V extends VmStruct>(w: IoWorld<V>, vm: VmStruct, who: string, fn: string): void {
  const l = w.ghost.deciders.get(vm.id) ?? [];
  l.push(`${who} (${fn})`);
  w.ghost.deciders.set(vm.id, l);
}

/** Boot-time areas (static mappings, the PCI reservation): on the list for good. */
export function isBootArea<V extends VmStruct>(w: IoWorld<V>, vaStart: number): boolean {
  return w.statics.some((s) => s.addr === vaStart);
}

export { hex };
