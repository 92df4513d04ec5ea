/**
 * Markdown rendering of a report, for terminals and GitHub: the kernel-style header, the broken
 * invariant (every line of it: lockdep's chains stay on their own lines), where it comes from and
 * whether it was minimized, the kernel's own console report (kernel-log.ts) in a code block, the
 * interleaving as one column per thread (lincheck's table: only visible ops, `switch` / `preempt`
 * marks where another thread takes over, the op that completes the violation flagged, an op that
 * never ran marked so), the object's allocation / free history, the state after the key steps, and
 * the replay command. Every model-provided string is escaped (code spans cannot break out of the
 * table; plain text has its markdown / HTML punctuation backslash-escaped; the code block's fence
 * is longer than any backtick run inside it).
 * Leaves out: colour and the picture (html.ts).
 */
import { activeThreads, afterText, changesText, detailLines, fmtVal, objectLines, opText, roleText, sizeLine, stateKeys, threadName, weakLines } from './format.js';
import { kernelLog } from './kernel-log.js';
import type { Report } from './report.js';

/** Escape text for markdown prose and table cells. */
export function mdText(s: string): string {
  return s.replace(/\r?\n/g, ' ')
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/^([#>+-])/, '\\$1')
    .replace(/[\\`*_[\]<|~]/g, (c, at: number, all: string) =>
      // An underscore inside a word (mutex_lock) cannot start emphasis: leave it readable.
      (c === '_' && /\w/.test(all[at - 1] ?? '') && /\w/.test(all[at + 1] ?? '') ? c : `\\${c}`));
}

/** A fenced code block whose fence no line inside can close. */
export function mdBlock(lines: readonly string[], info = 'text'): string[] {
  const longest = Math.max(0, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...lines.map((l) => l.replace(/\r/g, '')), fence];
}

/** Prose over several lines: each line escaped, hard line breaks between them (a trailing backslash). */
export function mdLines(text: string, prefix = ''): string[] {
  const lines = text.split(/\r?\n/);
  return lines.map((l, i) => `${prefix}${mdText(l)}${i < lines.length - 1 ? '\\' : ''}`);
}

/** A code span that cannot break out of a table cell. */
export function mdCode(s: string): string {
  const body = s.replace(/\r?\n/g, ' ').replace(/`/g, "'").replace(/\|/g, '\\|');
  return `\`${body}\``;
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  out.push(`### ${mdText(r.title)}`, '', ...mdLines(r.invariant, '> '), '');
  out.push('| | |', '|---|---|');
  out.push(`| model | ${mdCode(r.model.name)} (source hash ${mdCode(r.model.hash)}) |`);
  out.push(`| scenario | ${mdCode(r.model.scenario)} |`);
  out.push(`| found by | strategy ${mdCode(r.strategy)}, seed ${r.seed} |`);
  out.push(`| schedule | ${mdText(sizeLine(r))} |`);
  if (r.bug !== undefined) out.push(`| expected bug | ${mdCode(r.bug)} |`);
  out.push('');
  const log = kernelLog(r);
  if (log.length) out.push('Kernel log:', '', ...mdBlock(log), '');
  const hasChanges = r.steps.some((s) => s.changes);
  const threads = activeThreads(r);
  out.push(`| step | ${threads.map((t) => mdText(threadName(r, t.id))).join(' | ')} |${hasChanges ? ' state change |' : ''}`);
  out.push(`|---:|${threads.map(() => '---').join('|')}|${hasChanges ? '---|' : ''}`);
  for (const s of r.steps) {
    const mark = s.switch === 'preempt' ? '**preempt** → ' : s.switch === 'switch' ? '*switch* → ' : '';
    const role = roleText(s);
    const bug = role ? ` **◀ ${role}**` : '';
    const cells = threads.map((t) => (t.id === s.thread ? `${mark}${mdCode(opText(s))}${bug}` : ''));
    const ch = hasChanges ? ` ${s.changes ? mdCode(changesText(s)) : ''} |` : '';
    out.push(`| ${s.index} | ${cells.join(' | ')} |${ch}`);
  }
  out.push('');
  const obj = objectLines(r);
  const det = detailLines(r);
  if (obj.length || det.length) {
    for (const l of [...obj, ...det]) out.push(`- ${mdText(l)}`);
    out.push('');
  }
  const weak = weakLines(r);
  if (weak.length) {
    out.push(`${mdText(weak[0] as string)}:`, '');
    for (const l of weak.slice(1)) out.push(`- ${mdText(l)}`);
    out.push('');
  }
  const keys = stateKeys(r);
  if (keys.length && r.state.length) {
    out.push('State of the objects after the key steps:', '');
    out.push(`| | ${r.state.map((row) => `${afterText(row.after)}: ${mdCode(row.why)}`).join(' | ')} |`);
    out.push(`|---|${r.state.map(() => '---').join('|')}|`);
    for (const k of keys) out.push(`| ${mdCode(k)} | ${r.state.map((row) => mdCode(fmtVal(row.facts[k]))).join(' | ')} |`);
    out.push('');
  }
  out.push('Replay:', '', '```', r.replay, '```', '');
  return out.join('\n');
}
