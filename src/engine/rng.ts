/**
 * Seeded PRNG for strategies: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded
 * through splitmix32 so that nearby seeds give unrelated streams. Deterministic across platforms.
 * Leaves out: cryptographic quality; strategies need speed and reproducibility only.
 */

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = this.b = this.c = this.d = 0;
    this.reseed(seed);
  }

  /** Restart the stream from `seed`, as `new Rng(seed)` would (no allocation). */
  reseed(seed: number): void {
    const s = seed >>> 0;
    this.a = splitmix(s, 1);
    this.b = splitmix(s, 2);
    this.c = splitmix(s, 3);
    this.d = splitmix(s, 4);
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * Uniform integer in [0, n) from the top 30 bits: `u32() % n` would take a uint32 that V8 holds
   * as a double, and a double modulo is a libm call (it cost ~20 ns a pick). Bias < n / 2^30.
   */
  below(n: number): number {
    return n <= 1 ? 0 : ((this.u32() >>> 2) % n);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
}

/** The k-th output of splitmix32 started at `s` (the state advances by the golden-ratio step). */
function splitmix(s: number, k: number): number {
  let z = (s + Math.imul(k, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derive a child seed (for per-execution or per-worker streams). */
export function mixSeed(seed: number, k: number): number {
  let z = (seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}
