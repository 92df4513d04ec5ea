/**
 * The wakeup tree on its own (insert, covers, leftmost; Abdulla et al., POPL 2014 §6) with toy
 * sequences whose dependence is explicit (same object, not both reads; program order).
 */
import { describe, expect, it } from 'vitest';
import { type Op, dependent, op } from '../../src/engine/ops.js';
import { ANY_VALUE, WakeupNode, type WakeupSequence, branches, covers, insert, takeLeftmost } from '../../src/strategies/wakeup-tree.js';

/** A sequence of (thread, op, choose value) events; happens-before from dependence and program order. */
class ToySeq implements WakeupSequence {
  private readonly evs: { t: number; o: Op; value: number }[];
  constructor(evs: readonly (readonly [number, Op] | readonly [number, Op, number])[]) {
    this.evs = evs.map(([t, o, value]) => ({ t, o, value: value ?? -1 }));
  }
  get left(): number {
    return this.evs.length;
  }
  weakInitial(t: number, o: Op, value: number): boolean {
    const i = this.evs.findIndex((e) => e.t === t);
    if (i < 0) return this.evs.every((e) => !dependent(o, e.o));
    const x = this.evs[i] as { t: number; o: Op; value: number };
    if (x.o !== o || (value !== ANY_VALUE && x.value !== value)) return false;
    return this.evs.slice(0, i).every((e) => !dependent(e.o, x.o));
  }
  consume(t: number): void {
    const i = this.evs.findIndex((e) => e.t === t);
    if (i >= 0) this.evs.splice(i, 1);
  }
  appendTo(list: WakeupNode[]): void {
    let level = list;
    for (const e of this.evs) {
      const n = new WakeupNode(e.t, e.o, e.value);
      level.push(n);
      level = n.children;
    }
  }
}

const wx = op.write(0, 'x = 1');
const rx = op.read(0, 'r = x');
const wy = op.write(1, 'y = 1');
const ry = op.read(1, 'r = y');
const ch = op.choose(2, 'choose');

describe('wakeup tree: insert, covers, leftmost', () => {
  it('an empty tree takes the whole sequence as one branch', () => {
    const root: WakeupNode[] = [];
    expect(insert(root, new ToySeq([[1, ry], [2, wx]]))).toBe(true);
    expect(branches(root)).toEqual([[1, 2]]);
  });

  it('a sequence equivalent to a branch (independent events swapped) is covered', () => {
    const root: WakeupNode[] = [];
    insert(root, new ToySeq([[1, ry], [2, wx]]));
    expect(covers(root, new ToySeq([[2, wx], [1, ry]]))).toBe(true);
    expect(insert(root, new ToySeq([[2, wx], [1, ry]]))).toBe(false);
    expect(branches(root)).toEqual([[1, 2]]);
  });

  it('a sequence that is a prefix of a branch, or extends a leaf, is covered', () => {
    const root: WakeupNode[] = [];
    insert(root, new ToySeq([[1, wx], [2, rx]]));
    expect(covers(root, new ToySeq([[1, wx]]))).toBe(true);
    expect(covers(root, new ToySeq([[1, wx], [2, rx], [3, wy]]))).toBe(true);
  });

  it('a thread with no event in v is a weak initial when its op commutes with all of v', () => {
    const root: WakeupNode[] = [];
    insert(root, new ToySeq([[3, wy]]));
    // T3's y = 1 commutes with T1's x = 1: exploring T3 first still reaches v.
    expect(covers(root, new ToySeq([[1, wx]]))).toBe(true);
    // ...but not with a read of y.
    expect(covers(root, new ToySeq([[1, ry]]))).toBe(false);
  });

  it('a conflicting first event starts a new rightmost branch; leftmost stays first', () => {
    const root: WakeupNode[] = [];
    insert(root, new ToySeq([[1, wx]]));
    insert(root, new ToySeq([[2, rx], [1, wx]]));
    expect(branches(root)).toEqual([[1], [2, 1]]);
    const first = takeLeftmost(root);
    expect(first?.thread).toBe(1);
    expect(branches(root)).toEqual([[2, 1]]);
    expect(takeLeftmost(root)?.children.map((c) => c.thread)).toEqual([1]);
    expect(takeLeftmost(root)).toBeUndefined();
  });

  it('sequences sharing a prefix up to a conflict graft under the common node', () => {
    const root: WakeupNode[] = [];
    insert(root, new ToySeq([[1, ry], [2, wx], [3, rx]]));
    insert(root, new ToySeq([[1, ry], [3, rx], [2, wx]]));
    expect(branches(root)).toEqual([[1, 2, 3], [1, 3, 2]]);
  });

  it('a weak leaf (a fallback branch) does not cover: the sequence is grafted under it', () => {
    const root: WakeupNode[] = [new WakeupNode(2, rx, -1, true)];
    expect(insert(root, new ToySeq([[2, rx], [1, wx]]))).toBe(true);
    expect(branches(root)).toEqual([[2, 1]]);
    const strong: WakeupNode[] = [new WakeupNode(2, rx, -1)];
    expect(insert(strong, new ToySeq([[2, rx], [1, wx]]))).toBe(false);
  });

  it('two values of one choose are different events', () => {
    const root: WakeupNode[] = [];
    insert(root, new ToySeq([[1, ch, 0], [1, wx]]));
    expect(covers(root, new ToySeq([[1, ch, 1], [1, wx]]))).toBe(false);
    expect(covers(root, new ToySeq([[1, ch, 0], [1, wx]]))).toBe(true);
  });
});
