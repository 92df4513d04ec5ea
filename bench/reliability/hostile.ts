/**
 * Hostile strings and the models that carry them, shared by the reliability script's markdown
 * probe and the escaping property test (properties/report/escape.test.ts): fragments that inject
 * into GFM (line endings, pipes, backtick runs, raw HTML, autolinkable URLs and emails, entities,
 * block markers) or into terminals (escape sequences, C1 controls, bidi overrides), joined at
 * random; and a two-thread lost update whose every string — thread names, op labels, the object's
 * name, the invariant's name and message, an inspected fact's key and value, the scenario — is one
 * of them, so its report carries them all.
 * Leaves out: judging the rendering (the probe and the test do).
 */
import fc from 'fast-check';
import { Atomic, type AnyModel, defineModel, thread } from '../../src/index.js';

export const FRAGMENTS = [
  '<img src=x onerror=alert(1)>', '<a href="http://e.vil">x</a>', '<script>alert(2)</script>', '</td></tr><tr><td>', '<!--', '-->',
  '\r', '\n', '\r\n', '|', '\\|', '`', '``', '```', '~~~', 'www.e.vil', 'http://e.vil/<b>x</b>', 'https://e.vil?a=1&b=2', 'me@e.vil',
  '@someone', '[x](javascript:alert(3))', '![i](http://e.vil/p.png)', '&lt;b&gt;', '&#60;i&#62;', '&amp;', '*', '**', '_', '__',
  '~~', '$x^2$', '#', '# h', '---', '> q', '1. ', '- ', '+ ', '    code', '\t', '\\', '<', '>', '\u001b[31m', '\u001b]0;t\u0007',
  '\u009b2J', '\u202e', '\u2028', '\u0000', ' ', 'mutex_lock', 'T0', ':',
];

export const hostileString: fc.Arbitrary<string> = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));

export interface HostileStrings {
  readonly t0: string; readonly t1: string; readonly load: string; readonly store: string; readonly obj: string;
  readonly inv: string; readonly msg: string; readonly key: string; readonly val: string; readonly tag: string;
}

export const hostileStrings: fc.Arbitrary<HostileStrings> = fc.record({
  t0: hostileString, t1: hostileString, load: hostileString, store: hostileString, obj: hostileString,
  inv: hostileString, msg: hostileString, key: hostileString, val: hostileString, tag: hostileString,
});

/** The same slots with plain strings: the report's structure without anything hostile. */
export const PLAIN: HostileStrings = { t0: 'ta', t1: 'tb', load: 'ld', store: 'st', obj: 'ob', inv: 'in', msg: 'ms', key: 'ky', val: 'vl', tag: 'tg' };

/** A lost update whose every string is `s`'s (the bug is the checker's finding, not a throw); run it with scenario `{ tag: s.tag }`. */
export function hostileModel(s: HostileStrings, name = 'test/hostile-strings'): AnyModel {
  return defineModel<{ c: Atomic }, { tag: string }>({
    name, scenarios: { d: { tag: 'x' } },
    setup: () => ({ c: new Atomic(0, s.obj) }),
    threads: (st) => [s.t0, s.t1].map((n) => thread(n, function* () {
      const v = yield* st.c.load(s.load);
      yield* st.c.store(v + 1, s.store);
    })),
    final: [{ name: s.inv, check: (st) => st.c.value === 2 || s.msg }],
    inspect: (st) => ({ [s.key]: st.c.value, note: s.val }),
  });
}

/** Tags of an HTML text, closing ones with a leading '/'. */
export function htmlTags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => (m[0].startsWith('</') ? '/' : '') + (m[1] as string).toLowerCase());
}

/**
 * The block and table skeleton of rendered HTML: every tag but code spans (escaping may put a
 * linkable word in one) and hard line breaks (a multi-line invariant message keeps its lines).
 */
export function skeleton(html: string): string {
  return htmlTags(html).filter((t) => t !== 'code' && t !== '/code' && t !== 'br').join(' ');
}

/** The only tags a report's markdown may produce. */
export const REPORT_TAGS = new Set(['h3', 'p', 'br', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'strong', 'em', 'ul', 'li', 'pre']);
