/**
 * Per-thread priority arrays of the priority-based samplers (PCT, POS): they start small and grow
 * to the number of threads a model creates, so a sampler costs a few hundred bytes for the common
 * handful of threads and still serves models with thousands (up to the engine's MAX_THREADS).
 * Leaves out: the priorities' meaning (pct.ts, pos.ts).
 */

/** Initial size: covers every model of a few dozen threads without growing. */
export const INITIAL_PRIORITIES = 64;

/** A copy of `prio` with room for at least `n` threads (doubling, so growth is rare). */
export function growPriorities(prio: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(n, prio.length * 2));
  b.set(prio);
  return b;
}
