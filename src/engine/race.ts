/**
 * Data-race detection with the kernel's rules (LKMM, tools/memory-model/Documentation/
 * explanation.txt "PLAIN ACCESSES AND DATA RACES"; KCSAN): two accesses to the same location from
 * different threads, at least one a write and at least one plain, not ordered by happens-before
 * (clocks.ts, with the edges sync.ts derives). Marked accesses (READ_ONCE, WRITE_ONCE, atomics,
 * acquire/release) never race with each other, but a plain access racing with a marked one is a
 * race. Accesses inside `data_race()` are neither checked nor recorded.
 *
 * Per location we keep FastTrack-style epochs (Flanagan & Freund, PLDI 2009): the last plain write
 * (plain writes are ordered with every write, or a race was already reported), the last marked
 * write of each thread (marked writes need not be ordered with each other, so one per thread), and
 * the last plain and the last marked read of each thread since the last plain write. Unlike KCSAN,
 * which samples watchpoints, this checks every access of every explored execution.
 * Leaves out: FastTrack's read-shared/read-exclusive switching (per-thread epochs are kept always:
 * models have few threads), access sizes (one object = one location).
 */
import type { HappensBefore } from './clocks.js';

/** The earlier access of a race. */
export interface PriorAccess {
  readonly thread: number;
  readonly step: number;
  readonly label: string;
  readonly write: boolean;
  readonly marked: boolean;
}

/** Per-thread epochs of one kind of access (0: none since the last plain write). */
interface Slots {
  epoch: number[];
  step: number[];
  label: string[];
}

interface CellState {
  wTid: number;
  wEpoch: number;
  wStep: number;
  wLabel: string;
  markedW: Slots;
  plainR: Slots;
  markedR: Slots;
}

function slots(): Slots {
  return { epoch: [], step: [], label: [] };
}

function put(s: Slots, tid: number, epoch: number, step: number, label: string): void {
  s.epoch[tid] = epoch;
  s.step[tid] = step;
  s.label[tid] = label;
}

function clear(s: Slots): void {
  if (s.epoch.length !== 0) s.epoch.length = 0;
}

/** The first entry of `s`, by another thread than `tid`, that `tid` has not seen. */
function unseen(hb: HappensBefore, s: Slots, tid: number): number {
  for (let t = 0; t < s.epoch.length; t++) {
    const e = s.epoch[t];
    if (t === tid || e === undefined || e === 0) continue;
    if (!hb.sees(tid, t, e)) return t;
  }
  return -1;
}

function prior(s: Slots, t: number, write: boolean, marked: boolean): PriorAccess {
  return { thread: t, step: s.step[t] ?? -1, label: s.label[t] ?? '', write, marked };
}

export class RaceDetector {
  /**
   * Each object's state, kept across executions and re-initialised in place on its first access
   * in a new one (`used[obj] !== run`): an execution of a seed model touches hundreds of objects,
   * and fresh state for each cost 13 allocations.
   */
  private cells: (CellState | undefined)[] = [];
  private used: number[] = [];
  private run = 0;

  reset(): void {
    this.run++;
  }

  private cell(obj: number): CellState {
    const c = this.cells[obj];
    if (c === undefined) {
      const n: CellState = { wTid: -1, wEpoch: 0, wStep: -1, wLabel: '', markedW: slots(), plainR: slots(), markedR: slots() };
      this.cells[obj] = n;
      this.used[obj] = this.run;
      return n;
    }
    if (this.used[obj] !== this.run) {
      this.used[obj] = this.run;
      c.wTid = -1;
      c.wEpoch = 0;
      c.wStep = -1;
      c.wLabel = '';
      clear(c.markedW);
      clear(c.plainR);
      clear(c.markedR);
    }
    return c;
  }

  /** The last plain write, when `tid` has not seen it. */
  private plainWriteRace(hb: HappensBefore, c: CellState, tid: number): PriorAccess | null {
    if (c.wTid >= 0 && c.wTid !== tid && !hb.sees(tid, c.wTid, c.wEpoch)) {
      return { thread: c.wTid, step: c.wStep, label: c.wLabel, write: true, marked: false };
    }
    return null;
  }

  /** Check and record a read (`marked`: READ_ONCE and friends); returns the racing write, if any. */
  read(hb: HappensBefore, tid: number, obj: number, step: number, label: string, marked: boolean): PriorAccess | null {
    const c = this.cell(obj);
    let race = this.plainWriteRace(hb, c, tid);
    if (race === null && !marked) {
      const t = unseen(hb, c.markedW, tid);
      if (t >= 0) race = prior(c.markedW, t, true, true);
    }
    put(marked ? c.markedR : c.plainR, tid, hb.epoch(tid), step, label);
    return race;
  }

  /** Check and record a write; returns the racing earlier access, if any. */
  write(hb: HappensBefore, tid: number, obj: number, step: number, label: string, marked: boolean): PriorAccess | null {
    const c = this.cell(obj);
    let race = this.plainWriteRace(hb, c, tid);
    if (race === null) {
      const t = unseen(hb, c.plainR, tid);
      if (t >= 0) race = prior(c.plainR, t, false, false);
    }
    if (race === null && !marked) {
      let t = unseen(hb, c.markedW, tid);
      if (t >= 0) race = prior(c.markedW, t, true, true);
      else if ((t = unseen(hb, c.markedR, tid)) >= 0) race = prior(c.markedR, t, false, true);
    }
    if (marked) {
      put(c.markedW, tid, hb.epoch(tid), step, label);
      return race;
    }
    // A plain write is ordered after every earlier access (or a race was reported): start afresh.
    c.wTid = tid;
    c.wEpoch = hb.epoch(tid);
    c.wStep = step;
    c.wLabel = label;
    clear(c.markedW);
    clear(c.plainR);
    clear(c.markedR);
    return race;
  }
}
