/**
 * Hostile model strings against a real GFM renderer (micromark with its GFM extension, which
 * follows cmark-gfm, GitHub's own): for random models whose every string (thread names, op labels,
 * object name, invariant name and message, inspected fact key and value, scenario JSON) is built
 * from injection fragments — CR and LF, `|`, backtick runs, raw HTML, autolinkable URLs and
 * emails, entities, terminal escapes, bidi overrides — the rendered report has no raw HTML, no
 * link, and exactly the table and block structure of the same report with plain strings. The
 * campaign summary passes the same test, and text output and the terminal carry no control
 * character.
 */
import fc from 'fast-check';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { type HostileStrings, PLAIN, REPORT_TAGS, hostileModel, hostileString, hostileStrings, htmlTags, skeleton } from '../../bench/reliability/hostile.js';
import { summaryMarkdown } from '../../src/cli/fuzz/summary.js';
import { Atomic, check, defineModel, thread } from '../../src/index.js';
import { buildReport, mdCode, mdText, renderMarkdown, renderText, termText } from '../../src/report/index.js';

/** The report of a hostile lost update (bench/reliability/hostile.ts), as markdown. */
function reportOf(s: HostileStrings): string {
  const m = hostileModel(s, 'test/escape');
  const r = check(m, { strategy: 'dpor', scenario: { tag: s.tag } });
  if (!r.finding) throw new Error('the lost update was not found');
  return renderMarkdown(buildReport(m, r.finding.token));
}

const gfmHtmlOf = (md: string): string => micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
const tags = htmlTags;
const ALLOWED = REPORT_TAGS;

describe('markdown under a real GFM renderer', () => {
  const plainSkeleton = skeleton(gfmHtmlOf(reportOf(PLAIN)));

  it('the plain report renders as a heading, a quote, tables and lists', () => {
    expect(plainSkeleton).toMatch(/^h3 \/h3 blockquote p \/p \/blockquote table thead tr th/);
    expect(plainSkeleton.split(' ').filter((t) => t === 'table')).toHaveLength(3);
  });

  it('hostile strings add no raw HTML, no link, and change no structure (property)', () => {
    fc.assert(fc.property(hostileStrings, (s) => {
      const html = gfmHtmlOf(reportOf(s));
      for (const t of tags(html)) expect(ALLOWED.has(t.replace('/', '')), `tag <${t}> in ${html}`).toBe(true);
      expect(skeleton(html)).toBe(plainSkeleton);
    }), { numRuns: 150, seed: 41 });
  });

  it('escaped text and code show the string itself', () => {
    fc.assert(fc.property(hostileString, (s) => {
      const flat = termText(s.replace(/\r\n?|\n/g, ' ')).trimStart();
      const text = gfmHtmlOf(`x ${mdText(s)} y`).replace(/<\/?(p|code)>/g, '').trim();
      const unescape = (h: string): string => h.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      expect(unescape(text).replace(/\s+/g, ' ')).toBe(`x ${flat} y`.replace(/\s+/g, ' ').trim());
      const code = gfmHtmlOf(`| a |\n|---|\n| ${mdCode(s)} |`);
      expect(tags(code).join(' ')).toBe('table thead tr th /th /tr /thead tbody tr td code /code /td /tr /tbody /table');
    }), { numRuns: 300, seed: 42 });
  });

  it('the campaign summary: no raw HTML, links only to its reports', () => {
    fc.assert(fc.property(hostileString, hostileString, hostileString, (title, scenario, reproduce) => {
      const md = summaryMarkdown({
        executions: 1, elapsed_s: 1, coverage: 1, models: ['m'], known: [],
        signatures: 2, signatures_with_known: 0, known_found: 0, known_total: 0, crash_sites: { count: 1, merging_known: 0 }, reports: { written: 1, fixed_point: 1, partly: 0, not_minimized: 0 },
        bugs: [
          { signature: 'invariant-0123abcd', model: 'm/x', kind: 'invariant', count: 2, token: 'mc1.AAAA', report: 'reports/invariant-0123abcd.md', scenario, title, first_found: title, steps: 3, bug: title, minimized: 'minimized' },
          { signature: 'hang-0123abcd', model: 'm/x', kind: 'hang', count: 1, token: '', report: '', scenario, title, first_found: 'x', steps: 0, reproduce, bug: title, minimized: 'not-minimized' },
        ],
      });
      const html = gfmHtmlOf(md);
      for (const t of tags(html)) expect(['h1', 'h2', 'p', 'strong', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'ul', 'li', 'a'].includes(t.replace('/', '')), `tag <${t}>`).toBe(true);
      expect([...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1])).toEqual(['reports/invariant-0123abcd.md']);
      expect(tags(html).filter((t) => t === 'tr')).toHaveLength(3);
    }), { numRuns: 150, seed: 43 });
  });
});

describe('terminal output', () => {
  it('text reports and the CLI writer let no control character through', () => {
    fc.assert(fc.property(hostileString, (s) => {
      expect(termText(s)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }), { numRuns: 300, seed: 44 });
    const m = defineModel<{ c: Atomic }, Record<string, never>>({
      name: 'test/term', scenarios: { d: {} }, setup: () => ({ c: new Atomic(0, 'c\u001b[2J') }),
      threads: (st) => ['a\u001b]0;x\u0007', 'b\u009b31m'].map((n) => thread(n, function* () { yield* st.c.store((yield* st.c.load('ld\r')) + 1, 'st\u202e'); })),
      final: [{ name: 'sum', check: (st) => st.c.value === 2 || 'lost \u001b[5m' }],
    });
    const r = check(m, { strategy: 'dpor' });
    const text = renderText(buildReport(m, r.finding?.token ?? ''));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain('\\u001b[2J');
  });
});
