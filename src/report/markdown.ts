/**
 * Markdown rendering of a report, for terminals and GitHub: the kernel-style header, the broken
 * invariant (every line of it: lockdep's chains stay on their own lines), where it comes from and
 * whether it was minimized, the kernel's own console report (kernel-log.ts) in a code block, the
 * interleaving as one column per thread (lincheck's table: only visible ops, `switch` / `preempt`
 * marks where another thread takes over, the op that completes the violation flagged, an op that
 * never ran marked so), the object's allocation / free history, the state after the key steps, and
 * the replay command. Every model-provided string goes through escape.ts (code spans cannot break
 * out of the table; prose has its markdown / HTML punctuation escaped and autolinkable words in
 * code spans; a code block's fence is longer than any backtick run inside it).
 * Leaves out: colour and the picture (html.ts).
 */
import { mdCode, mdFence, mdText } from './escape.js';
import { activeThreads, afterText, changesText, detailLines, fmtVal, objectLines, opText, roleText, sizeLine, stateKeys, threadName } from './format.js';
import { kernelLog } from './kernel-log.js';
import type { Report } from './report.js';

/** A fenced code block with an info string, whose fence no line inside can close. */
export function mdBlock(lines: readonly string[], info = 'text'): string[] {
  const [open = '```', ...rest] = mdFence(lines);
  return [`${open}${info}`, ...rest];
}

/** Prose over several lines: each line escaped, hard line breaks between them (a trailing backslash). */
export function mdLines(text: string, prefix = ''): string[] {
  const lines = text.split(/\r?\n/);
  return lines.map((l, i) => `${prefix}${mdText(l)}${i < lines.length - 1 ? '\\' : ''}`);
}

export { mdCode, mdText };

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
  const keys = stateKeys(r);
  if (keys.length && r.state.length) {
    out.push('State of the objects after the key steps:', '');
    out.push(`| | ${r.state.map((row) => `${afterText(row.after)}: ${mdCode(row.why)}`).join(' | ')} |`);
    out.push(`|---|${r.state.map(() => '---').join('|')}|`);
    for (const k of keys) out.push(`| ${mdCode(k)} | ${r.state.map((row) => mdCode(fmtVal(row.facts[k]))).join(' | ')} |`);
    out.push('');
  }
  out.push('Replay:', '', ...mdFence([r.replay]), '');
  return out.join('\n');
}
