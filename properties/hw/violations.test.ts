// Every violation kind src/hw raises, each found by DPOR in a small racy model (never by a thread
// that does the bad thing unconditionally), next to a corrected twin that DPOR exhausts cleanly.
import { describe, expect, it } from 'vitest';
import {
  Atomic, DmaDevice, op, IOMMU_READ, IOMMU_WRITE, IommuDomain, Mutex, PageTable, PhysMem, VmallocSpace, assert, defineModel, thread,
} from '../../src/index.js';
import { exploreKinds } from './explore-kinds.js';

const VSTART = 0x100000;

/** A cached ioremap address shared by a mapper and a user (seed-000-like reuse gone wrong). */
function staleCache(fixed: boolean) {
  return defineModel({
    name: `hw-test/stale-cache-${fixed ? 'fixed' : 'posted'}`,
    scenarios: { default: {} },
    setup: () => {
      const phys = new PhysMem();
      phys.addDevice('dev1', 0x20001000, 0x400);
      phys.addDevice('dev2', 0x20002000, 0x400);
      const kpt = new PageTable('init_mm', phys);
      return { kpt, vm: new VmallocSpace(kpt, { start: VSTART, end: VSTART + 4 * 4096 }), cache: new Atomic(0, 'cache'), lock: new Mutex('cache_lock') };
    },
    threads: (s) => [
      thread('remapper', function* () {
        const a = yield* s.vm.ioremap(0x20001000, 0x400);
        assert(a !== null, 'ioremap dev1');
        yield* s.cache.store(a as number);
        if (fixed) yield* s.lock.lock();
        if (fixed) yield* s.cache.store(0, 'cache = NULL');
        yield* s.vm.iounmap(a as number);
        const b = yield* s.vm.ioremap(0x20002000, 0x400); // first fit: same VA, other device
        if (fixed) yield* s.lock.unlock();
        if (b !== null) yield* s.vm.iounmap(b);
      }),
      thread('user', function* () {
        if (fixed) yield* s.lock.lock();
        const a = yield* s.cache.load();
        if (a !== 0) yield* s.kpt.readl(a + 8, { expectPa: 0x20001008, expectType: 'device' });
        if (fixed) yield* s.lock.unlock();
      }),
    ],
  });
}

/**
 * A buffer's frame freed (and maybe reused by another buffer) while still mapped, through the kernel
 * page table or the IOMMU. `waitUser`: the driver waits for its user before unmapping (posted
 * frees before that wait); without it, the twin checks the stale-translation rule: unmap-then-free
 * gives page faults but never a use of the freed frame.
 */
function freeBeforeUnmap(fixed: boolean, viaDma: boolean, waitUser = true) {
  return defineModel({
    name: `hw-test/free-before-unmap-${viaDma ? 'dma' : 'cpu'}-${fixed ? 'fixed' : 'posted'}`,
    scenarios: { default: {} },
    setup: () => {
      const phys = new PhysMem();
      phys.addRam(0x80000000, 2);
      const kpt = new PageTable('init_mm', phys);
      const dom = new IommuDomain('smmu', phys, { start: 0x1000, size: 0x1000 });
      return { phys, kpt, dom, dev: new DmaDevice('nic', dom), done: new Atomic(0, 'done'), finished: new Atomic(0, 'finished') };
    },
    threads: (s) => {
      const driver = thread('driver', function* () {
        const run = yield* s.phys.allocPages(1, 'bufA');
        assert(run !== null, 'alloc');
        const p = (run as NonNullable<typeof run>)[0] as NonNullable<typeof run>[0];
        if (viaDma) yield* s.dom.map(0x1000, p.pa, 0x1000, IOMMU_READ | IOMMU_WRITE);
        else yield* s.kpt.map(VSTART, p.pa, 0x1000, 'cached');
        yield* s.done.store(1, 'publish mapping');
        if (!fixed) yield* s.phys.putPage(p, 'free buffer (before unmap)');
        if (waitUser) yield op.wait(s.finished.id, 'wait for the user to finish', () => s.finished.value === 1);
        if (viaDma) yield* s.dom.unmap(0x1000, 0x1000);
        else yield* s.kpt.unmap(VSTART, 0x1000);
        if (fixed) yield* s.phys.putPage(p, 'free buffer (after unmap)');
      });
      const other = thread('other', function* () {
        const run = yield* s.phys.allocPages(1, 'bufB');
        if (run) yield* s.phys.freePages(run);
      });
      const user = viaDma
        ? s.dev.program(function* (dev) {
          const ok = yield* s.done.load();
          if (ok) yield* dev.dma({ iova: 0x1000, len: 4, write: true, value: 7, expectOwner: 'bufA' });
          yield* s.finished.store(1);
        })
        : thread('reader', function* () {
          const ok = yield* s.done.load();
          if (ok) yield* s.kpt.readl(VSTART, { expectOwner: 'bufA' });
          yield* s.finished.store(1);
        });
      return [driver, user, other];
    },
  });
}

describe('hw violations found by exploring interleavings', () => {
  it('page-fault and wrong-target: a cached VA used across iounmap + ioremap of another device', () => {
    const posted = exploreKinds(staleCache(false));
    expect(posted.exhaustive).toBe(true);
    expect([...posted.kinds].sort()).toEqual(['page-fault', 'wrong-target']);
    const fixed = exploreKinds(staleCache(true));
    expect(fixed.exhaustive).toBe(true);
    expect([...fixed.kinds]).toEqual([]);
    expect(fixed.executions).toBeGreaterThan(1);
  });

  it('use-after-free and wrong-target: CPU reads a frame freed (and reused) while still mapped; unmap-then-free is clean', () => {
    const posted = exploreKinds(freeBeforeUnmap(false, false));
    expect(posted.exhaustive).toBe(true);
    expect(posted.kinds.has('use-after-free')).toBe(true);
    expect(posted.kinds.has('wrong-target')).toBe(true);
    const fixed = exploreKinds(freeBeforeUnmap(true, false));
    expect(fixed.exhaustive).toBe(true);
    expect(fixed.messages).toEqual([]);
  });

  it('stale translation: an access racing unmap-then-free faults or lands before the unmap, never in the freed frame', () => {
    for (const viaDma of [false, true]) {
      const r = exploreKinds(freeBeforeUnmap(true, viaDma, false));
      expect(r.exhaustive).toBe(true);
      expect([...r.kinds]).toEqual([viaDma ? 'iommu-fault' : 'page-fault']);
    }
  });

  it('DMA through the IOMMU: use-after-free / wrong-target into a freed, reused frame; fixed order is clean', () => {
    const posted = exploreKinds(freeBeforeUnmap(false, true));
    expect(posted.exhaustive).toBe(true);
    expect(posted.kinds.has('use-after-free')).toBe(true);
    expect(posted.kinds.has('wrong-target')).toBe(true);
    const fixed = exploreKinds(freeBeforeUnmap(true, true));
    expect(fixed.exhaustive).toBe(true);
    expect(fixed.messages).toEqual([]);
  });
});
