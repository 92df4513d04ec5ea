// Contract tests for the IOMMU domain and the DMA device thread (src/hw/iommu.ts, dma.ts): map /
// unmap / iova_to_phys, -EEXIST on a live entry, DMA reaching the mapped frame, and an
// 'iommu-fault' found by DPOR when a driver unmaps before the device completed (twin: waits).
import { describe, expect, it } from 'vitest';
import {
  DmaDevice, IOMMU_READ, IOMMU_WRITE, IommuDomain, PhysMem, assert, check, defineModel, thread,
} from '../../src/index.js';
import { exploreKinds } from './explore-kinds.js';

const IOVA = 0x10000;

function setup() {
  const phys = new PhysMem();
  phys.addRam(0x80000000, 2);
  const dom = new IommuDomain('smmu', phys, { start: IOVA, size: 0x2000 });
  return { phys, dom, dev: new DmaDevice('nic', dom) };
}

describe('IOMMU domain', () => {
  it('map / iova_to_phys / -EEXIST / unmap, and a queued DMA write lands in the mapped frame', () => {
    const m = defineModel({
      name: 'hw-test/iommu-contract',
      scenarios: { default: {} },
      setup,
      threads: (s) => [
        thread('driver', function* () {
          const run = yield* s.phys.allocPages(2, 'rxbuf');
          assert(run !== null, 'alloc');
          const pa = (run as NonNullable<typeof run>)[0]?.pa as number;
          assert((yield* s.dom.map(IOVA, pa, 0x2000, IOMMU_READ | IOMMU_WRITE)) === 0, 'map');
          assert((yield* s.dom.map(IOVA + 0x1000, pa, 0x1000, IOMMU_READ)) === -17, 'second map of a live IOVA is -EEXIST');
          assert((yield* s.dom.iovaToPhys(IOVA + 0x1004)) === pa + 0x1004, 'iova_to_phys');
          const h = yield* s.dev.submit({ iova: IOVA + 0xffc, len: 8, write: true, value: 0xab, expectOwner: 'rxbuf' });
          yield* s.dev.waitDone(h);
          yield* s.dev.stop();
          assert((yield* s.dom.unmap(IOVA, 0x2000)) === 0x2000, 'unmap returns bytes');
          assert((yield* s.dom.iovaToPhys(IOVA)) === 0, 'gone');
          const [p0, p1] = run as NonNullable<typeof run>;
          assert(p0?.data.get(0xffc) === 0xab && p1?.data.get(0) === 0xab, 'the transfer crossing a page boundary hit both frames');
          yield* s.phys.freePages(run as NonNullable<typeof run>);
        }),
        s.dev.queueThread(),
      ],
    });
    const r = check(m, { strategy: 'dpor', maxExecutions: 2000 });
    expect(r.finding?.violation.message ?? null).toBeNull();
    expect(r.exhaustive).toBe(true);
  });

  for (const fixed of [false, true]) {
    it(`${fixed ? 'waiting for completion before iommu_unmap is clean' : 'iommu_unmap before the device completed is an iommu-fault'}`, () => {
      const m = defineModel({
        name: `hw-test/iommu-unmap-early-${fixed ? 'fixed' : 'posted'}`,
        scenarios: { default: {} },
        setup,
        threads: (s) => [
          thread('driver', function* () {
            const p = yield* s.phys.allocPage('txbuf');
            assert(p !== null, 'alloc');
            yield* s.dom.map(IOVA, (p as NonNullable<typeof p>).pa, 0x1000, IOMMU_READ);
            const h = yield* s.dev.submit({ iova: IOVA, len: 4, write: false, expectOwner: 'txbuf' });
            if (fixed) yield* s.dev.waitDone(h);
            yield* s.dom.unmap(IOVA, 0x1000);
            yield* s.dev.stop();
            if (!fixed) yield* s.dev.waitDone(h);
            yield* s.phys.putPage(p as NonNullable<typeof p>);
          }),
          s.dev.queueThread(),
        ],
      });
      const r = exploreKinds(m);
      expect(r.exhaustive).toBe(true);
      expect([...r.kinds]).toEqual(fixed ? [] : ['iommu-fault']);
    });
  }

  it('a DMA read through a write-only IOVA is an iommu-fault too', () => {
    const m = defineModel({
      name: 'hw-test/iommu-writeonly',
      scenarios: { default: {} },
      setup,
      threads: (s) => [
        thread('driver', function* () {
          const p = yield* s.phys.allocPage('rxbuf');
          yield* s.dom.map(IOVA, (p as NonNullable<typeof p>).pa, 0x1000, IOMMU_WRITE);
          yield* s.dev.dma({ iova: IOVA, len: 4, write: true, value: 3 });
          yield* s.dev.dma({ iova: IOVA, len: 4, write: false });
        }),
      ],
      leakCheck: false,
    });
    const v = check(m, { strategy: 'random', maxExecutions: 1 }).finding?.violation;
    expect(v?.kind).toBe('iommu-fault');
    expect(v?.message).toContain('write-only');
  });

  it('a DMA write through a read-only IOVA is an iommu-fault', () => {
    const m = defineModel({
      name: 'hw-test/iommu-readonly',
      scenarios: { default: {} },
      setup,
      threads: (s) => [
        thread('driver', function* () {
          const p = yield* s.phys.allocPage('txbuf');
          yield* s.dom.map(IOVA, (p as NonNullable<typeof p>).pa, 0x1000, IOMMU_READ);
        }),
        s.dev.program(function* (dev) {
          const pa = yield* dev.domain.iovaToPhys(IOVA);
          if (pa !== 0) yield* dev.dma({ iova: IOVA, len: 4, write: true, value: 1 });
        }),
      ],
      leakCheck: false,
    });
    const r = exploreKinds(m);
    expect([...r.kinds]).toEqual(['iommu-fault']);
    expect(r.messages[0]).toContain('read-only');
  });
});
