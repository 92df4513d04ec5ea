/**
 * Dependencies a thread declares between its events, for a weak memory model: the LKMM orders a
 * read before a later access when the access's address (addr), the value it writes (data) or the
 * decision to execute it (ctrl) was computed from the value read (tools/memory-model/
 * Documentation/explanation.txt, "DEPENDENCY RELATIONS"). Thread code is JavaScript, so the engine
 * cannot see data flow: a model (or the litmus front end, which tracks registers) declares it.
 * Events are named by the step index of the op (`lastEvent()` right after a read's `yield*`).
 * addr and data apply to the thread's next access only; ctrl applies to every later access of the
 * thread (a branch on the value guards everything after it, as herd7 counts it).
 * Under sequential consistency nothing reads these: the tracker exists only while a memory model
 * that uses dependencies runs, so declaring them costs nothing otherwise.
 * Leaves out: inferring dependencies (see lkmm's handling of rcu_dereference for the one inferred).
 */

export const DepKind = { Addr: 0, Data: 1, Ctrl: 2 } as const;
export type DepKind = (typeof DepKind)[keyof typeof DepKind];

/** The dependencies of one access. */
export interface AccessDeps {
  readonly addr: readonly number[];
  readonly data: readonly number[];
  readonly ctrl: readonly number[];
}

export const NO_DEPS: AccessDeps = Object.freeze({ addr: [], data: [], ctrl: [] });

export class DepTracker {
  private next: { addr: number[]; data: number[] }[] = [];
  private ctrl: number[][] = [];

  /** Thread `tid` declares that its next access (addr, data) or every later one (ctrl) depends on `events`. */
  declare(tid: number, kind: DepKind, events: readonly number[]): void {
    if (kind === DepKind.Ctrl) {
      const c = (this.ctrl[tid] ??= []);
      for (const e of events) if (!c.includes(e)) c.push(e);
      return;
    }
    const n = (this.next[tid] ??= { addr: [], data: [] });
    (kind === DepKind.Addr ? n.addr : n.data).push(...events);
  }

  /** The dependencies thread `tid`'s next access will take, without consuming them. */
  peek(tid: number): AccessDeps {
    const n = this.next[tid];
    const c = this.ctrl[tid];
    if (n === undefined && c === undefined) return NO_DEPS;
    return { addr: n?.addr ?? [], data: n?.data ?? [], ctrl: c ?? [] };
  }

  /** The dependencies of thread `tid`'s access now being performed (consumes addr and data). */
  take(tid: number): AccessDeps {
    const n = this.next[tid];
    const c = this.ctrl[tid];
    if (n === undefined && c === undefined) return NO_DEPS;
    this.next[tid] = undefined as unknown as { addr: number[]; data: number[] };
    return { addr: n?.addr ?? [], data: n?.data ?? [], ctrl: c ? [...c] : [] };
  }
}
