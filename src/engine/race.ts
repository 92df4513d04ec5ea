/**
 * KCSAN-style data-race detection on plain shared cells, using FastTrack epochs (Flanagan &
 * Freund, PLDI 2009): each cell keeps the epoch of its last write and, per thread, the epoch of the
 * last read since that write. Two accesses to a cell, at least one a write, from different threads
 * and not ordered by happens-before (clocks.ts) are a data race.
 *
 * Unlike KCSAN, which samples watchpoints, this checks every plain access of every explored
 * execution, so a race is reported as soon as an explored interleaving exhibits it.
 * Leaves out: FastTrack's read-shared/read-exclusive switching (per-thread read epochs are kept
 * always: models have few threads), and marked accesses (`data_race()`): use an atomic op instead.
 */
import type { HappensBefore } from './clocks.js';

/** The earlier access of a race. */
export interface PriorAccess {
  readonly thread: number;
  readonly step: number;
  readonly label: string;
  readonly write: boolean;
}

interface CellState {
  wTid: number;
  wEpoch: number;
  wStep: number;
  wLabel: string;
  rEpoch: number[];
  rStep: number[];
  rLabel: string[];
}

export class RaceDetector {
  private cells: (CellState | undefined)[] = [];

  reset(): void {
    this.cells = [];
  }

  private cell(obj: number): CellState {
    let c = this.cells[obj];
    if (!c) {
      c = { wTid: -1, wEpoch: 0, wStep: -1, wLabel: '', rEpoch: [], rStep: [], rLabel: [] };
      this.cells[obj] = c;
    }
    return c;
  }

  /** Check and record a plain read; returns the conflicting write, if any. */
  read(hb: HappensBefore, tid: number, obj: number, step: number, label: string): PriorAccess | null {
    const c = this.cell(obj);
    let race: PriorAccess | null = null;
    if (c.wTid >= 0 && c.wTid !== tid && !hb.sees(tid, c.wTid, c.wEpoch)) {
      race = { thread: c.wTid, step: c.wStep, label: c.wLabel, write: true };
    }
    c.rEpoch[tid] = hb.epoch(tid);
    c.rStep[tid] = step;
    c.rLabel[tid] = label;
    return race;
  }

  /** Check and record a plain write; returns the conflicting earlier access, if any. */
  write(hb: HappensBefore, tid: number, obj: number, step: number, label: string): PriorAccess | null {
    const c = this.cell(obj);
    let race: PriorAccess | null = null;
    if (c.wTid >= 0 && c.wTid !== tid && !hb.sees(tid, c.wTid, c.wEpoch)) {
      race = { thread: c.wTid, step: c.wStep, label: c.wLabel, write: true };
    } else {
      for (let t = 0; t < c.rEpoch.length; t++) {
        const e = c.rEpoch[t];
        if (t === tid || e === undefined || e === 0) continue;
        if (!hb.sees(tid, t, e)) {
          race = { thread: t, step: c.rStep[t] ?? -1, label: c.rLabel[t] ?? '', write: false };
          break;
        }
      }
    }
    c.wTid = tid;
    c.wEpoch = hb.epoch(tid);
    c.wStep = step;
    c.wLabel = label;
    c.rEpoch.length = 0;
    return race;
  }
}
