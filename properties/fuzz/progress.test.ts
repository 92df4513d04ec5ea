/**
 * Campaign progress output: on a terminal every update rewrites the line, off a terminal a log line
 * appears at most once per interval; the line carries elapsed time, executions/s over the last
 * interval, total executions, distinct bugs, distinct interleavings with their growth rate, and how
 * many reports are minimized while any are queued.
 */
import { describe, expect, it } from 'vitest';
import { Progress, type Snapshot } from '../../src/cli/fuzz/progress.js';

function sink(): { lines: string[]; logs: string[]; line: (t: string) => void; log: (t: string) => void } {
  const s = { lines: [] as string[], logs: [] as string[], line: (t: string) => void s.lines.push(t), log: (t: string) => void s.logs.push(t) };
  return s;
}
const snap = (elapsedS: number, executions: number, bugs: number, coverage: number): Snapshot => ({ elapsedS, executions, bugs, coverage, workers: 2 });

describe('campaign progress', () => {
  it('formats rate, totals, bugs and coverage growth against the previous snapshot', () => {
    const p = new Progress(sink(), true, 5);
    p.begin(snap(100, 50_000, 1, 10));
    expect(p.format(snap(102, 70_000, 3, 30))).toBe('[1:42] 10.0k exec/s  total 70.0k  bugs 3  interleavings 30 (+10.0/s)  workers 2');
    expect(p.format({ ...snap(103, 70_000, 3, 30), reports: { done: 12, pending: 31 } })).toMatch(/ {2}minimizing 12\/43 {2}workers 2$/);
    expect(p.format({ ...snap(103, 70_000, 3, 30), reports: { done: 43, pending: 0 } })).not.toMatch(/minimizing/);
    expect(p.format(snap(3723, 2_500_000, 3, 30))).toMatch(/^\[1:02:03\] .* total 2\.50M /);
  });

  it('rewrites the line on a terminal at every update', () => {
    const s = sink();
    const p = new Progress(s, true, 5);
    for (let t = 0; t < 4; t++) p.update(snap(t * 0.5, t * 100, 0, t));
    expect(s.lines).toHaveLength(4);
    expect(s.logs).toHaveLength(0);
    p.done(snap(2, 400, 0, 4));
    expect(s.lines).toHaveLength(5);
  });

  it('logs at most one line per interval when not on a terminal', () => {
    const s = sink();
    const p = new Progress(s, false, 5);
    for (let t = 0; t <= 40; t++) p.update(snap(t * 0.5, t * 100, 0, t));
    // t = 0, 5, 10, 15, 20 s
    expect(s.logs).toHaveLength(5);
    expect(s.lines).toHaveLength(0);
    expect(s.logs[1]).toMatch(/^\[0:05\] 200 exec\/s  total 1000 /);
  });
});
