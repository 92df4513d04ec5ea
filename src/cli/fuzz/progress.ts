/**
 * Campaign progress for people and for logs. On a terminal: one line rewritten in place
 * (elapsed, executions/s over the last interval, total executions, distinct bugs, distinct
 * interleavings -- the fingerprints of which thread handed each object to which, not lines of
 * code -- and how many were new per second, the reports being minimized, workers). Not on a
 * terminal (CI, batch jobs): the same facts as a plain log line every few seconds.
 * Leaves out: colours and multi-line dashboards.
 */

export interface Snapshot {
  readonly elapsedS: number;
  readonly executions: number;
  readonly bugs: number;
  /** Distinct interleaving fingerprints. */
  readonly coverage: number;
  readonly workers: number;
  /** Reports written this session and reports still queued or being minimized. */
  readonly reports?: { readonly done: number; readonly pending: number };
}

export interface ProgressSink {
  /** Rewrite the current line (TTY). */
  line(text: string): void;
  /** Print a log line. */
  log(text: string): void;
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));

function clock(s: number): string {
  const t = Math.floor(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
}

export class Progress {
  private prev: Snapshot | null = null;
  private lastLog = -Infinity;

  constructor(private readonly sink: ProgressSink, private readonly tty: boolean, private readonly logEveryS: number) {}

  /** The starting point (a resumed campaign starts at its old totals). */
  begin(s: Snapshot): void {
    this.prev = s;
  }

  /** Format one snapshot against the previous one. */
  format(s: Snapshot): string {
    const p = this.prev;
    const dt = p ? s.elapsedS - p.elapsedS : s.elapsedS;
    const rate = dt > 0 ? (s.executions - (p?.executions ?? 0)) / dt : 0;
    const growth = dt > 0 ? (s.coverage - (p?.coverage ?? 0)) / dt : 0;
    const rep = s.reports && s.reports.pending > 0 ? `  minimizing ${s.reports.done}/${s.reports.done + s.reports.pending}` : '';
    return `[${clock(s.elapsedS)}] ${fmt(rate)} exec/s  total ${fmt(s.executions)}  bugs ${s.bugs}  interleavings ${fmt(s.coverage)} (+${growth.toFixed(1)}/s)${rep}  workers ${s.workers}`;
  }

  update(s: Snapshot): void {
    if (this.tty) {
      this.sink.line(this.format(s));
      this.prev = s;
    } else if (s.elapsedS - this.lastLog >= this.logEveryS) {
      this.sink.log(this.format(s));
      this.prev = s;
      this.lastLog = s.elapsedS;
    }
  }

  /** Final line (always printed). */
  done(s: Snapshot): void {
    const text = this.format(s);
    if (this.tty) this.sink.line(text);
    this.sink.log(this.tty ? '' : text);
  }
}
