/**
 * The campaign's report stage, run while the campaign runs: every bug that is new in this session,
 * whose smallest token got smaller than what its report shows, or whose report stopped short of the
 * fixed point, is queued; the campaign hands the queue to the worker pool as minimize jobs
 * (report-job.ts: minimize within a per-bug budget, render md / html / json) alongside its fuzz
 * chunks, and this stage writes what comes back as `reports/<signature>.md`, `.html`, `.json` and
 * records in the finding how it was minimized. Model strings are escaped (src/report/escape.ts).
 *
 * While fuzzing, a bug is minimized once its record has not changed for SETTLE_MS (a smaller token
 * found seconds later would make the work moot), and at most half the workers minimize; when
 * fuzzing is over every worker does. A job's budget is the per-bug budget, cut to the time the
 * campaign has left: a report whose budget ran out says so. The stage's history of job times gives
 * the campaign an estimate of how long the queue still needs (campaign.ts stops fuzzing early enough).
 * Two records never get the same minimized report: the minimizer keeps each bug's signature, and a
 * report that comes back identical to another bug's is refused and counted. A report is only ever
 * replaced by a better one (minimized further, or as far and smaller); a bug that already has a
 * report is not re-minimized without budget, and bugs without one go first.
 * Leaves out: hang findings (no token exists for a run that never finished: their record says how
 * to reproduce them) and the minimization itself (src/shrink, in the workers).
 */
import { join } from 'node:path';
import { writeAtomic } from './files.js';
import { mdFence, mdText } from '../../report/escape.js';
import { MINIMIZE_JOB_BASE, type MinimizeMsg, type ReportMsg } from './messages.js';
import { resolveModel } from '../resolve.js';
import type { FindingRecord, FindingsStore, MinimizedInfo } from './store.js';

/** A record must not have changed for this long before it is minimized while fuzzing goes on. */
const SETTLE_MS = 2000;
/** Below this, a budget is no budget: the report is rendered as recorded. */
const MIN_BUDGET_MS = 250;
/** Time kept back for rendering and writing after a job's minimization ends. */
const RENDER_RESERVE_MS = 750;
/** Estimate of one job before any finished. */
const FIRST_ESTIMATE_MS = 3000;

export interface ReportStageOptions {
  /** Minimization budget of one bug. */
  readonly perBugMs: number;
  readonly workers: number;
  /** The pool watchdog's limit for fuzz chunks (a minimize job gets its budget on top). */
  readonly watchdogMs: number;
}

export interface StageMode {
  /** Fuzz chunks are still being handed out. */
  readonly fuzzing: boolean;
  /** The campaign was interrupted: queued reports are rendered as recorded. */
  readonly interrupted: boolean;
  /** Epoch ms the campaign must be done by (Infinity when execution-bound). */
  readonly deadline: number;
}

export interface StageCounts {
  readonly written: number;
  readonly fixedPoint: number;
  readonly partly: number;
  readonly notMinimized: number;
  readonly failed: number;
  readonly duplicates: number;
  /** Results no better than the report a bug already had (that report stays). */
  readonly kept: number;
}

const RANK: Readonly<Record<string, number>> = { minimized: 2, 'partly-minimized': 1, 'not-minimized': 0 };

/** Is a new result better than the report a record has: further minimized, or as far and smaller? */
function better(m: ReportMsg, old: MinimizedInfo): boolean {
  const a = RANK[m.status] ?? 0;
  const b = RANK[old.status] ?? 0;
  if (a !== b) return a > b;
  return m.steps < old.steps || (m.steps === old.steps && m.preemptions < old.preemptions);
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A report from the record alone, for a bug whose report could not be built (the error says why). */
function plainReport(rec: FindingRecord, error: string): { md: string; html: string; json: string } {
  const md = [
    `### ${mdText(rec.title)}`, '', `> ${mdText(rec.message)}`, '', `No report could be built: ${mdText(error)}.`, '',
    'Replay:', '', ...mdFence([`npx mapcheck replay ${rec.token}`]), '',
  ].join('\n');
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(rec.title)}</title><h1>${esc(rec.title)}</h1><p>${esc(rec.message)}</p>`
    + `<p>No report could be built: ${esc(error)}.</p><pre>npx mapcheck replay ${esc(rec.token)}</pre>\n`;
  const json = `${JSON.stringify({ format: 'mapcheck-report-plain', version: 2, signature: rec.signature, model: rec.model, title: rec.title, message: rec.message, token: rec.token, error }, null, 2)}\n`;
  return { md, html, json };
}

export class ReportStage {
  /** Due records not handed out yet: signature -> when the record last changed. */
  private readonly queue = new Map<string, number>();
  private readonly inFlight = new Map<number, { readonly sig: string; readonly token: string }>();
  /** Minimized token -> the signature whose report shows it. */
  private readonly shown = new Map<string, string>();
  private readonly times: number[] = [];
  private job = MINIMIZE_JOB_BASE;
  private counts = { written: 0, fixedPoint: 0, partly: 0, notMinimized: 0, failed: 0, duplicates: 0, kept: 0 };

  constructor(private readonly dir: string, private readonly store: FindingsStore, private readonly o: ReportStageOptions, private readonly log: (l: string) => void) {}

  /** Does the record need a (new) report? */
  static isDue(r: FindingRecord): boolean {
    if (r.token === '') return false;
    if (r.report === undefined || r.minimized === undefined) return true;
    if (r.minimized.status !== 'minimized') return true;
    // A smaller token than the one the report was made from, and smaller than what it shows.
    return r.report_token !== r.token && (r.steps < r.minimized.steps || (r.steps === r.minimized.steps && r.preemptions < r.minimized.preemptions));
  }

  /** Queue the due records of a resumed campaign. */
  start(records: readonly FindingRecord[]): void {
    for (const r of records) if (ReportStage.isDue(r)) this.queue.set(r.signature, 0);
    for (const r of records) if (r.minimized && r.report !== undefined) this.shown.set(r.minimized.token, r.signature);
  }

  /** A record was created or got a smaller token. */
  changed(sig: string): void {
    const r = this.store.get(sig);
    if (r && ReportStage.isDue(r) && ![...this.inFlight.values()].some((j) => j.sig === sig && j.token === r.token)) this.queue.set(sig, Date.now());
  }

  get pending(): number {
    return this.queue.size + this.inFlight.size;
  }

  get done(): number {
    return this.counts.written + this.counts.failed;
  }

  get countsNow(): StageCounts {
    return { ...this.counts };
  }

  /** Expected wall time of one job (a quarter above the mean of those done, or a first guess). */
  estimateMs(): number {
    if (this.times.length === 0) return Math.min(FIRST_ESTIMATE_MS, this.o.perBugMs);
    return (1.25 * this.times.reduce((a, b) => a + b, 0)) / this.times.length;
  }

  /** Wall time the queue still needs with every worker on it. */
  neededMs(): number {
    return Math.ceil(this.pending / Math.max(1, this.o.workers)) * this.estimateMs();
  }

  private expectedBug(rec: FindingRecord): string | undefined {
    try {
      const bugs = resolveModel(rec.model).expectedBugs ?? [];
      return (rec.known ?? []).find((k) => bugs.some((b) => b.id === k && b.scenario === rec.scenario));
    } catch {
      return undefined;
    }
  }

  /** The next minimize job, or null when none is due (or none may start now). Bugs without a report go first. */
  next(mode: StageMode, now = Date.now()): MinimizeMsg | null {
    if (this.queue.size === 0) return null;
    // While fuzzing goes on at most half the workers minimize (none of a single worker: it minimizes at the end).
    if (mode.fuzzing && this.inFlight.size >= Math.floor(this.o.workers / 2)) return null;
    let pick: string | undefined;
    for (const first of [true, false]) {
      for (const [sig, at] of this.queue) {
        if ((this.store.get(sig)?.report === undefined) === first && (!mode.fuzzing || now - at >= SETTLE_MS)) {
          pick = sig;
          break;
        }
      }
      if (pick !== undefined) break;
    }
    if (pick === undefined) return null;
    this.queue.delete(pick);
    const rec = this.store.get(pick);
    if (!rec || rec.token === '') return this.next(mode, now);
    const left = mode.deadline - now - RENDER_RESERVE_MS;
    const budget = mode.interrupted ? 0 : Math.min(this.o.perBugMs, left);
    const reason = mode.interrupted ? 'the campaign was interrupted' : 'budget ran out';
    const budgetMs = budget >= MIN_BUDGET_MS ? Math.floor(budget) : 0;
    // No time to improve on a report it already has: keep that one (a resumed campaign retries).
    if (budgetMs === 0 && rec.report !== undefined) return this.next(mode, now);
    const n = this.job++;
    this.inFlight.set(n, { sig: pick, token: rec.token });
    const bug = this.expectedBug(rec);
    return {
      type: 'minimize', n, signature: pick, model: rec.model, token: rec.token, budgetMs, reason, ...(bug !== undefined ? { bug } : {}),
      watchdogMs: this.o.watchdogMs + budgetMs + 30_000,
    };
  }

  private async write(rec: FindingRecord, files: { md: string; html: string; json: string }, source: string, info: MinimizedInfo): Promise<void> {
    const base = join('reports', rec.signature);
    writeAtomic(join(this.dir, `${base}.md`), files.md);
    writeAtomic(join(this.dir, `${base}.html`), files.html);
    writeAtomic(join(this.dir, `${base}.json`), files.json);
    await this.store.setReport(rec.signature, `${base}.md`, source, info);
  }

  /** A job's result came back: write the report and record how it was minimized. */
  async apply(m: ReportMsg): Promise<void> {
    const job = this.inFlight.get(m.n);
    this.inFlight.delete(m.n);
    const rec = this.store.get(m.signature);
    if (!job || !rec) return;
    this.times.push(m.elapsedMs);
    const other = this.shown.get(m.token);
    if (other !== undefined && other !== m.signature) {
      // Cannot happen while signatures are a function of the violation (the minimizer keeps them); refuse it if it does.
      this.counts.duplicates++;
      this.log(`mapcheck fuzz: the report of ${m.signature} came out identical to ${other}'s; not written`);
      return;
    }
    if (!m.files) {
      if (rec.report === undefined) await this.fail(m.n, job, m.error ?? 'unknown error');
      else this.log(`mapcheck fuzz: report of ${m.signature}: ${m.error ?? 'unknown error'}; the earlier report stays`);
      return;
    }
    if (rec.minimized && !better(m, rec.minimized)) {
      this.counts.kept++;
      return;
    }
    const info: MinimizedInfo = {
      status: m.status, token: m.token, steps: m.steps, preemptions: m.preemptions, from_steps: m.from.steps, from_preemptions: m.from.preemptions,
      ...(m.reason !== undefined ? { reason: m.reason } : {}), elapsed_ms: m.elapsedMs,
    };
    await this.write(rec, m.files, job.token, info);
    this.shown.set(m.token, m.signature);
    this.counts.written++;
    if (m.status === 'minimized') this.counts.fixedPoint++;
    else if (m.status === 'partly-minimized') this.counts.partly++;
    else this.counts.notMinimized++;
    // A smaller token arrived while this job ran: it may need a report of its own.
    if (rec.token !== job.token) this.changed(m.signature);
  }

  private async fail(n: number, job: { sig: string; token: string }, why: string): Promise<void> {
    this.inFlight.delete(n);
    const rec = this.store.get(job.sig);
    if (!rec) return;
    this.counts.failed++;
    this.log(`mapcheck fuzz: report of ${job.sig}: ${why}`);
    await this.write(rec, plainReport(rec, why), job.token, {
      status: 'not-minimized', token: rec.token, steps: rec.steps, preemptions: rec.preemptions, from_steps: rec.steps, from_preemptions: rec.preemptions,
      reason: why, elapsed_ms: 0,
    });
  }

  /** A minimize job died with its worker, hung, or threw: the bug gets a plain report saying why. */
  async failed(n: number, why: string): Promise<void> {
    const job = this.inFlight.get(n);
    if (job) await this.fail(n, job, why);
  }
}
