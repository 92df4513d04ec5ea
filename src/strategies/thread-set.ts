/**
 * A set of thread ids for DPOR's per-node bookkeeping (enabled, sleep and done sets, the threads of
 * a reversing sequence): a bit set whose word 0 (threads 0..31) is a plain number field and whose
 * higher words live in an Int32Array allocated the first time a thread past 31 joins, and grown on
 * demand up to the engine's MAX_THREADS. Models of up to 32 threads therefore pay what a bare
 * `1 << t` mask costs (one field, one extra `t < 32` test the JIT folds into the inlined method),
 * and the sets are reused in place (`clear`, `copy`): nothing is allocated per step.
 * Iteration is `for (let t = s.first(); t >= 0; t = s.next(t + 1))`, lowest id first.
 * Leaves out: set algebra returning new sets (callers combine membership tests, or `copy` into a
 * scratch set and `andNot`).
 */

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowBit(w: number): number {
  return 31 - Math.clz32(w & -w);
}

export class ThreadSet {
  /** Threads 0..31. */
  lo = 0;
  /** Word k-1 holds threads 32k .. 32k+31 (null until a thread past 31 is added). */
  private hi: Int32Array | null = null;
  /** Words of `hi` that may be non-zero: hi[0 .. top). */
  private top = 0;

  has(t: number): boolean {
    if (t < 32) return (this.lo & (1 << t)) !== 0;
    const k = (t >> 5) - 1;
    return k < this.top && (((this.hi as Int32Array)[k] as number) & (1 << (t & 31))) !== 0;
  }

  add(t: number): void {
    if (t < 32) this.lo |= 1 << t;
    else this.addHigh(t);
  }

  private addHigh(t: number): void {
    const k = (t >> 5) - 1;
    let hi = this.hi;
    if (hi === null || k >= hi.length) {
      const grown = new Int32Array(Math.max(k + 1, hi === null ? 1 : 2 * hi.length));
      if (hi !== null) grown.set(hi);
      this.hi = hi = grown;
    }
    hi[k] = (hi[k] as number) | (1 << (t & 31));
    if (k >= this.top) this.top = k + 1;
  }

  delete(t: number): void {
    if (t < 32) this.lo &= ~(1 << t);
    else {
      const k = (t >> 5) - 1;
      if (k < this.top) {
        const hi = this.hi as Int32Array;
        hi[k] = (hi[k] as number) & ~(1 << (t & 31));
      }
    }
  }

  clear(): void {
    this.lo = 0;
    if (this.top !== 0) {
      (this.hi as Int32Array).fill(0, 0, this.top);
      this.top = 0;
    }
  }

  isEmpty(): boolean {
    if (this.lo !== 0) return false;
    for (let k = 0; k < this.top; k++) if ((this.hi as Int32Array)[k] !== 0) return false;
    return true;
  }

  /** Make this set equal to `o`. */
  copy(o: ThreadSet): this {
    this.lo = o.lo;
    if (this.top !== 0) {
      (this.hi as Int32Array).fill(0, 0, this.top);
      this.top = 0;
    }
    if (o.top !== 0) {
      const src = o.hi as Int32Array;
      if (this.hi === null || this.hi.length < o.top) this.hi = new Int32Array(src.length);
      this.hi.set(src.subarray(0, o.top));
      this.top = o.top;
    }
    return this;
  }

  /** Remove every member of `o`. */
  andNot(o: ThreadSet): this {
    this.lo &= ~o.lo;
    const n = Math.min(this.top, o.top);
    for (let k = 0; k < n; k++) {
      const hi = this.hi as Int32Array;
      hi[k] = (hi[k] as number) & ~((o.hi as Int32Array)[k] as number);
    }
    return this;
  }

  /** Keep only members of `o`. */
  and(o: ThreadSet): this {
    this.lo &= o.lo;
    for (let k = 0; k < this.top; k++) {
      const hi = this.hi as Int32Array;
      hi[k] = k < o.top ? (hi[k] as number) & ((o.hi as Int32Array)[k] as number) : 0;
    }
    return this;
  }

  /** Is some member of this set in none of `a`, `b`? (`this \ (a ∪ b)` non-empty.) */
  anyOutside(a: ThreadSet, b: ThreadSet): boolean {
    if ((this.lo & ~a.lo & ~b.lo) !== 0) return true;
    for (let k = 0; k < this.top; k++) {
      const w = (this.hi as Int32Array)[k] as number;
      if (w === 0) continue;
      const wa = k < a.top ? ((a.hi as Int32Array)[k] as number) : 0;
      const wb = k < b.top ? ((b.hi as Int32Array)[k] as number) : 0;
      if ((w & ~wa & ~wb) !== 0) return true;
    }
    return false;
  }

  /** The lowest member, -1 when empty. */
  first(): number {
    return this.lo !== 0 ? lowBit(this.lo) : this.next(32);
  }

  /** The lowest member >= `t`, -1 when there is none. */
  next(t: number): number {
    if (t < 32) {
      const w = this.lo & (-1 << t);
      if (w !== 0) return lowBit(w);
      t = 32;
    }
    let k = (t >> 5) - 1;
    if (k >= this.top) return -1;
    const hi = this.hi as Int32Array;
    let w = (hi[k] as number) & (-1 << (t & 31));
    for (;;) {
      if (w !== 0) return 32 * (k + 1) + lowBit(w);
      if (++k >= this.top) return -1;
      w = hi[k] as number;
    }
  }

  /** Members, lowest first (for tests and messages). */
  toArray(): number[] {
    const out: number[] = [];
    for (let t = this.first(); t >= 0; t = this.next(t + 1)) out.push(t);
    return out;
  }
}
