/**
 * Object lifetimes in the LKMM execution graph: kfree / vfree of a heap block is a plain write of
 * the block's lifetime location (one synthetic location per block, its initial write the block's
 * allocation), and an access the engine performs after that free, in its interleaving, is a read
 * of the same location. Under sequential consistency the interleaving decides; under the LKMM it
 * does not: the access is a use after free only if the graph lets its lifetime read take the free
 * (`rf free -> access`). When the rest of the graph forbids that -- the access sits in an RCU
 * read-side section that saw the state before a grace period the freeing thread waited for, or
 * behind any other ordering that places it before the free -- it read the memory before it was
 * freed (`fr access -> free`), and the read stays in the graph so the end-of-execution check keeps
 * that order. This is KASAN's question asked of the memory model instead of the interleaving:
 * "can this access observe the object freed?".
 * Follows linux-kernel.cat's treatment of plain accesses (the free is a plain write: it races with
 * any access nothing orders before it) and the RCU guarantee for kfree after synchronize_rcu /
 * kfree_rcu (Documentation/RCU/whatisRCU.rst).
 * Leaves out: the re-allocation of a freed block (the engine never reuses one), per-byte shadow.
 */
import { Ann, EvKind, type Graph } from './graph.js';

/** Lifetime locations: LIFE_LOC + block id (beyond any object id and the hand-off locations). */
export const LIFE_LOC = 0x70000000;

export class Lifetimes {
  /** Block -> the free's write event. */
  private freeEv = new Map<number, number>();

  reset(): void {
    this.freeEv = new Map();
  }

  /** Thread `tid` freed heap block `block` at `step`: its lifetime write. */
  freed(g: Graph, tid: number, block: number, step: number, label: string): void {
    const loc = LIFE_LOC + block;
    const c = g.coOf(loc);
    if (c.length === 0) {
      const a = g.add({ tid: -1, kind: EvKind.W, ann: Ann.IW, loc, step: -1, label: 'allocated' });
      g.ev(a).value = 'allocated';
      c.push(a);
    }
    // A second free (a double free) is reported by the engine; the first one is the lifetime's end.
    if (this.freeEv.has(block)) return;
    const w = g.add({ tid, kind: EvKind.W, ann: 0, loc, step, label });
    g.ev(w).value = 'freed';
    c.push(w);
    this.freeEv.set(block, w);
  }

  /** The free's event of `block`, or -1 (freed before the graph began: setup). */
  freeOf(block: number): number {
    return this.freeEv.get(block) ?? -1;
  }

  /**
   * Add thread `tid`'s lifetime read of `block` for an access at `step` that reads from `rf` (the
   * free, or the allocation: the write co-before it); returns the event id. Plain, with the
   * access's dependencies `addr` / `ctrl`.
   */
  read(g: Graph, tid: number, block: number, step: number, label: string, rf: number, addr: readonly number[], ctrl: readonly number[]): number {
    const r = g.add({ tid, kind: EvKind.R, ann: 0, loc: LIFE_LOC + block, step, label, addr, ctrl });
    g.ev(r).rf = rf;
    return r;
  }

  /** The write `rf` a lifetime read that did not observe the free takes: the one co-before the free. */
  beforeFree(g: Graph, block: number): number {
    const c = g.coOf(LIFE_LOC + block);
    const f = this.freeOf(block);
    return c[c.indexOf(f) - 1] ?? -1;
  }
}
