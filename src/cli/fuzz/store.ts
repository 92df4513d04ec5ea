/**
 * The findings store of a campaign, owned by the main thread. Findings stream in from every worker;
 * an async-mutex serialises them, so that two workers reporting the same bug at once produce one
 * record (the one with fewer steps wins) even though each write awaits the disk. Every new or
 * smaller counterexample is on disk (temp file + rename, `findings/<signature>.json`, plus a bug
 * entry in the campaign corpus) before the next finding is looked at; repeat counts are kept in
 * memory and written at each checkpoint, so `kill -9` loses at most a few seconds of counts and
 * never a counterexample. A record always describes its own token: a smaller counterexample replaces
 * the token together with the title, message, scenario and signature parts it shows.
 * Leaves out: reports (report-stage.ts renders them from these records) and re-checking records
 * against their tokens (verify.ts, on resume and merge).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import { UsageError } from '../../engine/violation.js';
import { entryPath, type CorpusEntry } from './corpus.js';
import { checkFile, checkFindingName, findingFileSchema } from './file-schemas.js';
import { readJson, writeAtomicAsync } from './files.js';
import type { FindingMsg } from './messages.js';
import { SIGNATURE_SCHEME } from './signature.js';

/** What the report stage achieved for a record (report-stage.ts). */
export interface MinimizedInfo {
  readonly status: 'minimized' | 'partly-minimized' | 'not-minimized';
  /** The token the report shows. */
  readonly token: string;
  readonly steps: number;
  readonly preemptions: number;
  readonly from_steps: number;
  readonly from_preemptions: number;
  readonly reason?: string;
  readonly elapsed_ms: number;
}

export interface FindingRecord {
  signature: string;
  /** Signature scheme (signature.ts SIGNATURE_SCHEME); absent in records of scheme 1. */
  scheme?: number;
  model: string;
  /** Scenario of the smallest counterexample. */
  scenario: string;
  /** Every scenario the bug was seen in. */
  scenarios?: string[];
  /** Ids of the model's declared bugs (expectedBugs) its occurrences showed. */
  known?: string[];
  /** Per declared bug it showed: the smallest token that shows it (pinned with the bug, see pin.ts). */
  known_tokens?: Record<string, { readonly token: string; readonly steps: number }>;
  kind: string;
  /** Kernel-style first line of the smallest counterexample's violation. */
  title: string;
  message: string;
  /** A short readable name of the bug (signature.ts bugName). */
  bug?: string;
  /** The signature's parts: violating function(s), allocating / freeing functions, what else tells it apart. */
  where?: readonly string[];
  allocated?: string;
  freed?: string;
  what?: string;
  /** Scheme 1 records: every op-site label and the object kind. */
  sites?: readonly string[];
  object_kind?: string;
  count: number;
  /** Wall-clock time of the first occurrence (ISO 8601). */
  first_found: string;
  /** Campaign seconds (across resumes) at the first occurrence. */
  first_found_s: number;
  token: string;
  steps: number;
  preemptions: number;
  strategy: string;
  seed: number;
  /** Report path relative to the campaign directory, once rendered. */
  report?: string;
  /** The token the report was rendered from (a smaller token later may mean a new report). */
  report_token?: string;
  /** How the report's schedule was minimized. */
  minimized?: MinimizedInfo;
  /** A hang found by the watchdog: how to reproduce it (no token exists for an unfinished run). */
  reproduce?: string;
}

const str = (x: unknown): boolean => typeof x === 'string';
const num = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const optional = (x: unknown, test: (y: unknown) => boolean): boolean => x === undefined || test(x);
const strings = (x: unknown): boolean => Array.isArray(x) && x.every(str);

/** What is wrong with a parsed finding record, or null when it has the shape of one. */
export function findingProblem(x: unknown): string | null {
  const o = x as Partial<Record<keyof FindingRecord, unknown>> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not a finding record';
  for (const k of ['signature', 'model', 'scenario', 'kind', 'title', 'message', 'first_found', 'token', 'strategy'] as const) {
    if (!str(o[k])) return `its "${k}" is not a string`;
  }
  for (const k of ['count', 'first_found_s', 'steps', 'preemptions', 'seed'] as const) if (!num(o[k])) return `its "${k}" is not a number`;
  if (!((o.count as number) >= 1)) return 'its "count" is below 1';
  for (const k of ['scenarios', 'known', 'where', 'sites'] as const) if (!optional(o[k], strings)) return `its "${k}" is not a list of strings`;
  for (const k of ['bug', 'allocated', 'freed', 'what', 'object_kind', 'report', 'report_token', 'reproduce'] as const) {
    if (!optional(o[k], str)) return `its "${k}" is not a string`;
  }
  if (!optional(o.scheme, num)) return 'its "scheme" is not a number';
  if (!optional(o.known_tokens, (x) => typeof x === 'object' && x !== null && !Array.isArray(x)
    && Object.values(x).every((t) => typeof t === 'object' && t !== null && str((t as { token?: unknown }).token) && num((t as { steps?: unknown }).steps)))) {
    return 'its "known_tokens" is not a map of { token, steps }';
  }
  if (!/^[a-z][a-z-]*-[0-9a-f]{8}$/.test(o.signature as string)) return `its signature '${String(o.signature).slice(0, 40)}' is not <kind>-<8 hex>`;
  if (!(o.signature as string).startsWith(`${o.kind as string}-`)) return `its signature does not start with its kind '${String(o.kind).slice(0, 20)}'`;
  return null;
}

export function isFindingRecord(x: unknown): x is FindingRecord {
  return findingProblem(x) === null;
}

/**
 * Read every finding of a campaign directory. A record that is not one, a field of the wrong type
 * (file-schemas.ts), a record filed under another name than its signature, or (unless `anyScheme`)
 * one that uses an older signature scheme is a one-line UsageError naming the file.
 */
export function readFindings(dir: string, anyScheme = false): FindingRecord[] {
  const fdir = join(dir, 'findings');
  if (!existsSync(fdir)) return [];
  const out: FindingRecord[] = [];
  for (const f of readdirSync(fdir).sort()) {
    if (!f.endsWith('.json')) continue;
    const path = join(fdir, f);
    const r = readJson(path, 'finding');
    const problem = findingProblem(r);
    if (problem) throw new UsageError(`finding ${path} is corrupt: ${problem}; delete or restore it`);
    const rec = r as FindingRecord;
    const { known_tokens: kt, ...rest } = rec;
    if (kt !== undefined && Object.keys(kt).length > 1000) throw new UsageError(`finding ${path} is corrupt: its "known_tokens" has more than 1000 entries; delete or restore it`);
    checkFile(findingFileSchema, rest, path, 'finding');
    if (f !== `${rec.signature}.json`) throw new UsageError(`finding ${path} is corrupt: it holds signature ${rec.signature}; delete or restore it`);
    checkFindingName(rec.signature, path);
    if (!anyScheme && rec.scheme !== SIGNATURE_SCHEME && rec.kind !== 'hang') {
      throw new UsageError(`finding ${path} uses signature scheme ${rec.scheme ?? 1} of an older mapcheck (this one files bugs under scheme ${SIGNATURE_SCHEME}): 'mapcheck merge' it into a new directory`);
    }
    out.push(rec);
  }
  return out;
}

/** How a finding from a worker changed the store. */
export type AddOutcome = 'new' | 'smaller' | 'repeat' | 'failed';

export class FindingsStore {
  private readonly mutex = new Mutex();
  private readonly byId = new Map<string, FindingRecord>();
  private readonly dirty = new Set<string>();
  /** Signatures first seen in this session (they get reports). */
  readonly fresh = new Set<string>();
  /** Set when a write failed (disk full, permissions): the campaign stops and says why. */
  failure: Error | null = null;

  constructor(private readonly dir: string, private readonly corpusDir: string, private readonly elapsed: () => number) {}

  load(records: readonly FindingRecord[]): void {
    for (const r of records) this.byId.set(r.signature, { ...r });
  }

  get size(): number {
    return this.byId.size;
  }

  records(): FindingRecord[] {
    return [...this.byId.values()].sort((a, b) => a.first_found_s - b.first_found_s || a.signature.localeCompare(b.signature));
  }

  get(sig: string): FindingRecord | undefined {
    return this.byId.get(sig);
  }

  private path(sig: string): string {
    return join(this.dir, 'findings', `${sig}.json`);
  }

  private async write(r: FindingRecord): Promise<void> {
    await writeAtomicAsync(this.path(r.signature), `${JSON.stringify(r, null, 2)}\n`);
    this.dirty.delete(r.signature);
  }

  private async writeCorpus(r: FindingRecord): Promise<void> {
    const e: CorpusEntry = {
      token: r.token, model: r.model, scenario: r.scenario, reason: 'bug', kind: r.kind, signature: r.signature, pinned: false, found: r.first_found,
    };
    await writeAtomicAsync(entryPath(this.corpusDir, e, r.signature), `${JSON.stringify(e, null, 2)}\n`);
  }

  private guard(p: Promise<void>): Promise<void> {
    return p.catch((e: unknown) => {
      if (!this.failure) this.failure = e instanceof Error ? e : new Error(String(e));
    });
  }

  /** A finding from a worker: new signature, a repeat, or a smaller counterexample. */
  add(f: FindingMsg): Promise<AddOutcome> {
    let outcome: AddOutcome = 'failed';
    return this.guard(this.mutex.runExclusive(async () => {
      const r = this.byId.get(f.signature);
      const shown = {
        kind: f.kind, title: f.title, message: f.message, bug: f.bug, where: [...f.parts.where], allocated: f.parts.allocated, freed: f.parts.freed, what: f.parts.what,
      };
      if (!r) {
        const rec: FindingRecord = {
          signature: f.signature, scheme: SIGNATURE_SCHEME, model: f.model, scenario: f.scenario, ...shown,
          scenarios: [f.scenario], known: [...f.known], ...(f.known.length ? { known_tokens: Object.fromEntries(f.known.map((k) => [k, { token: f.token, steps: f.steps }])) } : {}),
          count: 1, first_found: new Date().toISOString(),
          first_found_s: Math.round(this.elapsed() * 10) / 10, token: f.token, steps: f.steps, preemptions: f.preemptions,
          strategy: f.strategy, seed: f.seed,
        };
        this.byId.set(f.signature, rec);
        this.fresh.add(f.signature);
        await this.write(rec);
        await this.writeCorpus(rec);
        outcome = 'new';
        return;
      }
      r.count++;
      const seen = r.scenarios ?? [r.scenario];
      if (!seen.includes(f.scenario)) {
        r.scenarios = [...seen, f.scenario];
        this.dirty.add(r.signature);
      }
      const known = r.known ?? [];
      if (f.known.some((k) => !known.includes(k))) {
        r.known = [...new Set([...known, ...f.known])];
        this.dirty.add(r.signature);
      }
      for (const k of f.known) {
        const had = r.known_tokens?.[k];
        if (!had || f.steps < had.steps) {
          r.known_tokens = { ...r.known_tokens, [k]: { token: f.token, steps: f.steps } };
          this.dirty.add(r.signature);
        }
      }
      if (f.steps < r.steps || (f.steps === r.steps && f.preemptions < r.preemptions)) {
        // The record describes its token: everything the new token shows replaces the old.
        Object.assign(r, { ...shown, token: f.token, steps: f.steps, preemptions: f.preemptions, strategy: f.strategy, seed: f.seed, scenario: f.scenario });
        await this.write(r);
        await this.writeCorpus(r);
        outcome = 'smaller';
      } else {
        this.dirty.add(r.signature);
        outcome = 'repeat';
      }
    })).then(() => outcome);
  }

  /** Occurrences a worker counted without sending the counterexample again. */
  addRepeats(sig: string, n: number): Promise<void> {
    return this.guard(this.mutex.runExclusive(() => {
      const r = this.byId.get(sig);
      if (r) {
        r.count += n;
        this.dirty.add(sig);
      }
    }));
  }

  /** A watchdog finding: a target whose thread never yields again. */
  addHang(model: string, scenario: string, sig: string, message: string, reproduce: string, strategy: string, seed: number): Promise<void> {
    return this.guard(this.mutex.runExclusive(async () => {
      const r = this.byId.get(sig);
      if (r) {
        r.count++;
        this.dirty.add(sig);
        return;
      }
      const rec: FindingRecord = {
        signature: sig, scheme: SIGNATURE_SCHEME, model, scenario, kind: 'hang', title: 'INFO: task hung: a model thread stopped yielding ops (watchdog)', message,
        bug: `hang in ${scenario}`, where: [], count: 1, first_found: new Date().toISOString(), first_found_s: Math.round(this.elapsed() * 10) / 10,
        token: '', steps: 0, preemptions: 0, strategy, seed, reproduce,
      };
      this.byId.set(sig, rec);
      this.fresh.add(sig);
      await this.write(rec);
    }));
  }

  /** Record where a signature's report went, the token it was made from and how it was minimized. */
  setReport(sig: string, report: string, token: string, minimized?: MinimizedInfo): Promise<void> {
    return this.guard(this.mutex.runExclusive(async () => {
      const r = this.byId.get(sig);
      if (!r) return;
      r.report = report;
      r.report_token = token;
      if (minimized) r.minimized = minimized;
      await this.write(r);
    }));
  }

  /** Write every record whose count changed since it was last written. */
  flush(): Promise<void> {
    return this.guard(this.mutex.runExclusive(async () => {
      for (const sig of [...this.dirty]) {
        const r = this.byId.get(sig);
        if (r) await this.write(r);
      }
    }));
  }
}
