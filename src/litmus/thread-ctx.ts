/**
 * The run-time side of one litmus process in one execution: its registers (thread-local values
 * with their taints), the taint of what it last wrote to each location only it writes (carry-dep),
 * its RCU read-side nesting and the locks it holds (for herd7's unmatched-* flags), and how a
 * run-time error of the test becomes one LitmusError line with the file and line. Also the
 * execution's table of shared locations by name and the initial registers of a process.
 * Leaves out: the statements themselves (interp.ts) and the accesses (interp-prims.ts).
 */
import { LitmusError } from './errors.js';
import type { AccessCtx } from './interp-prims.js';
import type { ProcLayout } from './layout.js';
import { type LocObj, NO_TAINT, type TV, type Taint, type Value } from './values.js';

/** One execution's shared locations, by name (each object knows its name: `o.name`). */
export interface Runtime {
  readonly objs: ReadonlyMap<string, LocObj>;
}

/** Receives each read event and each declared dependency of a thread (see AccessCtx.trace). */
export type DepTrace = (proc: number, kind: 'read' | 'addr' | 'data' | 'ctrl', events: Taint, label: string) => void;

export class ThreadCtx implements AccessCtx {
  readonly regs = new Map<string, TV>();
  /** Taint of the value this process last wrote to each location of `own`, by location name. */
  private shadow: Map<string, Taint> | null = null;
  line = 0;
  /** RCU read-side nesting and the locks this process holds, by name (herd7's flags). */
  rcuDepth = 0;
  private held: Set<string> | null = null;
  /** herd7 flags this process raised: unmatched-rcu-unlock, unmatched-unlock. */
  flags: Set<string> | null = null;
  readonly trace: AccessCtx['trace'];

  constructor(
    readonly proc: number, readonly rt: Runtime, private readonly own: ReadonlySet<string>,
    private readonly file: string, private readonly onError: (e: LitmusError) => void, trace: DepTrace | null = null,
  ) {
    this.trace = trace ? (kind, events, label) => trace(proc, kind, events, label) : null;
  }

  carried(o: LocObj): Taint | null {
    return this.own.has(o.name) ? (this.shadow?.get(o.name) ?? NO_TAINT) : null;
  }

  stored(o: LocObj, t: Taint): void {
    if (this.own.has(o.name)) (this.shadow ??= new Map()).set(o.name, t);
  }

  name(o: LocObj): string {
    return o.name;
  }

  track(event: 'rcu-lock' | 'rcu-unlock' | 'lock' | 'unlock', o: LocObj | null): boolean {
    if (event === 'rcu-lock') this.rcuDepth++;
    else if (event === 'rcu-unlock') {
      if (this.rcuDepth > 0) this.rcuDepth--;
      else (this.flags ??= new Set()).add('unmatched-rcu-unlock');
    } else if (o !== null) {
      const held = (this.held ??= new Set());
      if (event === 'lock') held.add(o.name);
      else if (!held.delete(o.name)) {
        (this.flags ??= new Set()).add('unmatched-unlock');
        return false;
      }
    }
    return true;
  }

  /** The flags of this process at its end (a read-side section still open: unmatched-rcu-lock). */
  endFlags(): string[] {
    const out = this.flags ? [...this.flags] : [];
    if (this.rcuDepth > 0) out.push('unmatched-rcu-lock');
    return out;
  }

  fail(msg: string): never {
    const e = new LitmusError(this.file, this.line, `${this.file}:${this.line}: P${this.proc}: ${msg}`);
    this.onError(e);
    throw e;
  }
}

/** The initial registers of a process: its parameters' addresses, then init values or 0. */
export function initialRegisters(c: ThreadCtx, layout: ProcLayout): void {
  for (const p of layout.params) c.regs.set(p, { v: c.rt.objs.get(p) as LocObj, t: NO_TAINT });
  for (const r of layout.registers) {
    const init = layout.regInit.get(r);
    const v: Value = init === undefined ? 0 : init.k === 'num' ? init.v : (c.rt.objs.get(init.name) as LocObj);
    c.regs.set(r, { v, t: NO_TAINT });
  }
}
