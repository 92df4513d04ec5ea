/**
 * `mapcheck merge <dir>…`: fold the output directories of several campaigns (the shards of a
 * Kubernetes Indexed Job or a Slurm array, or successive runs) into one, deduplicating findings by
 * signature: counts add up, the earliest first-found time and the smallest counterexample win (with
 * its reports, copied over), executions add up, elapsed time is the longest shard's, coverage keys
 * are united. The result is itself a campaign directory (state.json, findings/, coverage.bin,
 * reports/, summary.md, summary.json), so merges can be merged again.
 * Leaves out: the corpus directories (each shard's corpus stays with it; --pin a merged campaign's
 * bugs by resuming it with --pin if needed).
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/violation.js';
import { assertWritable, writeJsonAtomic } from './files.js';
import { knownBugs } from './known.js';
import { campaignCandidates } from '../load.js';
import { selectModels } from './plan.js';
import { type CampaignState, STATE_FORMAT, STATE_VERSION, readCoverage, readState, writeCoverage, writeState } from './state.js';
import { type FindingRecord, readFindings } from './store.js';
import { type Summary, summaryOf, writeSummary } from './summary.js';

export interface MergeResult {
  readonly summary: Summary;
  readonly inputs: number;
}

function better(a: FindingRecord, b: FindingRecord): boolean {
  if (a.token === '' || b.token === '') return a.token !== '' && b.token === '';
  return a.steps < b.steps || (a.steps === b.steps && a.preemptions < b.preemptions);
}

export function mergeCampaigns(dirs: readonly string[], out: string): MergeResult {
  if (dirs.length === 0) throw new UsageError('merge: give at least one campaign directory');
  const states: CampaignState[] = [];
  const bySig = new Map<string, { rec: FindingRecord; from: string }>();
  const coverage = new Set<number>();
  for (const d of dirs) {
    if (d === out) throw new UsageError(`merge: --out ${out} is also an input; write the merge somewhere else`);
    const st = readState(d);
    states.push(st);
    for (const k of readCoverage(d)) coverage.add(k);
    for (const r of readFindings(d)) {
      const prev = bySig.get(r.signature);
      if (!prev) {
        bySig.set(r.signature, { rec: { ...r }, from: d });
        continue;
      }
      const count = prev.rec.count + r.count;
      const first = prev.rec.first_found <= r.first_found ? prev.rec : r;
      const win = better(r, prev.rec) ? { rec: { ...r }, from: d } : prev;
      win.rec.count = count;
      win.rec.first_found = first.first_found;
      win.rec.first_found_s = Math.min(prev.rec.first_found_s, r.first_found_s);
      bySig.set(r.signature, win);
    }
  }
  assertWritable(out);
  if (existsSync(join(out, 'state.json'))) throw new UsageError(`merge: ${out} already holds a campaign; choose an empty --out`);
  const records: FindingRecord[] = [];
  for (const { rec, from } of bySig.values()) {
    if (rec.report) {
      for (const ext of ['.md', '.html', '.json']) {
        const src = join(from, rec.report.replace(/\.md$/, ext));
        if (existsSync(src)) {
          try {
            assertWritable(join(out, 'reports'));
            copyFileSync(src, join(out, rec.report.replace(/\.md$/, ext)));
          } catch (e) {
            throw new UsageError(`merge: cannot copy ${src}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
    }
    writeJsonAtomic(join(out, 'findings', `${rec.signature}.json`), rec);
    records.push(rec);
  }
  records.sort((a, b) => a.first_found.localeCompare(b.first_found) || a.signature.localeCompare(b.signature));
  const executions = states.reduce((a, s) => a + s.executions, 0);
  const elapsed = Math.max(...states.map((s) => s.elapsed_s));
  const now = new Date().toISOString();
  const first = states[0] as CampaignState;
  const merged: CampaignState = {
    format: STATE_FORMAT, version: STATE_VERSION, created: now, updated: now, models: first.models, load: first.load ?? null, strategies: first.strategies,
    seed: first.seed, shard: { index: 0, count: 1 }, executions, elapsed_s: elapsed,
    next_chunk: Math.max(...states.map((s) => s.next_chunk)) * Math.max(...states.map((s) => s.shard.count)),
    sessions: states.reduce((a, s) => a + s.sessions, 0), coverage: coverage.size,
    exhausted: [...new Set(states.flatMap((s) => s.exhausted))], hung: [...new Set(states.flatMap((s) => s.hung))], finished: states.every((s) => s.finished),
  };
  writeState(out, merged);
  writeCoverage(out, coverage);
  const selected = selectModels(first.models ?? undefined, campaignCandidates(first.models, first.load));
  const summary = { ...summaryOf(executions, elapsed, coverage.size, selected.map((m) => m.name), records, knownBugs(selected, records)), shards: dirs.length };
  writeSummary(out, summary);
  return { summary, inputs: dirs.length };
}
