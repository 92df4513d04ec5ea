/**
 * Neutralising model-controlled strings (thread names, op labels, object names, invariant
 * messages, scenario JSON, fact keys) for the two places reports are read: GitHub's markdown
 * renderer (GFM: CommonMark + tables + autolink literals, as cmark-gfm implements it) and
 * terminals. A string a model chose must render as that text, never as markup:
 *   - line endings (CR, LF; CommonMark knows no others) would end a table row or a paragraph:
 *     replaced by spaces; other control characters (C0, DEL, C1) and the bidirectional overrides
 *     (Trojan Source) are shown as `\u001b`-style escapes, in markdown and on terminals alike;
 *   - prose (`mdText`): every ASCII punctuation character that can open an inline construct is
 *     backslash-escaped (CommonMark allows that for all ASCII punctuation), so is what would open
 *     a block at its start, and a word that GFM would autolink (`www.`, `http://`, `@`) is put in
 *     a code span, where no autolinking or HTML happens (escaping its punctuation does not stop
 *     the GFM autolinker);
 *   - code spans (`mdCode`): delimited by more backticks than any run inside, `|` escaped for
 *     table cells (GFM splits cells before inline parsing, and honours `\|` inside code spans);
 *   - code blocks (`mdFence`): fenced by more backticks than any run inside, so no line closes it.
 * Leaves out: HTML (html.ts escapes for its own context) and GitHub's non-GFM post-processing
 * (`#123` issue links, `@user` mentions outside words it autolinks), which produce no raw HTML.
 */

/** Characters no report should pass on raw: C0 but tab and line endings, DEL, C1, bidi controls, line/paragraph separators. */
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;

/** `\u001b`: readable, and inside a JSON string the very escape JSON would use (same value). */
function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text safe to print on a terminal: control characters (not LF or tab) shown as `\u001b`-style escapes. */
export function termText(s: string): string {
  return s.replace(/\r/g, '\\r').replace(CONTROL_RE, visible);
}

/** One line: line endings become spaces, other control characters visible escapes. */
function oneLine(s: string): string {
  return s.replace(/\r\n?|\n/g, ' ').replace(CONTROL_RE, visible);
}

/** Words GFM would turn into links: extended www, URL (http, https, ftp) and email autolinks, mailto: and xmpp:. */
const LINKY_RE = /www\.|(?:https?|ftp):\/\/|mailto:|xmpp:|@/i;

/**
 * ASCII punctuation that opens or closes an inline construct anywhere in a line: emphasis and
 * strikethrough, code, links and images, raw HTML, table cells, GitHub math; `&` only where it
 * would start an entity.
 */
const PUNCT_RE = /[\\`*_[\]<|~$]|&(?=#?[A-Za-z0-9]+;)/g;

function escapePlain(w: string): string {
  return w.replace(PUNCT_RE, (c, at: number, all: string) =>
    // An underscore inside a word (mutex_lock) cannot start emphasis: leave it readable.
    (c === '_' && /[A-Za-z0-9]/.test(all[at - 1] ?? '') && /[A-Za-z0-9]/.test(all[at + 1] ?? '') ? c : `\\${c}`));
}

/** A word GFM would autolink goes in code spans, split at pipes (a pipe in a span shows its backslash outside tables). */
function escapeWord(w: string): string {
  if (!LINKY_RE.test(w)) return escapePlain(w);
  return w.split('|').map((part) => (part === '' ? '' : LINKY_RE.test(part) ? mdCode(part) : escapePlain(part))).join('\\|');
}

/**
 * Escape model text for markdown prose, headings, list items and table cells. At its start (where
 * it follows `- `, `> ` or `### `), leading blanks are dropped and what would open a block is
 * escaped: a list marker (`-`, `+`, `1.`), a heading, a quote, a setext or thematic rule.
 */
export function mdText(s: string): string {
  const words = oneLine(s).trimStart().split(/( +)/).map((w, i) => (i % 2 === 1 ? w : escapeWord(w))).join('');
  return words.replace(/^([-+#=>])/, '\\$1').replace(/^(\d{1,9})([.)])/, '$1\\$2');
}

function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** A code span showing `s` literally, that cannot break out of a table cell. */
export function mdCode(s: string): string {
  // A pipe is escaped for the table, and the backslashes before it doubled: GFM splits a row at a
  // pipe after an escaped backslash (`\\|`), so `\|` must become `\\\|`, not `\\|`.
  const body = oneLine(s).replace(/(\\*)\|/g, (_m, bs: string) => `${bs}${bs}\\|`);
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  // A span's content that starts or ends with a backtick (or is all spaces) needs a space of padding.
  const pad = body.startsWith('`') || body.endsWith('`') || (body.length > 0 && body.trim() === '') ? ' ' : '';
  return body.length === 0 ? '` `' : `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block showing `lines` literally: no line of it can close the fence. */
export function mdFence(lines: readonly string[]): string[] {
  const body = lines.map((l) => l.replace(/\r/g, ' ').replace(CONTROL_RE, visible));
  const fence = '`'.repeat(Math.max(3, longestRun(body.join('\n'), '`') + 1));
  return [fence, ...body.flatMap((l) => l.split('\n')), fence];
}
