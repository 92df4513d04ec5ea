/**
 * Shared by the delay-bounding suites: small programs written as strings (one per thread), the
 * mapcheck model that runs them, and a brute-force enumeration of their schedules with the number
 * of delays each needs under non-preemptive round-robin — written from the definition (Emmi,
 * Qadeer & Rakamarić, POPL 2011; SCTBench's base scheduler), independently of src/strategies/delay.ts.
 *
 * Ops: `x` an atomic increment of the thread's own counter (independent of everything), `A`/`a`
 * lock/unlock of mutex A, `B`/`b` of mutex B, `2`/`3` a choose(2)/choose(3), `S` spawn a child
 * that does `xx`. A thread whose next op is an acquire of a held mutex is disabled; no thread
 * enabled with some unfinished is a deadlock, which ends the execution.
 * Leaves out: waits and joins (the engine's own suites cover their enabledness).
 */
import { Atomic, type Op, Mutex, choose, defineModel, spawn, thread } from '../../src/index.js';

export type Progs = { readonly progs: readonly string[] };

interface S {
  c: Atomic[];
  m: Mutex[];
}

function* run(s: S, prog: string, me: number): Generator<Op, void, unknown> {
  for (const ch of prog) {
    if (ch === 'x') yield* (s.c[me] as Atomic).add(1);
    else if (ch === 'A' || ch === 'B') yield* (s.m[ch === 'A' ? 0 : 1] as Mutex).lock();
    else if (ch === 'a' || ch === 'b') yield* (s.m[ch === 'a' ? 0 : 1] as Mutex).unlock();
    else if (ch === '2' || ch === '3') yield* choose(Number(ch));
    else if (ch === 'S') yield* spawn(() => run(s, 'xx', me), 'child');
    else throw new Error(`bad op ${ch}`);
  }
}

export const progModel = defineModel<S, Progs>({
  name: 'test/delay-progs',
  scenarios: { two: { progs: ['xx', 'xx'] } },
  setup: (p) => ({ c: p.progs.map((_, i) => new Atomic(0, `c${i}`)), m: [new Mutex('A'), new Mutex('B')] }),
  threads: (s, p) => p.progs.map((prog, i) => thread(`T${i}`, () => run(s, prog, i))),
});

/** One schedule (thread picks and choose values, in order) and the delays it takes. */
export interface Enumerated {
  readonly schedule: string;
  readonly delays: number;
}

/**
 * Every schedule of `progs` with at most `bound` delays (all of them when bound is Infinity), or
 * null when there are more than `limit`.
 */
export function enumerate(progs: readonly string[], bound: number, limit = 1e6): Enumerated[] | null {
  const out: Enumerated[] = [];
  const code: string[] = [...progs];
  const pc: number[] = progs.map(() => 0);
  const owner = [-1, -1];
  const trail: number[] = [];
  const enabled = (): number[] => {
    const e: number[] = [];
    for (let t = 0; t < code.length; t++) {
      const ch = (code[t] as string)[pc[t] as number];
      if (ch === undefined) continue;
      if ((ch === 'A' && owner[0] !== -1) || (ch === 'B' && owner[1] !== -1)) continue;
      e.push(t);
    }
    return e;
  };
  const go = (last: number, delays: number): void => {
    if (out.length > limit) return;
    const e = enabled();
    if (e.length === 0) {
      out.push({ schedule: trail.join(','), delays });
      return;
    }
    // The base scheduler's pick: the last thread while enabled, else the next id after it, cyclically.
    let start = e.findIndex((t) => t >= last);
    if (start < 0) start = 0;
    for (let i = 0; i < e.length && delays + i <= bound; i++) {
      const t = e[(start + i) % e.length] as number;
      const ch = (code[t] as string)[pc[t] as number] as string;
      pc[t]!++;
      trail.push(t);
      const undo: (() => void)[] = [];
      if (ch === 'A' || ch === 'B') {
        owner[ch === 'A' ? 0 : 1] = t;
        undo.push(() => { owner[ch === 'A' ? 0 : 1] = -1; });
      } else if (ch === 'a' || ch === 'b') {
        owner[ch === 'a' ? 0 : 1] = -1;
        undo.push(() => { owner[ch === 'a' ? 0 : 1] = t; });
      } else if (ch === 'S') {
        code.push('xx');
        pc.push(0);
        undo.push(() => { code.pop(); pc.pop(); });
      }
      if (ch === '2' || ch === '3') {
        for (let v = 0; v < Number(ch); v++) {
          trail.push(v);
          go(t, delays + i);
          trail.pop();
        }
      } else {
        go(t, delays + i);
      }
      for (const u of undo) u();
      trail.pop();
      pc[t]!--;
    }
  };
  go(-1, 0);
  return out.length > limit ? null : out;
}
