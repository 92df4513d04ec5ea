/**
 * Queued prefixes of the bounded systematic searches (dfs.ts's preemption bounding, delay.ts's
 * delay bounding): the first `len` decisions (and their signatures, signature.ts) of the execution
 * that queued one, then the thread `alt` that deviates there (-1: none, the root). Items queued by
 * one execution share its path arrays, so a queue costs a few words per deviation point instead of
 * a copy of the path. Replaying one checks every signature, as a stateless checker must (Godefroid,
 * POPL 1997): a different one means the model is not deterministic apart from the schedule.
 * Leaves out: what a bound counts (each search's own file).
 */

export interface Prefix {
  readonly steps: readonly number[];
  readonly sigs: readonly number[];
  readonly len: number;
  readonly alt: number;
}

/** The empty prefix: an execution from the root. */
export const ROOT_PREFIX: Prefix = { steps: [], sigs: [], len: 0, alt: -1 };

/** Decisions a prefix fixes: its recorded ones and, when it has one, the deviating thread. */
export function prefixLength(w: Prefix): number {
  return w.alt >= 0 ? w.len + 1 : w.len;
}

/** PAST: the position is beyond the prefix; DIVERGED: the recorded signature differs. */
export const PAST = -2;
export const DIVERGED = -1;

/** The decision prefix `w` fixes at position `p` (seen with signature `sig`), or PAST / DIVERGED. */
export function prefixDecision(w: Prefix, p: number, sig: number): number {
  if (p >= prefixLength(w)) return PAST;
  if (w.sigs[p] !== sig) return DIVERGED;
  return p < w.len ? (w.steps[p] as number) : w.alt;
}

/** The decisions of the running execution, from which its deviations are queued as prefixes. */
export class PathLog {
  /** Decisions made so far in this execution. */
  pos = 0;
  private steps: number[] = [];
  private sigs: number[] = [];

  /** Start an execution: fresh arrays, since prefixes queued by the last one still share the old. */
  reset(): void {
    this.pos = 0;
    this.steps = [];
    this.sigs = [];
  }

  /** Decision `step` taken at a point of signature `sig`; returns `step`. */
  record(step: number, sig: number): number {
    this.steps.push(step);
    this.sigs.push(sig);
    this.pos++;
    return step;
  }

  /** The decisions so far, then thread `alt` at the current position instead of what is taken. */
  deviate(alt: number): Prefix {
    return { steps: this.steps, sigs: this.sigs, len: this.pos, alt };
  }
}
