/**
 * Symmetry reduction for interchangeable threads (issue 16). A model may declare threads of
 * `threads()` interchangeable: `thread(name, body, { symmetry: 'caller' })` on two or more threads
 * says that swapping their bodies changes nothing but the names (the K callers of a fixed seed
 * design, identical readers). Every execution is then, up to renaming the threads of a group, one
 * in which they take their first steps in creation order, so exploring only those loses no
 * violation: the scalarset argument of Ip & Dill ("Better verification through symmetry", FMSD
 * 1996) and Emerson & Sistla ("Symmetry and model checking", FMSD 1996), applied to start order
 * only, which a stateless explorer can enforce without comparing states. With K threads in a group
 * it cuts the executions by up to K! (each orbit of start orders keeps one member).
 *
 * The door into the step loop is the thread list: `gateSymmetric` wraps the body of each thread of
 * a group of two or more in a gate on a per-group engine object: the k-th thread (k >= 1) first
 * waits until the (k-1)-th has announced its start, runs its own first op, then announces with a
 * relaxed RMW of the gate. So the k-th thread's first op always follows the (k-1)-th's. These are
 * ordinary engine steps (at most two per thread), so tokens, replay, the minimizer and every
 * strategy see them; DPOR sees a wait and the announcement it waits for as conflicting accesses to
 * the gate, and their reversal as infeasible (the waiter is blocked), so it never tries it.
 * The declaration is a promise the checker cannot take on trust: the audit (audit.ts) re-runs
 * sampled schedules with the bodies of two adjacent threads of a group swapped, and any difference
 * in what the threads did (op kinds and objects), returned or violated is a `usage` finding that
 * stops the run from being called exhaustive.
 * Leaves out: threads spawned at run time (only `threads()` may declare a group), symmetry of data
 * (two threads identical up to a parameter are not interchangeable), and the LKMM (gates are not
 * applied under `memoryModel: 'lkmm'`; the result notes it).
 */
import type { ThreadSpec } from './model.js';
import type { ObjectTable } from './objects.js';
import { Mo, type Op, READS_OWN, type ThreadGen, op } from './ops.js';

/**
 * `Op.detail` of a gate's announcement. Running it later than right after the thread's first op
 * only delays the next thread's start, so a strategy that enumerates interleavings (DFS) need not
 * branch before it: every behaviour is reached with the announcement made at once.
 */
export const SYMMETRY_ANNOUNCE = 'symmetry-announce';

/**
 * `Op.detail` of a gate's wait. Once it passed, the thread's first op may run at once: a wait made
 * earlier than right before that op only runs earlier a step nobody else can observe, so DFS need
 * not branch between the two either.
 */
export const SYMMETRY_WAIT = 'symmetry-wait';

const NONE: readonly number[][] = [];

/** The thread indices of each declared group of two or more, in creation order. */
export function symmetryGroups(specs: readonly ThreadSpec[]): readonly number[][] {
  let any = false;
  for (let i = 0; i < specs.length && !any; i++) any = (specs[i] as ThreadSpec).symmetry !== undefined;
  if (!any) return NONE;
  const by = new Map<string, number[]>();
  specs.forEach((s, i) => {
    if (s.symmetry === undefined) return;
    const g = by.get(s.symmetry);
    if (g === undefined) by.set(s.symmetry, [i]);
    else g.push(i);
  });
  return [...by.values()].filter((g) => g.length >= 2);
}

/** `specs` with the bodies of threads `a` and `b` exchanged (names kept): the audit's symmetry probe. */
export function swapBodies(specs: readonly ThreadSpec[], a: number, b: number): ThreadSpec[] {
  const out = [...specs];
  const x = specs[a];
  const y = specs[b];
  if (x === undefined || y === undefined) return out;
  out[a] = { ...x, body: y.body };
  out[b] = { ...y, body: x.body };
  return out;
}

/** The specs with every thread of a group gated to start after the previous one of its group. */
export function gateSymmetric(specs: readonly ThreadSpec[], groups: readonly number[][], objects: ObjectTable): ThreadSpec[] {
  const out = [...specs];
  for (const g of groups) {
    const first = specs[g[0] as number] as ThreadSpec;
    const name = first.symmetry ?? '';
    const obj = objects.add('symmetry', `symmetry gate '${name}'`, -1);
    const gate = { turn: 0 };
    g.forEach((ti, k) => {
      const s = specs[ti] as ThreadSpec;
      const inner = s.body;
      // The constructors, not a spread with a detail: a spread gives the op a shape of its own (ops.ts).
      const waitOp = op.wait(obj, `${s.name}: starts after the previous '${name}' thread (symmetry)`, () => gate.turn >= k, READS_OWN, SYMMETRY_WAIT);
      const takeOp = op.rmw(obj, `${s.name}: starts (symmetry '${name}')`, Mo.Once, SYMMETRY_ANNOUNCE);
      out[ti] = { ...s, body: () => new GatedThread(inner(), k, waitOp, takeOp, gate) };
    });
  }
  return out;
}

/**
 * A gated thread: its gate wait (k >= 1), its first real op, the announcement, then the body's own
 * ops. A hand-written iterator rather than a wrapping generator: after the gate each step is one
 * plain method call into the body, not a second generator resumption (the wrapper cost ~9 % of a
 * DPOR run of the seed-000 miniature).
 */
class GatedThread implements ThreadGen {
  /** 0: gate wait next; 1: start the body; 2: first op done; 3: announcement done; 4: the body's own. */
  private phase: number;
  private held: IteratorResult<Op, unknown> | null = null;

  constructor(private readonly inner: ThreadGen, private readonly k: number, private readonly waitOp: Op, private readonly takeOp: Op, private readonly gate: { turn: number }) {
    this.phase = k > 0 ? 0 : 1;
  }

  next(value?: unknown): IteratorResult<Op, unknown> {
    switch (this.phase) {
      case 4: return this.inner.next(value);
      case 0: this.phase = 1; return { done: false, value: this.waitOp };
      case 1: {
        const r = this.inner.next();
        if (r.done === true) return this.announce(r);
        this.phase = 2;
        return r;
      }
      case 2:
        // Complete the first op now (its effect and the code after it run in its own slice), then announce.
        return this.announce(this.inner.next(value));
      default: {
        // The announcement ran: the next thread of the group may start.
        this.gate.turn = this.k + 1;
        const r = this.held as IteratorResult<Op, unknown>;
        this.held = null;
        this.phase = 4;
        return r;
      }
    }
  }

  private announce(r: IteratorResult<Op, unknown>): IteratorResult<Op, unknown> {
    this.held = r;
    this.phase = 3;
    return { done: false, value: this.takeOp };
  }

  return(value: unknown): IteratorResult<Op, unknown> {
    this.phase = 4;
    return this.inner.return(value);
  }

  throw(e: unknown): IteratorResult<Op, unknown> {
    this.phase = 4;
    return this.inner.throw(e);
  }

  [Symbol.iterator](): ThreadGen {
    return this;
  }
}
