// Contract tests for physical memory and page tables (src/hw/phys.ts, pagetable.ts, reach.ts):
// map / unmap / translate, MMIO windows sharing a frame, promised PA and memory type, bad input as
// violations, and the sanitizers that need a race (map over a live PTE, get_page on a freed frame)
// found by DPOR with a locked twin that is clean.
import { describe, expect, it } from 'vitest';
import {
  Atomic, type Json, Mutex, type Page, PageTable, PhysMem, assert, check, defineModel, thread, type ThreadGen,
} from '../../src/index.js';
import { exploreKinds } from './explore-kinds.js';

const VA = 0x100000;

function one(name: string, body: (s: { phys: PhysMem; kpt: PageTable }) => ThreadGen) {
  return defineModel<{ phys: PhysMem; kpt: PageTable }, Json>({
    name: `hw-test/pt-${name}`,
    scenarios: { default: {} },
    setup: () => {
      const phys = new PhysMem();
      phys.addDevice('dev1', 0x20001000, 0x400);
      phys.addDevice('dev2', 0x20001400, 0x400);
      phys.addRam(0x80000000, 2);
      return { phys, kpt: new PageTable('init_mm', phys) };
    },
    threads: (s) => [thread('main', () => body(s))],
  });
}

function first(m: ReturnType<typeof one>) {
  return check(m, { strategy: 'random', maxExecutions: 1 }).finding?.violation ?? null;
}

describe('page tables and physical memory', () => {
  it('a page mapping both 1 KiB devices routes each offset to its device and logs the access', () => {
    let logs: string[] = [];
    const v = first(one('two-devices', function* (s) {
      yield* s.kpt.map(VA, 0x20001000, 0x1000, 'device');
      const t = s.kpt.translate(VA + 0x404);
      assert(t !== null && t.pa === 0x20001404 && t.type === 'device', 'translate');
      yield* s.kpt.writel(0x1234_5678_9, VA + 0x404, { expectPa: 0x20001404, expectType: 'device' });
      const back = yield* s.kpt.readl(VA + 0x404);
      assert(back === 0x23456789, `writel truncates to 32 bits: ${back.toString(16)}`);
      yield* s.kpt.writel(1, VA + 0x10);
      assert((yield* s.kpt.unmap(VA, 0x1000)) === 1, 'one live PTE cleared');
      assert(s.kpt.translate(VA) === null, 'unmapped');
      const [d1, d2] = s.phys.devices;
      logs = [...(d1?.log ?? []), ...(d2?.log ?? [])].map((a) => `${a.write ? 'W' : 'R'}${a.offset.toString(16)}=${a.value.toString(16)}`);
    }));
    expect(v).toBeNull();
    expect(logs).toEqual(['W10=1', 'W4=23456789', 'R4=23456789']);
  });

  it('an access through an unmapped VA is a page fault naming the address', () => {
    const v = first(one('fault', function* (s) { yield* s.kpt.readl(VA + 8); }));
    expect(v?.kind).toBe('page-fault');
    expect(v?.title).toContain('0x100008');
  });

  it('a promise of another memory type or PA is wrong-target; a PA nothing decodes too', () => {
    const wc = first(one('wc', function* (s) {
      yield* s.kpt.map(VA, 0x20001000, 0x1000, 'wc');
      yield* s.kpt.readl(VA, { expectType: 'device' });
    }));
    expect(wc?.kind).toBe('wrong-target');
    expect(wc?.message).toContain('mapped wc');
    const pa = first(one('pa', function* (s) {
      yield* s.kpt.map(VA, 0x20001000, 0x1000, 'device');
      yield* s.kpt.readl(VA + 0x400, { expectPa: 0x20001000 });
    }));
    expect(pa?.kind).toBe('wrong-target');
    const hole = first(one('hole', function* (s) {
      yield* s.kpt.map(VA, 0x30000000, 0x1000, 'device');
      yield* s.kpt.readl(VA);
    }));
    expect(hole?.kind).toBe('wrong-target');
    expect(hole?.message).toContain('no RAM or device');
  });

  it('bad input: unaligned map is a usage violation; put_page below zero is a refcount violation', () => {
    expect(first(one('unaligned', function* (s) { yield* s.kpt.map(VA + 4, 0x20001000, 0x1000, 'device'); }))?.kind).toBe('usage');
    const under = first(one('underflow', function* (s) {
      const p = yield* s.phys.allocPage('buf');
      yield* s.phys.putPage(p as Page);
      yield* s.phys.putPage(p as Page);
    }));
    expect(under?.kind).toBe('refcount');
  });

  it('bad input gets a violation or a one-line how-to-fix error, never a crash', () => {
    const nan = first(one('nan', function* (s) { yield* s.kpt.readl(Number.NaN); }));
    expect(nan?.kind).toBe('usage');
    expect(nan?.message).toContain('not a non-negative integer below 2^53');
    const overlap = defineModel({
      name: 'hw-test/pt-overlap',
      scenarios: { default: {} },
      setup: () => {
        const phys = new PhysMem();
        phys.addDevice('dev1', 0x20001000, 0x400);
        phys.addDevice('dev2', 0x20001200, 0x400);
        return {};
      },
      threads: () => [],
    });
    const v = check(overlap, { strategy: 'random', maxExecutions: 1 }).finding?.violation;
    expect(v?.kind).toBe('usage');
    expect(v?.message).toContain('overlaps dev1');
    expect(() => new PhysMem()).toThrow(/only be created inside a model/);
    const lateSetup = first(one('late-setup', function* (s) { s.kpt.mapAtSetup(VA, 0x20001000, 0x1000, 'device'); }));
    expect(lateSetup?.kind).toBe('usage');
    expect(lateSetup?.message).toContain('yield* map');
  });

  for (const fixed of [false, true]) {
    it(`check-then-map of one VA by two threads ${fixed ? 'under a lock is clean' : 'maps over a live PTE (vmap_pte_range WARN)'}`, () => {
      const m = defineModel({
        name: `hw-test/pt-double-map-${fixed ? 'fixed' : 'posted'}`,
        scenarios: { default: {} },
        setup: () => {
          const phys = new PhysMem();
          phys.addDevice('dev1', 0x20001000, 0x1000);
          return { kpt: new PageTable('init_mm', phys), lock: new Mutex('map_lock') };
        },
        threads: (s) => [0, 1].map((i) => thread(`mapper${i}`, function* () {
          if (fixed) yield* s.lock.lock();
          const pte = yield* s.kpt.walk(VA, 'pte_none?');
          if (!pte.present) yield* s.kpt.map(VA, 0x20001000, 0x1000, 'device');
          if (fixed) yield* s.lock.unlock();
        })),
      });
      const r = exploreKinds(m);
      expect(r.exhaustive).toBe(true);
      expect([...r.kinds]).toEqual(fixed ? [] : ['invariant']);
    });

    it(`a page cache lookup racing the last put_page ${fixed ? 'under a lock is clean' : 'does get_page on a freed frame'}`, () => {
      const m = defineModel({
        name: `hw-test/pt-get-freed-${fixed ? 'fixed' : 'posted'}`,
        scenarios: { default: {} },
        setup: () => {
          const phys = new PhysMem();
          phys.addRam(0x80000000, 1);
          return { phys, slot: new Atomic(0, 'cache_slot'), page: null as Page | null, lock: new Mutex('cache_lock') };
        },
        threads: (s) => [
          thread('owner', function* () {
            s.page = yield* s.phys.allocPage('cache');
            yield* s.slot.store(1, 'publish page');
            if (fixed) yield* s.lock.lock();
            yield* s.slot.store(0, 'unpublish page');
            if (fixed) yield* s.lock.unlock();
            yield* s.phys.putPage(s.page as Page, 'drop cache reference');
          }),
          thread('lookup', function* () {
            if (fixed) yield* s.lock.lock();
            const present = yield* s.slot.load('lookup');
            if (present) yield* s.phys.getPage(s.page as Page, 'lookup: get_page');
            if (fixed) yield* s.lock.unlock();
            if (present) yield* s.phys.putPage(s.page as Page, 'lookup: put_page');
          }),
        ],
      });
      const r = exploreKinds(m);
      expect(r.exhaustive).toBe(true);
      expect([...r.kinds]).toEqual(fixed ? [] : ['refcount']);
    });
  }
});
