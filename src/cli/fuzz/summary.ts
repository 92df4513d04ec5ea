/**
 * A campaign's summary, written on finish, on SIGINT, and by `mapcheck merge`: `summary.json`
 * (`{ executions, elapsed_s, bugs: [{ signature, model, kind, count, token, report }] }`, plus
 * coverage and a few descriptive fields scripts may ignore) and `summary.md` (one table, then the
 * replay command of every bug).
 * Leaves out: the reports themselves (report-stage.ts).
 */
import { join } from 'node:path';
import { commandFor } from '../resolve.js';
import { writeAtomic, writeJsonAtomic } from './files.js';
import type { KnownBug } from './known.js';
import type { FindingRecord } from './store.js';

export interface SummaryBug {
  signature: string;
  model: string;
  kind: string;
  count: number;
  token: string;
  /** Report path relative to the campaign directory ('' when none was written). */
  report: string;
  scenario: string;
  title: string;
  first_found: string;
  steps: number;
  reproduce?: string;
}

export interface Summary {
  executions: number;
  elapsed_s: number;
  bugs: SummaryBug[];
  coverage: number;
  models: string[];
  /** The selected models' declared bugs and the finding that shows each (null = not found). */
  known: KnownBug[];
  shards?: number;
}

export function summaryOf(executions: number, elapsedS: number, coverage: number, models: readonly string[], records: readonly FindingRecord[], known: readonly KnownBug[]): Summary {
  return {
    executions, elapsed_s: Math.round(elapsedS * 10) / 10, coverage, models: [...models], known: [...known],
    bugs: records.map((r) => ({
      signature: r.signature, model: r.model, kind: r.kind, count: r.count, token: r.token, report: r.report ?? '',
      scenario: r.scenario, title: r.title, first_found: r.first_found, steps: r.steps,
      ...(r.reproduce !== undefined ? { reproduce: r.reproduce } : {}),
    })),
  };
}

export function summaryMarkdown(s: Summary): string {
  const lines = [
    '# mapcheck campaign summary', '',
    `${s.executions} executions in ${s.elapsed_s} s over ${s.models.length} model(s); ${s.coverage} distinct interleaving fingerprints; ${s.bugs.length} distinct bug(s).`, '',
  ];
  if (s.bugs.length) {
    lines.push('| signature | model | scenario | kind | count | first found | report |', '|---|---|---|---|---:|---|---|');
    for (const b of s.bugs) {
      lines.push(`| \`${b.signature}\` | ${b.model} | ${b.scenario} | ${b.kind} | ${b.count} | ${b.first_found} | ${b.report ? `[${b.report}](${b.report})` : '—'} |`);
    }
    lines.push('', '## Replay', '');
    for (const b of s.bugs) {
      lines.push(`- \`${b.signature}\` ${b.title}: ${b.token ? `\`${commandFor('replay', b.token, b.model)}\`` : b.reproduce ?? ''}`);
    }
  } else {
    lines.push('No bug found.');
  }
  if (s.known.length) {
    const found = s.known.filter((k) => k.found !== null).length;
    lines.push('', `## Known bugs of these models: ${found}/${s.known.length} found`, '');
    for (const k of s.known) lines.push(`- ${k.found ? '[x]' : '[ ]'} ${k.model} \`${k.id}\` (scenario ${k.scenario})${k.found ? `: \`${k.found}\`` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeSummary(dir: string, s: Summary): void {
  writeJsonAtomic(join(dir, 'summary.json'), s);
  writeAtomic(join(dir, 'summary.md'), summaryMarkdown(s));
}
