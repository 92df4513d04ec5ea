/**
 * The findings store of a campaign, owned by the main thread. Findings stream in from every worker;
 * an async-mutex serialises them, so that two workers reporting the same bug at once produce one
 * record (the one with fewer steps wins) even though each write awaits the disk. Every new or
 * smaller counterexample is on disk (temp file + rename, `findings/<signature>.json`, plus a bug
 * entry in the campaign corpus) before the next finding is looked at; repeat counts are kept in
 * memory and written at each checkpoint, so `kill -9` loses at most a few seconds of counts and
 * never a counterexample.
 * Leaves out: reports (report-stage.ts renders them at the end from these records).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import { UsageError } from '../../engine/violation.js';
import { entryPath, type CorpusEntry } from './corpus.js';
import { checkFile, checkFindingName, findingFileSchema } from './file-schemas.js';
import { readJson, writeAtomicAsync } from './files.js';
import type { FindingMsg } from './messages.js';

export interface FindingRecord {
  signature: string;
  model: string;
  /** Scenario of the smallest counterexample. */
  scenario: string;
  /** Every scenario the bug was seen in. */
  scenarios?: string[];
  /** Ids of the model's declared bugs (expectedBugs) its occurrences showed. */
  known?: string[];
  kind: string;
  title: string;
  message: string;
  sites: readonly string[];
  object_kind: string;
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
  /** The token the report was rendered from (a smaller token later means a new report). */
  report_token?: string;
  /** A hang found by the watchdog: how to reproduce it (no token exists for an unfinished run). */
  reproduce?: string;
}

export function isFindingRecord(x: unknown): x is FindingRecord {
  const o = x as Partial<FindingRecord> | null;
  return !!o && typeof o === 'object' && typeof o.signature === 'string' && typeof o.model === 'string'
    && typeof o.kind === 'string' && typeof o.count === 'number' && typeof o.token === 'string';
}

/** Read every finding of a campaign directory (a corrupt record, or a field of the wrong type, is a one-line UsageError). */
export function readFindings(dir: string): FindingRecord[] {
  const fdir = join(dir, 'findings');
  if (!existsSync(fdir)) return [];
  const out: FindingRecord[] = [];
  for (const f of readdirSync(fdir).sort()) {
    if (!f.endsWith('.json')) continue;
    const path = join(fdir, f);
    const r = readJson(path, 'finding');
    if (!isFindingRecord(r)) throw new UsageError(`finding ${path} is corrupt: not a finding record; delete or restore it`);
    checkFile(findingFileSchema, r, path, 'finding');
    checkFindingName(r.signature, path);
    out.push(r);
  }
  return out;
}

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
  add(f: FindingMsg): Promise<void> {
    return this.guard(this.mutex.runExclusive(async () => {
      const r = this.byId.get(f.signature);
      if (!r) {
        const rec: FindingRecord = {
          signature: f.signature, model: f.model, scenario: f.scenario, kind: f.kind, title: f.title, message: f.message,
          scenarios: [f.scenario], known: [...f.known], sites: f.sites, object_kind: f.objectKind, count: 1, first_found: new Date().toISOString(),
          first_found_s: Math.round(this.elapsed() * 10) / 10, token: f.token, steps: f.steps, preemptions: f.preemptions,
          strategy: f.strategy, seed: f.seed,
        };
        this.byId.set(f.signature, rec);
        this.fresh.add(f.signature);
        await this.write(rec);
        await this.writeCorpus(rec);
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
      if (f.steps < r.steps || (f.steps === r.steps && f.preemptions < r.preemptions)) {
        Object.assign(r, { token: f.token, steps: f.steps, preemptions: f.preemptions, strategy: f.strategy, seed: f.seed, scenario: f.scenario, message: f.message });
        await this.write(r);
        await this.writeCorpus(r);
      } else {
        this.dirty.add(r.signature);
      }
    }));
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
        signature: sig, model, scenario, kind: 'hang', title: 'INFO: task hung: a model thread stopped yielding ops (watchdog)', message,
        sites: [], object_kind: '', count: 1, first_found: new Date().toISOString(), first_found_s: Math.round(this.elapsed() * 10) / 10,
        token: '', steps: 0, preemptions: 0, strategy, seed, reproduce,
      };
      this.byId.set(sig, rec);
      this.fresh.add(sig);
      await this.write(rec);
    }));
  }

  /** Record where a signature's report went (written with the record). */
  setReport(sig: string, report: string, token: string): Promise<void> {
    return this.guard(this.mutex.runExclusive(async () => {
      const r = this.byId.get(sig);
      if (!r) return;
      r.report = report;
      r.report_token = token;
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
