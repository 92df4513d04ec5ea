// Contract tests for the vmalloc space (src/hw/vmalloc.ts): get_vm_area / ioremap / iounmap with
// the two-devices-in-one-page layout of seed 000, disjoint areas in every interleaving, error paths
// under injected allocation failures, and the v3.15 publication order as a lockless reader sees it.
import { describe, expect, it } from 'vitest';
import {
  PageTable, PhysMem, VM_IOREMAP, VM_VM_AREA, VmallocSpace, assert, check, defineModel, kernelConfig, kfree, kfree_rcu,
  rcuCallbackThread, rcu_read_lock, rcu_read_unlock, spin_lock, spin_unlock, thread, type SpinlockT,
} from '../../src/index.js';
import { exploreKinds } from './explore-kinds.js';

const VSTART = 0x100000;
const VEND = VSTART + 8 * 4096;

function hw(opts: { failAllocs?: boolean; rcuFree?: boolean } = {}) {
  if (opts.failAllocs) kernelConfig({ failAllocs: true });
  const phys = new PhysMem();
  const dev1 = phys.addDevice('dev1', 0x20001000, 0x400);
  const dev2 = phys.addDevice('dev2', 0x20001400, 0x400);
  const kpt = new PageTable('init_mm', phys);
  const vm = new VmallocSpace(kpt, { start: VSTART, end: VEND, ...(opts.rcuFree ? { freeVa: (va) => kfree_rcu(va, '__free_vmap_area: kfree_rcu') } : {}) });
  return { phys, dev1, dev2, kpt, vm };
}

describe('vmalloc space', () => {
  it('two concurrent ioremaps of devices sharing one page: disjoint areas, right PA and type, all freed (DPOR, exhaustive)', () => {
    const m = defineModel({
      name: 'hw-test/ioremap-two',
      scenarios: { default: {} },
      setup: () => hw(),
      threads: (s) => [0, 1].map((i) => thread(`dev${i + 1}`, function* () {
        const pa = i === 0 ? 0x20001000 : 0x20001400;
        const a = yield* s.vm.ioremap(pa + 4, 0x3fc);
        assert(a !== null, 'ioremap failed');
        assert(((a as number) & 0xfff) === (pa & 0xfff) + 4, 'ioremap keeps the offset inside the page');
        const vm = s.vm.list.find((v) => v.vaStart <= (a as number) && (a as number) < v.vaEnd)?.vm.value;
        assert(vm !== undefined && vm !== null && vm.size.value === 2 * 4096, 'one page plus the guard page');
        yield* s.kpt.writel(0x55 + i, a as number, { expectPa: pa + 4, expectType: 'device' });
        assert(yield* s.vm.iounmap(a as number), 'iounmap failed');
      })),
      // The list changes only in the step of a write to the vmap_area_list object (list_add_rcu /
      // list_del_rcu), and an area's range is set before it is inserted: that object is all it observes.
      invariants: [{ name: 'vmap_area_list sorted and disjoint', check: (s) => s.vm.listWellFormed(), observes: ['vmap_area_list'] }],
      final: [
        { name: 'list empty', check: (s) => s.vm.list.length === 0 },
        { name: 'no live PTE', check: (s) => s.kpt.presentCount === 0 },
        { name: 'devices saw their writes', check: (s) => s.dev1.regs.get(4) === 0x55 && s.dev2.regs.get(4) === 0x56 },
      ],
    });
    const r = check(m, { strategy: 'dpor', maxExecutions: 20000 });
    expect(r.finding?.violation.message ?? null).toBeNull();
    expect(r.exhaustive).toBe(true);
    expect(r.executions).toBeGreaterThan(10);
  });

  it('with every kmalloc a failure point, ioremap returns NULL and leaks nothing on each path', () => {
    let nulls = 0;
    const m = defineModel({
      name: 'hw-test/ioremap-failures',
      scenarios: { default: {} },
      setup: () => ({ ...hw({ failAllocs: true }), got: null as number | null }),
      threads: (s) => [thread('driver', function* () {
        s.got = yield* s.vm.ioremap(0x20001000, 0x400);
        if (s.got === null) nulls++;
        else yield* s.vm.iounmap(s.got);
      })],
      final: [{ name: 'nothing left mapped or listed', check: (s) => s.vm.list.length === 0 && s.kpt.presentCount === 0 }],
    });
    // The test counts NULL returns in its own closure, once per execution: the audit's re-runs of
    // sampled executions would count twice, so it is off here (the model itself is deterministic).
    const r = check(m, { strategy: 'dpor', maxExecutions: 100, audit: false });
    expect(r.finding?.violation.message ?? null).toBeNull();
    expect(r.exhaustive).toBe(true);
    expect(r.executions).toBe(3); // vm_struct kzalloc fails | vmap_area kmalloc fails | both succeed
    expect(nulls).toBe(2);
  });

  it('find_vm_area / remove_vm_area: found while published, gone after; vunmap of a stale address is refused', () => {
    const m = defineModel({
      name: 'hw-test/find-remove',
      scenarios: { default: {} },
      setup: () => hw(),
      threads: (s) => [thread('main', function* () {
        const vm = yield* s.vm.getVmArea(3 * 4096, VM_IOREMAP, 'test_caller');
        assert(vm !== null, 'get_vm_area');
        const addr = (vm as NonNullable<typeof vm>).addr.value;
        assert((yield* s.vm.findVmArea(addr + 2 * 4096)) === vm, 'find_vm_area inside the area');
        assert((yield* s.vm.findVmArea(addr + 3 * 4096)) === vm, 'the guard page is part of the vmap_area');
        assert((yield* s.vm.removeVmArea(addr)) === vm, 'remove_vm_area returns the vm');
        assert((vm as NonNullable<typeof vm>).size.value === 3 * 4096, 'remove_vm_area drops the guard page from size');
        assert((yield* s.vm.findVmArea(addr)) === null, 'gone');
        assert(!(yield* s.vm.vunmap(addr)), 'vunmap of a removed area is refused (WARN, no double free)');
        yield* kfree(vm, 'kfree(area)');
      })],
    });
    const r = check(m, { strategy: 'dpor', maxExecutions: 10 });
    expect(r.finding?.violation.message ?? null).toBeNull();
    expect(r.executions).toBe(1);
  });

  it('a boot-time area (areaAtSetup + mapAtSetup) is found, used and torn down by thread code like any other', () => {
    const m = defineModel({
      name: 'hw-test/boot-area',
      scenarios: { default: {} },
      setup: () => {
        const w = hw();
        const vm = w.vm.areaAtSetup(0x1000, VM_IOREMAP, 'boot ioremap');
        vm.physAddr.value = 0x20001000;
        w.kpt.mapAtSetup(vm.addr.value, 0x20001000, 0x1000, 'device');
        return { ...w, bootVa: vm.addr.value };
      },
      threads: (s) => [thread('driver', function* () {
        const late = yield* s.vm.ioremap(0x20001400, 0x400);
        assert(late === s.bootVa + 2 * 4096 + 0x400, `the next area starts after the boot area and its guard page (got ${String(late)})`);
        yield* s.kpt.writel(7, s.bootVa + 0x404, { expectPa: 0x20001404, expectType: 'device' });
        assert(yield* s.vm.iounmap(s.bootVa), 'iounmap of the boot area');
        assert(yield* s.vm.iounmap(late as number), 'iounmap of the late area');
      })],
      final: [{ name: 'everything torn down', check: (s) => s.vm.list.length === 0 && s.kpt.presentCount === 0 && s.dev2.regs.get(4) === 7 }],
    });
    const r = check(m, { strategy: 'dpor', maxExecutions: 10 });
    expect(r.finding?.violation.message ?? null).toBeNull();
  });

  for (const locked of [false, true]) {
    it(`a list walker ${locked ? 'under vmap_area_lock does not race, yet still sees an area without VM_VM_AREA (why s_show checks it)' : 'under RCU reading va->flags races setup_vmalloc_vm (KCSAN) and can see VM_VM_AREA unset'}`, () => {
      let sawUnset = false;
      const m = defineModel({
        name: `hw-test/publication-${locked ? 'locked' : 'lockless'}`,
        scenarios: { default: {} },
        setup: () => hw({ rcuFree: true }),
        threads: (s) => [
          thread('get_vm_area', function* () {
            const vm = yield* s.vm.getVmArea(4096, VM_IOREMAP, 'test');
            if (vm) yield* s.vm.vunmap(vm.addr.value);
          }),
          thread('walker', function* () {
            if (locked) yield* spin_lock(s.vm.spinlock as SpinlockT, 'walker: spin_lock');
            else yield* rcu_read_lock();
            const list = yield* s.vm.walkRcu();
            for (const va of list) {
              const f = yield* va.flags.get('walker: va->flags');
              if ((f & VM_VM_AREA) === 0) sawUnset = true;
            }
            if (locked) yield* spin_unlock(s.vm.spinlock as SpinlockT, 'walker: spin_unlock');
            else yield* rcu_read_unlock();
          }),
          rcuCallbackThread(),
        ],
      });
      const r = exploreKinds(m);
      expect(r.exhaustive).toBe(true);
      expect([...r.kinds]).toEqual(locked ? [] : ['data-race']);
      expect(sawUnset).toBe(true);
    });
  }
});
