/**
 * The wakeup tree on its own (insert, covers, leftmost; Abdulla et al., POPL 2014 §6) with toy
 * sequences whose dependence is explicit (same object, not both reads; program order), and the
 * reversing sequence `NotDep` on a real DPOR trace: which events v = notdep(e).e' holds, its weak
 * initials, and e''s predecessors rebuilt inside v (the lock case, where e''s own clock runs
 * through events outside v).
 */
import { describe, expect, it } from 'vitest';
import { type Op, OpKind, dependent, op } from '../../src/engine/ops.js';
import { DporTrace } from '../../src/strategies/dpor-trace.js';
import { NotDep } from '../../src/strategies/notdep.js';
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

/** A trace of (thread, op) events; `threads` is the thread count. */
function traceOf(threads: number, evs: readonly (readonly [number, Op])[]): DporTrace {
  const tr = new DporTrace();
  tr.reset();
  for (const [t, o] of evs) tr.add(t, o, threads, false, () => {});
  return tr;
}

const view = { blockOf: (o: number): number => o, observesEveryStep: false, observed: (): boolean => true };

describe('NotDep: v = notdep(e).e\' from a trace', () => {
  it('keeps the events after e that do not happen after it, then e\'', () => {
    // T0: x = 1; T1: r = y; T0: y = 1; T1: r = x.   Race (x = 1, r = x): e = 0, e' = 3.
    const tr = traceOf(2, [[0, wx], [1, ry], [0, wy], [1, rx]]);
    const v = new NotDep(view);
    v.build(tr, 0, 3);
    expect(v.left).toBe(2);
    const root: WakeupNode[] = [];
    v.appendTo(root);
    expect(branches(root)).toEqual([[1, 1]]);
    // T0's next op (x = 1) conflicts with T1's r = x: not a weak initial; T1 is (its r = y is first).
    v.build(tr, 0, 3);
    expect(v.weakInitial(0, wx, ANY_VALUE)).toBe(false);
    expect(v.weakInitial(1, tr.ops[1] as Op, ANY_VALUE)).toBe(true);
    // A third thread writing an unrelated object is a weak initial by independence.
    expect(v.weakInitial(2, op.write(7, 'z = 1'), ANY_VALUE)).toBe(true);
  });

  it('e\'s predecessors are taken inside v (an acquire is not after events it only follows through the release)', () => {
    // T2: trylock(m); T3: r = a; T2: a = 2; T2: unlock(m); T0: lock(m).
    // T0's lock races with T2's trylock; in the trace it follows T3's read through T2's a = 2 and
    // unlock, neither of which is in v = [T3: r = a, T0: lock]: both threads are initials of v.
    const m = 5;
    const a = 6;
    const lock: Op = { kind: OpKind.Acquire, obj: m, label: 'lock', n: 0 };
    const tr = traceOf(4, [[2, op.tryAcquire(m, 'trylock')], [3, op.read(a, 'r = a')], [2, op.write(a, 'a = 2')], [2, op.release(m, 'unlock')], [0, lock]]);
    expect(tr.hb(1, 4)).toBe(true);
    const v = new NotDep(view);
    v.build(tr, 0, 4);
    expect(v.left).toBe(2);
    expect(v.weakInitial(0, lock, ANY_VALUE)).toBe(true);
    expect(v.weakInitial(3, tr.ops[1] as Op, ANY_VALUE)).toBe(true);
    expect(v.startWith({ isOpen: (t) => t === 1 })).toBe(false);
    expect(v.startWith({ isOpen: (t) => t === 0 })).toBe(true);
    const root: WakeupNode[] = [];
    v.appendTo(root);
    expect(branches(root)).toEqual([[0, 3]]);
  });
});
