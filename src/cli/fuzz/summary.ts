/**
 * A campaign's summary, written on finish, on SIGINT, and by `mapcheck merge`: `summary.json`
 * (`{ executions, elapsed_s, bugs: [{ signature, model, kind, title, count, token, report, ... }],
 * known, signatures, known_found, reports }`, plus coverage and a few descriptive fields scripts may
 * ignore) and `summary.md`: the number of distinct bugs beside the number of known bugs found, then
 * one table per model (signature, kernel-style title, kind, count, first found, how the report was
 * minimized), the known bugs of the selected models and the signature each was found as, and the
 * replay command of every bug.
 * Leaves out: the reports themselves (report-stage.ts).
 */
import { join } from 'node:path';
import { mdCode, mdText } from '../../report/escape.js';
import { commandFor } from '../resolve.js';
import { writeAtomic, writeJsonAtomic } from './files.js';
import type { KnownBug } from './known.js';
import type { FindingRecord } from './store.js';

export interface SummaryBug {
  signature: string;
  model: string;
  kind: string;
  /** Kernel-style first line of the smallest counterexample. */
  title: string;
  /** Short readable bug name (signature parts). */
  bug: string;
  count: number;
  token: string;
  /** Report path relative to the campaign directory ('' when none was written). */
  report: string;
  /** How the report was minimized: minimized (to the fixed point), partly-minimized, not-minimized, or '' when none. */
  minimized: string;
  scenario: string;
  first_found: string;
  steps: number;
  reproduce?: string;
}

export interface Summary {
  executions: number;
  elapsed_s: number;
  /** Distinct bugs (signatures). */
  signatures: number;
  /** Distinct bugs of the models that declare known bugs (the figure to hold against known_found). */
  signatures_with_known: number;
  /** Known bugs of the selected models found, and declared. */
  known_found: number;
  known_total: number;
  bugs: SummaryBug[];
  coverage: number;
  models: string[];
  /** The selected models' declared bugs and the finding that shows each (null = not found). */
  known: KnownBug[];
  /**
   * The coarsest bucket the signature rule allows: model, kind, violating function(s) and, for KASAN
   * kinds, allocator and free function -- a check's name and message left out (syzbot's "WARNING in
   * fn"). `merging_known`: known bugs that would share such a bucket with another known bug, so the
   * figure shows what the finer signature buys.
   */
  crash_sites: { count: number; merging_known: number };
  /** Reports and how they were minimized. */
  reports: { written: number; fixed_point: number; partly: number; not_minimized: number };
  shards?: number;
}

/** Crash sites: the signature's parts without the check and its message (see Summary.crash_sites). */
export function crashSites(records: readonly FindingRecord[]): { count: number; merging_known: number } {
  const known = new Map<string, Set<string>>();
  for (const r of records) {
    const key = [r.model, r.kind, (r.where ?? []).join(' / '), r.allocated ?? '', r.freed ?? ''].join('\u0002');
    const set = known.get(key) ?? new Set<string>();
    for (const k of r.known ?? []) set.add(k);
    known.set(key, set);
  }
  let merging = 0;
  for (const set of known.values()) if (set.size > 1) merging += set.size;
  return { count: known.size, merging_known: merging };
}

export function summaryOf(executions: number, elapsedS: number, coverage: number, models: readonly string[], records: readonly FindingRecord[], known: readonly KnownBug[]): Summary {
  const bugs = records.map((r): SummaryBug => ({
    signature: r.signature, model: r.model, kind: r.kind, title: r.title, bug: r.bug ?? r.kind, count: r.count, token: r.token, report: r.report ?? '',
    minimized: r.minimized?.status ?? '', scenario: r.scenario, first_found: r.first_found, steps: r.steps,
    ...(r.reproduce !== undefined ? { reproduce: r.reproduce } : {}),
  }));
  const status = (s: string): number => bugs.filter((b) => b.minimized === s).length;
  const declaring = new Set(known.map((k) => k.model));
  return {
    executions, elapsed_s: Math.round(elapsedS * 10) / 10, signatures: bugs.length, signatures_with_known: bugs.filter((b) => declaring.has(b.model)).length,
    known_found: known.filter((k) => k.found !== null).length, known_total: known.length,
    coverage, models: [...models], known: [...known], bugs, crash_sites: crashSites(records),
    reports: { written: bugs.filter((b) => b.report !== '').length, fixed_point: status('minimized'), partly: status('partly-minimized'), not_minimized: status('not-minimized') },
  };
}

const MINIMIZED: Readonly<Record<string, string>> = {
  minimized: 'to the fixed point', 'partly-minimized': 'partly (budget ran out)', 'not-minimized': 'not minimized', '': '—',
};

export function summaryMarkdown(s: Summary): string {
  const ratio = (n: number): string => (s.known_found > 0 ? ` (${(n / s.known_found).toFixed(2)} per known bug found)` : '');
  const others = s.signatures - s.signatures_with_known;
  const lines = [
    '# mapcheck campaign summary', '',
    `${s.executions} executions in ${s.elapsed_s} s over ${s.models.length} model(s); ${s.coverage} distinct interleaving fingerprints.`, '',
    `**${s.signatures} distinct bug(s) (signatures)${ratio(s.signatures)}; ${s.known_found} of ${s.known_total} known bug(s) of these models found.**`
      + `${s.known_total > 0 && others > 0 ? ` Of the signatures, ${s.signatures_with_known} are of models that declare known bugs${ratio(s.signatures_with_known)} and ${others} of models that declare none.` : ''}`,
    `By crash site alone (model, kind, function, allocator and free function; a check's message left out, as syzbot's \`WARNING in fn\`): ${s.crash_sites.count}${ratio(s.crash_sites.count)}`
      + `${s.crash_sites.merging_known > 0 ? `, where ${s.crash_sites.merging_known} known bugs would share a bucket with another` : ''}.`,
    `Reports: ${s.reports.written} written, ${s.reports.fixed_point} minimized to the fixed point, ${s.reports.partly} partly (budget ran out), ${s.reports.not_minimized} not minimized.`, '',
  ];
  if (s.bugs.length) {
    // Titles, scenarios and the rest come from models and files: escaped (src/report/escape.ts).
    for (const model of [...new Set(s.bugs.map((b) => b.model))].sort()) {
      const mine = s.bugs.filter((b) => b.model === model);
      lines.push(`## ${mdText(model)}: ${mine.length} bug(s)`, '', '| signature | title | kind | count | first found | report |', '|---|---|---|---:|---|---|');
      for (const b of mine) {
        const rep = b.report ? `[${mdText(b.report)}](${encodeURI(b.report)}) (${MINIMIZED[b.minimized] ?? mdText(b.minimized)})` : b.reproduce ? 'no token: see replay below' : '—';
        lines.push(`| ${mdCode(b.signature)} | ${mdText(b.title)} | ${mdCode(b.kind)} | ${b.count} | ${mdText(b.first_found)} | ${rep} |`);
      }
      lines.push('');
    }
  } else {
    lines.push('No bug found.', '');
  }
  if (s.known.length) {
    lines.push(`## Known bugs of these models: ${s.known_found}/${s.known_total} found`, '');
    for (const k of s.known) {
      const also = k.seen.filter((x) => x !== k.found);
      lines.push(`- ${k.found ? '[x]' : '[ ]'} ${mdText(k.model)} ${mdCode(k.id)} (scenario ${mdText(k.scenario)})${k.found ? `: ${mdCode(k.found)}` : ''}`
        + `${k.shared ? ' (shared with another known bug: no signature of its own)' : ''}${also.length ? `; also seen as ${also.map((x) => mdCode(x)).join(', ')}` : ''}`);
    }
    lines.push('');
  }
  if (s.bugs.length) {
    lines.push('## Replay', '');
    for (const b of s.bugs) lines.push(`- ${mdCode(b.signature)} ${mdText(b.title)}: ${mdCode(b.token ? commandFor('replay', b.token, b.model) : b.reproduce ?? '')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeSummary(dir: string, s: Summary): void {
  writeJsonAtomic(join(dir, 'summary.json'), s);
  writeAtomic(join(dir, 'summary.md'), summaryMarkdown(s));
}
