/**
 * `mapcheck merge <dir>…`: fold the output directories of several campaigns (the shards of a
 * Kubernetes Indexed Job or a Slurm array, or successive runs) into one, deduplicating findings by
 * signature: counts add up, scenarios and known-bug ids are united, the earliest first-found time
 * and the smallest counterexample win (with its reports, copied over), executions add up, elapsed
 * time is the longest shard's, coverage keys are united. The result is itself a campaign directory
 * of this version (state.json, findings/, coverage.bin, reports/, summary.md, summary.json), so
 * merges can be merged again and resumed. The output directory is locked while it is written
 * (lock.ts); inputs are only read, so a running shard can be merged.
 * Campaigns of an older mapcheck (campaign format v1, signature scheme 1: a hash of every op-site
 * label) are read too: each of their findings is re-signed from a replay of its token (verify.ts),
 * so old and new shards deduplicate against each other; their old reports are not carried over (a
 * `fuzz --resume` of the merge writes them anew). A finding whose token no longer replays (its model
 * changed) cannot be re-signed: the merge is refused with one line, before anything is written.
 * Every finding is checked against its token first: a record edited by hand is refused the same way.
 * Leaves out: the corpus directories (each shard's corpus stays with it; --pin a merged campaign's
 * bugs by resuming it with --pin if needed).
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../engine/violation.js';
import { assertWritable, writeJsonAtomic } from './files.js';
import { CampaignLock } from './lock.js';
import { knownBugs } from './known.js';
import { selectModels } from './plan.js';
import { type CampaignState, MERGEABLE_VERSIONS, STATE_FORMAT, STATE_VERSION, readCoverage, readState, writeCoverage, writeState } from './state.js';
import { SIGNATURE_SCHEME } from './signature.js';
import { type FindingRecord, readFindings } from './store.js';
import { type Summary, summaryOf, writeSummary } from './summary.js';
import { resign, verifyFindings } from './verify.js';

export interface MergeResult {
  readonly summary: Summary;
  readonly inputs: number;
  /** Findings of an older signature scheme re-signed from their tokens. */
  readonly resigned: number;
}

/** The findings of one input directory under the current signature scheme. */
function currentFindings(dir: string): { records: FindingRecord[]; resigned: number } {
  const all = readFindings(dir, true);
  const current = all.filter((r) => r.scheme === SIGNATURE_SCHEME || r.kind === 'hang');
  verifyFindings(dir, current);
  let resigned = 0;
  const out = [...current];
  for (const r of all.filter((x) => !current.includes(x))) {
    const now = resign(r);
    if ('stale' in now) {
      throw new UsageError(`merge: ${join(dir, 'findings', `${r.signature}.json`)} uses signature scheme ${r.scheme ?? 1} and cannot be re-signed (${now.stale}); merge without ${dir}, or re-run that campaign`);
    }
    const { report: _r, report_token: _t, minimized: _m, sites: _s, object_kind: _o, ...rest } = now.record;
    out.push(rest);
    resigned++;
  }
  return { records: out, resigned };
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
  let resigned = 0;
  const inputs = dirs.map((d) => {
    if (d === out) throw new UsageError(`merge: --out ${out} is also an input; write the merge somewhere else`);
    const st = readState(d, MERGEABLE_VERSIONS);
    const f = currentFindings(d);
    resigned += f.resigned;
    return { d, st, records: f.records };
  });
  for (const { d, st, records } of inputs) {
    states.push(st);
    for (const k of readCoverage(d, false)) coverage.add(k);
    for (const r of records) {
      const prev = bySig.get(r.signature);
      if (!prev) {
        bySig.set(r.signature, { rec: { ...r }, from: d });
        continue;
      }
      const count = prev.rec.count + r.count;
      const first = prev.rec.first_found <= r.first_found ? prev.rec : r;
      const scenarios = [...new Set([...(prev.rec.scenarios ?? [prev.rec.scenario]), ...(r.scenarios ?? [r.scenario])])];
      const known = [...new Set([...(prev.rec.known ?? []), ...(r.known ?? [])])];
      const win = better(r, prev.rec) ? { rec: { ...r }, from: d } : prev;
      win.rec.count = count;
      win.rec.first_found = first.first_found;
      win.rec.first_found_s = Math.min(prev.rec.first_found_s, r.first_found_s);
      win.rec.scenarios = scenarios;
      win.rec.known = known;
      const tokens = { ...prev.rec.known_tokens };
      for (const [k, t] of Object.entries(r.known_tokens ?? {})) if (!tokens[k] || t.steps < (tokens[k]?.steps ?? Infinity)) tokens[k] = t;
      if (Object.keys(tokens).length) win.rec.known_tokens = tokens;
      bySig.set(r.signature, win);
    }
  }
  assertWritable(out);
  const lock = CampaignLock.acquire(out, 'merge');
  try {
    if (existsSync(join(out, 'state.json'))) throw new UsageError(`merge: ${out} already holds a campaign; choose an empty --out`);
    return writeMerged(out, dirs, states, bySig, coverage, resigned);
  } finally {
    lock.release();
  }
}

function writeMerged(out: string, dirs: readonly string[], states: CampaignState[], bySig: Map<string, { rec: FindingRecord; from: string }>, coverage: Set<number>, resigned: number): MergeResult {
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
    format: STATE_FORMAT, version: STATE_VERSION, created: now, updated: now, models: first.models, strategies: first.strategies,
    seed: first.seed, shard: { index: 0, count: 1 }, executions, elapsed_s: elapsed,
    next_chunk: Math.max(...states.map((s) => s.next_chunk)) * Math.max(...states.map((s) => s.shard.count)),
    sessions: states.reduce((a, s) => a + s.sessions, 0), coverage: coverage.size,
    exhausted: [...new Set(states.flatMap((s) => s.exhausted))], hung: [...new Set(states.flatMap((s) => s.hung))], finished: states.every((s) => s.finished),
  };
  writeState(out, merged);
  writeCoverage(out, coverage);
  const selected = selectModels(first.models ?? undefined);
  const summary = { ...summaryOf(executions, elapsed, coverage.size, selected.map((m) => m.name), records, knownBugs(selected, records)), shards: dirs.length };
  writeSummary(out, summary);
  return { summary, inputs: dirs.length, resigned };
}
