// Contract tests for the vmalloc space (src/hw/vmalloc.ts): get_vm_area / ioremap / iounmap,
// the publication order seen by a lockless reader, and the two-devices-in-one-page layout of seed 000.
import { describe, expect, it } from 'vitest';
import {
  PageTable, PhysMem, VM_IOREMAP, VM_VM_AREA, VmallocSpace, check, defineModel, thread, assert,
} from '../../src/index.js';

const VSTART = 0x100000;
const VEND = VSTART + 8 * 4096;

function hw() {
  const phys = new PhysMem();
  const dev1 = phys.addDevice('dev1', 0x20001000, 0x400);
  const dev2 = phys.addDevice('dev2', 0x20001400, 0x400);
  const kpt = new PageTable('init_mm', phys);
  const vm = new VmallocSpace(kpt, { start: VSTART, end: VEND });
  return { phys, dev1, dev2, kpt, vm };
}

describe('vmalloc space', () => {
  it('two ioremaps of devices sharing one page get distinct areas that translate to the right PA', () => {
    const m = defineModel({
      name: 'hw-test/ioremap-two',
      scenarios: { default: {} },
      setup: () => ({ ...hw(), addrs: [0, 0] as number[] }),
      threads: (s) => [0, 1].map((i) => thread(`dev${i + 1}`, function* () {
        const pa = i === 0 ? 0x20001000 : 0x20001400;
        const a = yield* s.vm.ioremap(pa, 0x400);
        assert(a !== null, 'ioremap failed');
        s.addrs[i] = a as number;
        yield* s.kpt.writel(0x55 + i, (a as number) + 4, { expectPa: pa + 4, expectType: 'device' });
        const back = yield* s.kpt.readl((a as number) + 4, { expectPa: pa + 4, expectType: 'device' });
        assert(back === 0x55 + i, `read back ${back}`);
        assert(yield* s.vm.iounmap(a as number), 'iounmap failed');
      })),
      final: [
        { name: 'list empty', check: (s) => s.vm.list.length === 0 },
        { name: 'no live PTE', check: (s) => s.kpt.presentCount === 0 },
        { name: 'devices saw their writes', check: (s) => s.dev1.regs.get(4) === 0x55 && s.dev2.regs.get(4) === 0x56 },
      ],
    });
    const r = check(m, { strategy: 'random', maxExecutions: 300, seed: 7 });
    expect(r.finding?.violation ?? null).toBeNull();
    expect(r.executions).toBe(300);
  });

  it('a lockless RCU walker can see an area whose vm is not yet set (v3.15 publication order)', () => {
    const m = defineModel({
      name: 'hw-test/publication-order',
      scenarios: { default: {} },
      setup: () => ({ ...hw(), sawUnset: false }),
      threads: (s) => [
        thread('get_vm_area', function* () {
          const vm = yield* s.vm.getVmArea(4096, VM_IOREMAP, 'test');
          assert(vm !== null, 'no area');
          if (vm) yield* s.vm.vunmap(vm.addr.value);
        }),
        thread('walker', function* () {
          const list = yield* s.vm.walkRcu();
          for (const va of list) if ((va.flags.value & VM_VM_AREA) === 0) s.sawUnset = true;
        }),
      ],
      final: [{ name: 'walker never saw a half-built area', check: (s) => !s.sawUnset }],
    });
    const r = check(m, { strategy: 'random', maxExecutions: 2000, seed: 3 });
    expect(r.finding?.violation.kind).toBe('invariant');
  });
});
