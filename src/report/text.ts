/**
 * Plain-text rendering of a report for a terminal without markdown: the same content as the
 * markdown renderer -- the broken invariant line by line, the kernel's console report
 * (kernel-log.ts) verbatim -- and the interleaving laid out in fixed-width columns (one per
 * thread), with a `-- preempt --` or `-- switch --` line where another thread takes over, `<== BUG`
 * on the op that completes the violation, and a `state:` line under each step that changed an
 * inspected fact. Long op texts are cut to the column width with an ellipsis.
 * Control characters of model strings are shown as escapes (escape.ts), never sent to the terminal.
 * Leaves out: colour (terminals differ; pipe through a pager as is).
 */
import { activeThreads, afterText, changesText, detailLines, fmtVal, objectLines, opText, roleText, sizeLine, stateKeys, threadName } from './format.js';
import { termText } from './escape.js';
import { kernelLog } from './kernel-log.js';
import type { Report } from './report.js';

const MAX_COL = 56;

function fit(s: string, w: number): string {
  const flat = s.replace(/[\r\n\t]/g, ' ');
  return flat.length > w ? `${flat.slice(0, w - 1)}…` : flat.padEnd(w);
}

export function renderText(r: Report): string {
  const out: string[] = [r.title, ...r.invariant.split(/\r?\n/).map((l) => `  ${l}`), ''];
  out.push(`model:    ${r.model.name} (source hash ${r.model.hash})  scenario: ${r.model.scenario}`);
  out.push(`found by: strategy ${r.strategy}, seed ${r.seed}`);
  out.push(`schedule: ${sizeLine(r)}`);
  if (r.bug !== undefined) out.push(`bug:      ${r.bug}`);
  out.push('');
  const log = kernelLog(r);
  if (log.length) out.push(...log, '');
  const threads = activeThreads(r);
  const flag = (s: Report['steps'][number]): string => (roleText(s) ? ` <== ${roleText(s)}` : '');
  const width = threads.map((t) => Math.min(MAX_COL, Math.max(threadName(r, t.id).length,
    ...r.steps.filter((s) => s.thread === t.id).map((s) => opText(s).length + flag(s).length))));
  const sep = ' | ';
  out.push(`step${sep}${threads.map((t, i) => fit(threadName(r, t.id), width[i] ?? 10)).join(sep)}`);
  out.push(`----${sep}${width.map((w) => '-'.repeat(w)).join(sep)}`);
  for (const s of r.steps) {
    if (s.switch !== 'none') out.push(`      -- ${s.switch} to ${threadName(r, s.thread)} --`);
    const cells = threads.map((t, i) => fit(t.id === s.thread ? `${opText(s)}${flag(s)}` : '', width[i] ?? 10));
    out.push(`${String(s.index).padStart(4)}${sep}${cells.join(sep)}`.trimEnd());
    const ch = changesText(s);
    if (ch) out.push(`        state: ${ch}`);
  }
  out.push('');
  for (const l of [...objectLines(r), ...detailLines(r)]) out.push(`  ${l}`);
  const keys = stateKeys(r);
  if (keys.length && r.state.length) {
    out.push('', 'state after the key steps:');
    for (const row of r.state) {
      out.push(`  ${afterText(row.after)} (${row.why}): ${keys.map((k) => `${k}=${fmtVal(row.facts[k])}`).join(' ')}`);
    }
  }
  out.push('', `replay: ${r.replay}`, '');
  // Model-provided strings reach a terminal: no escape sequence of theirs gets through.
  return termText(out.join('\n'));
}
