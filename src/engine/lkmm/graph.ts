/**
 * The execution graph of one execution under the Linux-kernel memory model (the shape GenMC
 * builds, Kokologiannakis et al. PLDI 2019): one event per memory access, fence and lock or RCU
 * operation, in the order the threads performed them (so, within a thread, index order is program
 * order), with the reads-from source of every read, the coherence order of every location, the
 * RMW pairs and the declared address / data / control dependencies. Event kinds and annotations
 * are those of linux-kernel.bell and lock.cat: R, W and F events; ONCE, ACQUIRE, RELEASE, MB,
 * NORETURN; LKR, LKW, UL, LF, RL, RU for locks; the fence kinds of linux-kernel.def.
 * Leaves out: SRCU events; computing relations (consistency.ts); choosing (memory.ts).
 */

/** Event kinds. */
export const EvKind = { R: 1, W: 2, F: 4 } as const;

/** Annotations (bits; an event may carry several). */
export const Ann = {
  ONCE: 1 << 0, ACQUIRE: 1 << 1, RELEASE: 1 << 2, MB: 1 << 3, NORETURN: 1 << 4,
  /** The initial write of a location. */
  IW: 1 << 5,
  /** Part of an RMW instruction (successful or failed). */
  RMW: 1 << 6,
  /** A failed conditional RMW (cmpxchg that did not store): its ACQUIRE / MB give no order. */
  FAILED: 1 << 7,
  LKR: 1 << 8, LKW: 1 << 9, UL: 1 << 10, LF: 1 << 11, RL: 1 << 12, RU: 1 << 13,
  // Fences.
  F_MB: 1 << 14, F_WMB: 1 << 15, F_RMB: 1 << 16, F_BARRIER: 1 << 17,
  F_BEFORE_ATOMIC: 1 << 18, F_AFTER_ATOMIC: 1 << 19, F_AFTER_SPINLOCK: 1 << 20, F_AFTER_UNLOCK_LOCK: 1 << 21,
  RCU_LOCK: 1 << 22, RCU_UNLOCK: 1 << 23, SYNC_RCU: 1 << 24,
  /** Inside data_race(): a plain access whose races are not reported. */
  DATA_RACE: 1 << 25,
} as const;

/** Annotations that make a memory access marked (linux-kernel.bell's Marked, plus the lock events). */
export const MARKED = Ann.IW | Ann.ONCE | Ann.RELEASE | Ann.ACQUIRE | Ann.MB | Ann.RMW | Ann.LKR | Ann.LKW | Ann.UL | Ann.LF | Ann.RL | Ann.RU;

export interface Event {
  readonly tid: number;
  readonly kind: number;
  ann: number;
  /** Location (object id); -1 for fences. */
  readonly loc: number;
  /** The step (op) of the execution that made it; -1 for initial writes. */
  readonly step: number;
  readonly label: string;
  /** Reads: the write read from. */
  rf: number;
  /** Writes: the value stored (undefined until the writing thread ran). */
  value: unknown;
  /** Dependencies on earlier reads (event ids). */
  addr: readonly number[];
  data: readonly number[];
  ctrl: readonly number[];
}

export class Graph {
  events: Event[] = [];
  /** Coherence order per location: write event ids, the initial write first. */
  co = new Map<number, number[]>();
  /** Successful RMW pairs and lock RMW pairs: read event -> write event. */
  rmw = new Map<number, number>();
  /** The event a step made (an RMW's read), for resolving dependencies declared by step. */
  stepEvent = new Map<number, number>();

  reset(): void {
    this.events = [];
    this.co = new Map();
    this.rmw = new Map();
    this.stepEvent = new Map();
  }

  add(e: Omit<Event, 'rf' | 'value' | 'addr' | 'data' | 'ctrl'> & Partial<Pick<Event, 'addr' | 'data' | 'ctrl'>>): number {
    const id = this.events.length;
    this.events.push({ rf: -1, value: undefined, addr: [], data: [], ctrl: [], ...e });
    return id;
  }

  /** Remove the last event (a tentative choice undone). */
  pop(): void {
    this.events.pop();
  }

  coOf(loc: number): number[] {
    let c = this.co.get(loc);
    if (c === undefined) this.co.set(loc, (c = []));
    return c;
  }

  /** The write a coherence-later write would follow last: the co-last write of `loc`. */
  last(loc: number): number {
    const c = this.coOf(loc);
    return c[c.length - 1] ?? -1;
  }

  ev(id: number): Event {
    return this.events[id] as Event;
  }
}
