/**
 * Binary relations and sets over the events of one execution graph, as bitsets: the algebra the
 * cat language of herd7 writes the Linux-kernel memory model in (`r1 ; r2`, `r1 | r2`, `r1 & r2`,
 * `r1 \ r2`, `r^-1`, `r+`, `r*`, `r?`, `[S]`, `S1 * S2`, `acyclic`, `irreflexive`, `empty`).
 * A relation over n events is n rows of ceil(n/32) words; a set is one such row. Sizes stay small
 * (a litmus test has tens of events), so closures are Warshall's O(n^2 * n/32).
 * Leaves out: anything incremental (every check recomputes from the graph: see consistency.ts).
 */

export type EventSet = Uint32Array;

export class Rel {
  readonly w: number;
  readonly bits: Uint32Array;
  constructor(readonly n: number, bits?: Uint32Array) {
    this.w = (n + 31) >>> 5;
    this.bits = bits ?? new Uint32Array(n * this.w);
  }

  static fromPairs(n: number, pairs: Iterable<readonly [number, number]>): Rel {
    const r = new Rel(n);
    for (const [a, b] of pairs) r.add(a, b);
    return r;
  }

  /** `[S]`: the identity restricted to set `s`. */
  static id(n: number, s?: EventSet): Rel {
    const r = new Rel(n);
    for (let i = 0; i < n; i++) if (s === undefined || has(s, i)) r.add(i, i);
    return r;
  }

  /** `S1 * S2`: every pair of an event of s1 and an event of s2. */
  static cross(n: number, s1: EventSet, s2: EventSet): Rel {
    const r = new Rel(n);
    for (let i = 0; i < n; i++) if (has(s1, i)) r.bits.set(s2, i * r.w);
    return r;
  }

  add(a: number, b: number): void {
    this.bits[a * this.w + (b >>> 5)] = (this.bits[a * this.w + (b >>> 5)] as number) | (1 << (b & 31));
  }

  has(a: number, b: number): boolean {
    return ((this.bits[a * this.w + (b >>> 5)] as number) & (1 << (b & 31))) !== 0;
  }

  private map2(o: Rel, f: (x: number, y: number) => number): Rel {
    const out = new Rel(this.n);
    for (let i = 0; i < this.bits.length; i++) out.bits[i] = f(this.bits[i] as number, o.bits[i] as number);
    return out;
  }

  or(...rs: Rel[]): Rel {
    let out: Rel = this;
    for (const r of rs) out = out.map2(r, (x, y) => x | y);
    return out;
  }

  and(o: Rel): Rel {
    return this.map2(o, (x, y) => x & y);
  }

  minus(o: Rel): Rel {
    return this.map2(o, (x, y) => x & ~y);
  }

  /** Row i of `this` |= row j of `src`. */
  private orRow(i: number, src: Rel, j: number): void {
    const w = this.w;
    for (let k = 0; k < w; k++) this.bits[i * w + k] = (this.bits[i * w + k] as number) | (src.bits[j * w + k] as number);
  }

  /** `this ; o`. */
  seq(o: Rel): Rel {
    const out = new Rel(this.n);
    for (let i = 0; i < this.n; i++) for (let j = 0; j < this.n; j++) if (this.has(i, j)) out.orRow(i, o, j);
    return out;
  }

  /** `r1 ; r2 ; ...`. */
  then(...rs: Rel[]): Rel {
    let out: Rel = this;
    for (const r of rs) out = out.seq(r);
    return out;
  }

  inv(): Rel {
    const out = new Rel(this.n);
    for (let i = 0; i < this.n; i++) for (let j = 0; j < this.n; j++) if (this.has(i, j)) out.add(j, i);
    return out;
  }

  /** `r+` (Warshall). */
  plus(): Rel {
    const out = new Rel(this.n, this.bits.slice());
    for (let k = 0; k < this.n; k++) for (let i = 0; i < this.n; i++) if (out.has(i, k)) out.orRow(i, out, k);
    return out;
  }

  /** `r*`. */
  star(): Rel {
    return this.plus().or(Rel.id(this.n));
  }

  /** `r?`. */
  opt(): Rel {
    return this.or(Rel.id(this.n));
  }

  /** `[s] ; r`. */
  dom(s: EventSet): Rel {
    const out = new Rel(this.n, this.bits.slice());
    for (let i = 0; i < this.n; i++) if (!has(s, i)) out.bits.fill(0, i * this.w, (i + 1) * this.w);
    return out;
  }

  /** `r ; [s]`. */
  rng(s: EventSet): Rel {
    const out = new Rel(this.n, this.bits.slice());
    for (let i = 0; i < this.n; i++) for (let k = 0; k < this.w; k++) out.bits[i * this.w + k] = (out.bits[i * this.w + k] as number) & (s[k] as number);
    return out;
  }

  /** `[a] ; r ; [b]`. */
  between(a: EventSet, b: EventSet): Rel {
    return this.dom(a).rng(b);
  }

  isEmpty(): boolean {
    for (let i = 0; i < this.bits.length; i++) if (this.bits[i] !== 0) return false;
    return true;
  }

  irreflexive(): boolean {
    for (let i = 0; i < this.n; i++) if (this.has(i, i)) return false;
    return true;
  }

  acyclic(): boolean {
    return this.plus().irreflexive();
  }

  /** The pairs, in order (reports). */
  pairs(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) for (let j = 0; j < this.n; j++) if (this.has(i, j)) out.push([i, j]);
    return out;
  }
}

export function has(s: EventSet, i: number): boolean {
  return ((s[i >>> 5] as number) & (1 << (i & 31))) !== 0;
}

export function newSet(n: number): EventSet {
  return new Uint32Array((n + 31) >>> 5);
}

export function setOf(n: number, pred: (i: number) => boolean): EventSet {
  const s = newSet(n);
  for (let i = 0; i < n; i++) if (pred(i)) s[i >>> 5] = (s[i >>> 5] as number) | (1 << (i & 31));
  return s;
}

export function setOr(a: EventSet, b: EventSet): EventSet {
  return a.map((x, i) => x | (b[i] as number));
}

export function setMinus(a: EventSet, b: EventSet): EventSet {
  return a.map((x, i) => x & ~(b[i] as number));
}

export function setAnd(a: EventSet, b: EventSet): EventSet {
  return a.map((x, i) => x & (b[i] as number));
}
