/**
 * `benchHwModel()`: the model `mapcheck bench` runs to price every sanitizer together (steps/s with
 * sanitizers on vs off, field `sanitizers_on_vs_off`). It is src/linux's bench pattern -- lookup of
 * a shared object under a spinlock, kmalloc(GFP_ATOMIC) when absent, refcount get / put, kfree on
 * the last put -- plus the hardware part: each object owns a page frame mapped into the kernel page
 * table, every use is a writel + readl through that mapping with the PA and owner it was promised,
 * and the last put unmaps the page before freeing it. Correct by construction, so every execution
 * runs to the end and the measurement is pure step cost (walk, frame access, KCSAN, KASAN,
 * lockdep, refcount checks). src/linux's `benchKernelModel` is the one without a page table.
 * Follows the kref lookup pattern of Documentation/core-api/kref.rst.
 * Leaves out: vmalloc-space allocation (a fixed VA slot per object keeps the model small).
 */
import { defineModel, type Model } from '../engine/model.js';
import type { Op } from '../engine/ops.js';
import {
  Field, GFP_ATOMIC, type KPtr, RefcountT, SpinlockT, kfree, kmalloc, refcount_dec_and_test,
} from '../linux/index.js';
import { benchRounds } from '../linux/bench-model.js';
import { PAGE_SIZE } from './addr.js';
import { PageTable } from './pagetable.js';
import { type Page, PhysMem } from './phys.js';

type G<R> = Generator<Op, R, unknown>;

interface Obj { ref: RefcountT; page: Page; va: number; tag: string }
interface BenchState { phys: PhysMem; kpt: PageTable; lock: SpinlockT; slot: Field<KPtr<Obj> | null>; made: number }
interface BenchParams { threads: number; rounds: number; [k: string]: number }

const VA_BASE = 0x200000;
const RAM_BASE = 0x80000000;

function* put(s: BenchState, o: KPtr<Obj>, label: string): G<void> {
  if (yield* refcount_dec_and_test(o.ref, `${label}: refcount_dec_and_test`)) {
    yield* s.kpt.unmap(o.va, PAGE_SIZE, `${label}: vunmap`);
    yield* s.phys.putPage(o.page, `${label}: __free_page`);
    yield* kfree(o, `${label}: kfree`);
  }
}

/** Allocate an object with its page, mapped at its own VA slot; null on failure. */
function* make(s: BenchState, label: string): G<KPtr<Obj> | null> {
  const n = s.made++;
  const tag = `obj${n}`;
  const page = yield* s.phys.allocPage(tag, { label: `${label}: alloc_page` });
  if (!page) return null;
  const va = VA_BASE + n * PAGE_SIZE;
  const o = yield* kmalloc<Obj>('obj', GFP_ATOMIC, (b) => ({ ref: new RefcountT(1, 'ref', b), page, va, tag }), `${label}: kmalloc`);
  if (!o) {
    yield* s.phys.putPage(page, `${label}: __free_page`);
    return null;
  }
  yield* s.kpt.map(va, page.pa, PAGE_SIZE, 'cached', { label: `${label}: vmap` });
  return o;
}

/** A worker's use of the object: a writel + readl through its mapping, with the PA and owner promised. */
function* use(s: BenchState, o: KPtr<Obj>, t: number): G<void> {
  const pa = o.page.pa + 4 * t;
  yield* s.kpt.writel(t + 1, o.va + 4 * t, { expectPa: pa, expectOwner: o.tag, label: 'use: writel' });
  yield* s.kpt.readl(o.va + 4 * t, { expectPa: pa, expectOwner: o.tag, label: 'use: readl' });
}

/** The bench model: `threads` workers x `rounds` lookups (defaults 3 x 4). */
export function benchHwModel(): Model<BenchState, BenchParams> {
  return defineModel<BenchState, BenchParams>({
    name: 'bench/hw-kernel',
    description: 'spinlock lookup + refcount + kmalloc/kfree + page-table mapped buffer accesses, for sanitizer cost',
    scenarios: { default: { threads: 3, rounds: 4 }, small: { threads: 2, rounds: 2 } },
    setup: (p) => {
      const phys = new PhysMem();
      phys.addRam(RAM_BASE, p.threads * p.rounds + 1);
      const kpt = new PageTable('init_mm', phys);
      kpt.prepare(VA_BASE, (p.threads * p.rounds + 1) * PAGE_SIZE);
      return { phys, kpt, lock: new SpinlockT('obj_lock'), slot: new Field<KPtr<Obj> | null>(null, 'obj_slot'), made: 0 };
    },
    threads: (s, p) => Array.from({ length: p.threads }, (_, t) => ({
      name: `worker${t}`,
      body: () => benchRounds(s, p.rounds, t, () => make(s, 'lookup'), (o) => use(s, o, t), (o, label) => put(s, o, label)),
    })),
  });
}
