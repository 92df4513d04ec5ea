/**
 * The run-time check of a Wait's declared read set (`Op.reads`): DPOR treats a Wait as dependent
 * only with writes of the objects it declares (its own object plus `reads`), so a condition that
 * reads anything else would let DPOR skip orderings that matter and call the model exhaustive
 * wrongly. The enabled set re-evaluates every pending Wait at every step; this watches each
 * declared wait's value between two evaluations and reports a `usage` violation when it changed
 * across a step whose op wrote none of the declared objects (an op on another object, a fence, a
 * yield, or the thread code after one of them). A wait without `reads` may read anything and is
 * never reported (DPOR makes it dependent with every op instead).
 * Leaves out: a condition that reads an undeclared object whose value never changes while the
 * thread waits (harmless: no ordering of it can change the outcome either), which is why DPOR's
 * own audit (src/engine/audit.ts) also re-runs and swaps executions.
 */
import { Access, type Op, OpKind, accessOf } from './ops.js';
import { type Violation, violation } from './violation.js';

/** Does op `o` write an object the Wait `w` declares (`blockOf` maps a field to its struct)? */
function writesDeclared(w: Op, o: Op, host: { blockOf(obj: number): number }): boolean {
  const acc = accessOf(o.kind);
  if (o.obj < 0 || acc === Access.Read || acc === Access.None) return false;
  const free = o.kind === OpKind.Free;
  if (w.obj >= 0 && (w.obj === o.obj || (free && host.blockOf(w.obj) === o.obj))) return true;
  const r = w.reads;
  if (r !== undefined) {
    for (let i = 0; i < r.length; i++) {
      const x = r[i] as number;
      if (x === o.obj || (free && host.blockOf(x) === o.obj)) return true;
    }
  }
  return false;
}

export class WaitCheck {
  /** Last value of each thread's pending declared wait: -1 none yet, 0 false, 1 true. */
  private seen = new Int8Array(64);

  /** Some thread's value was recorded since the last reset. */
  private touched = true;

  reset(): void {
    if (!this.touched) return;
    this.seen.fill(-1);
    this.touched = false;
  }

  /** Thread `tid` has a new pending op: forget its last wait value. */
  forget(tid: number): void {
    if (tid < this.seen.length) this.seen[tid] = -1;
  }

  /**
   * The wait `w` of thread `tid` evaluated to `value` after `last` (run by thread `lastTid`, -1 at
   * the start): true when the value changed across an op that writes nothing `w` declares (then
   * `report` builds the violation). Allocates nothing: the enabled set calls it for every pending
   * declared wait at every step.
   */
  changed(tid: number, w: Op, value: boolean, last: Op | undefined, lastTid: number, host: { blockOf(obj: number): number }): boolean {
    if (w.reads === undefined) return false;
    if (tid >= this.seen.length) {
      const s = new Int8Array(Math.max(tid + 1, this.seen.length * 2)).fill(-1);
      s.set(this.seen);
      this.seen = s;
    }
    const v = value ? 1 : 0;
    const prev = this.seen[tid] as number;
    this.seen[tid] = v;
    this.touched = true;
    if (prev < 0 || prev === v || last === undefined || lastTid === tid) return false;
    return !writesDeclared(w, last, host);
  }

  /** The `usage` violation for a wait whose condition `changed` across `last`. */
  report(tid: number, w: Op, value: boolean, last: Op, lastTid: number, step: number,
    describe: (o: Op) => string, threadName: (t: number) => string): Violation {
    const reads = w.reads ?? [];
    return violation('usage',
      `the wait of ${threadName(tid)} at '${w.label}' declares it reads only its own object${reads.length > 0 ? ' and the objects in `reads`' : ''}, but its condition became ${value} after ${threadName(lastTid)} ran ${describe(last)}, which writes none of them: list every object the condition reads in the wait's \`reads\`, or leave \`reads\` out (then DPOR treats the wait as dependent with every op)`,
      { threads: [tid, lastTid], step, title: 'mapcheck: wait condition reads an undeclared object' });
  }
}
