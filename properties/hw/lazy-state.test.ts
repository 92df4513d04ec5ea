// Per-execution hardware state built lazily (issue 16, "cheap executions"): a prepared page-table
// range takes its object ids up front but builds each PTE object on first touch, and reserved
// object names are formatted only when something reads them. Ids must not depend on the order
// threads touch the pages (DPOR matches ops across executions by object id; tokens must replay),
// and every name a report, trace or observed-prefix check reads must be exactly the eager one.
import { describe, expect, it } from 'vitest';
import {
  type Json, type Op, PAGE_SIZE, PageTable, PhysMem, check, currentExecution, defineModel, explore, hex, makeStrategy, thread, yieldNow,
} from '../../src/index.js';

const VA = 0x200000;
const PAGES = 16;

function* idle(): Generator<Op, void, unknown> {
  yield* yieldNow('idle');
}

/** Run `body` as the setup of a one-execution model; returns what it returned. */
function inSetup<T>(body: () => T, observes?: readonly string[]): T {
  let out: T | undefined;
  const m = defineModel<object, Json>({
    name: 'hw-test/lazy-setup',
    scenarios: { default: {} },
    setup: () => {
      out = body();
      return {};
    },
    threads: () => [thread('idle', idle)],
    ...(observes ? { invariants: [{ name: 'observer', observes, check: () => true }] } : {}),
  });
  // No audit: `body` reports to the test through a closure, which the audit's re-run would run again.
  const r = explore(m, makeStrategy('random', { seed: 1 }), { maxExecutions: 1, audit: false });
  expect(r.finding).toBeNull();
  return out as T;
}

describe('lazily built per-execution state', () => {
  it('reserve() gives consecutive ids and formats a name only when it is read, once', () => {
    const calls: number[] = [];
    const r = inSetup(() => {
      const t = currentExecution().objects;
      const before = t.add('cell', 'before', -1);
      const first = t.reserve('pte', 4, (i) => {
        calls.push(i);
        return `run[${i}]`;
      });
      const after = t.add('cell', 'after', -1);
      const formattedAtReserve = calls.length;
      const two = t.nameOf(first + 2);
      const label = t.label(first + 2);
      const callsAfterOne = calls.length;
      const all = [...t.name];
      return { before, first, after, formattedAtReserve, two, label, callsAfterOne, all, ref: t.ref(first + 1).name, size: t.size };
    });
    expect(r.first).toBe(r.before + 1);
    expect(r.after).toBe(r.first + 4);
    expect(r.size).toBe(r.after + 1);
    expect(r.formattedAtReserve).toBe(0);
    expect(r.two).toBe('run[2]');
    expect(r.label).toBe('run[2]');
    expect(r.callsAfterOne).toBe(1);
    expect(r.all.slice(r.first, r.first + 4)).toEqual(['run[0]', 'run[1]', 'run[2]', 'run[3]']);
    expect(r.ref).toBe('run[1]');
    // Each name was formatted once, however often it was read.
    expect([...calls].sort()).toEqual([0, 1, 2, 3]);
  });

  it('a check observing a prefix sees reserved objects whose names match it (names formatted at once then)', () => {
    const r = inSetup(() => {
      const t = currentExecution().objects;
      const first = t.reserve('pte', 3, (i) => (i === 1 ? 'watched:pte' : `other${i}`));
      return [0, 1, 2].map((i) => t.observed[first + i]);
    }, ['watched']);
    expect(r).toEqual([false, true, false]);
  });

  it('a prepared range keeps the ids and names eager creation gave, whatever order pages are first touched in', () => {
    const eager = inSetup(() => {
      const pt = new PageTable('init_mm', new PhysMem());
      const ids: number[] = [];
      for (let k = 0; k < PAGES; k++) ids.push(pt.pte(VA + k * PAGE_SIZE).id);
      return ids;
    });
    const order = [7, 0, 15, 3, 3, 9, 1, 14, 2, 4, 5, 6, 8, 10, 11, 12, 13];
    const lazy = inSetup(() => {
      const t = currentExecution().objects;
      const pt = new PageTable('init_mm', new PhysMem());
      pt.prepare(VA, PAGES * PAGE_SIZE);
      const sizeAfterPrepare = t.size;
      const outside = pt.pte(VA + PAGES * PAGE_SIZE).id;
      const byPage = new Map<number, number>();
      for (const k of order) byPage.set(k, pt.pte(VA + k * PAGE_SIZE).id);
      const names = [...byPage.keys()].sort((a, b) => a - b).map((k) => t.nameOf(byPage.get(k) as number));
      return { sizeAfterPrepare, outside, ids: [...byPage.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id), names };
    });
    expect(lazy.ids).toEqual(eager);
    expect(lazy.names).toEqual(Array.from({ length: PAGES }, (_, k) => `init_mm:pte[${hex(VA + k * PAGE_SIZE)}]`));
    // A page outside the prepared range gets the next id when first touched.
    expect(lazy.outside).toBe(lazy.sizeAfterPrepare);
  });

  it('prepare() covers the pages an unaligned range touches, as the eager loop did, and skips pages already in use', () => {
    const r = inSetup(() => {
      const t = currentExecution().objects;
      const pt = new PageTable('kpt', new PhysMem());
      const used = pt.pte(VA + PAGE_SIZE).id;
      const start = t.size;
      // [VA + 0x800, VA + 0x1800): the eager loop visited VA + 0x800 only (page 0) -- and VA + 0x1800 is not < end.
      pt.prepare(VA + 0x800, PAGE_SIZE);
      const afterFirst = t.size;
      pt.prepare(VA, 3 * PAGE_SIZE);
      return { used, start, afterFirst, end: t.size, p0: pt.pte(VA).id, p1: pt.pte(VA + PAGE_SIZE).id, p2: pt.pte(VA + 2 * PAGE_SIZE).id };
    });
    expect(r.afterFirst - r.start).toBe(1);
    expect(r.p0).toBe(r.start);
    expect(r.p1).toBe(r.used);
    expect(r.p2).toBe(r.afterFirst);
    expect(r.end).toBe(r.afterFirst + 1);
  });

  it('a fault through a never-touched prepared PTE names it exactly as before', () => {
    const m = defineModel<{ kpt: PageTable }, Json>({
      name: 'hw-test/lazy-fault',
      scenarios: { default: {} },
      setup: () => {
        const kpt = new PageTable('init_mm', new PhysMem());
        kpt.prepare(VA, PAGES * PAGE_SIZE);
        return { kpt };
      },
      threads: (s) => [thread('main', function* (): Generator<Op, void, unknown> { yield* s.kpt.readl(VA + 5 * PAGE_SIZE + 8); })],
    });
    const v = check(m, { strategy: 'random', maxExecutions: 1 }).finding?.violation;
    expect(v?.kind).toBe('page-fault');
    expect(v?.object?.name).toBe(`init_mm:pte[${hex(VA + 5 * PAGE_SIZE)}]`);
  });
});
