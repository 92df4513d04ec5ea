/**
 * The pure renderers: the JSON document round-trips and refuses newer versions; the markdown
 * table keeps one column per thread that ran, with hostile model strings unable to add cells,
 * raw HTML or code fences; the text layout marks preemptions and the violating op; the report
 * itself carries the violation's sites, the object's history and the state after key steps.
 */
import { describe, expect, it } from 'vitest';
import { abba, lostUpdate } from '../../models/litmus/classic.js';
import { UsageError } from '../../src/index.js';
import { buildReport, parseReport, renderMarkdown, renderText, reportJson, REPORT_VERSION } from '../../src/report/index.js';
import { minimize } from '../../src/shrink/index.js';
import { failingToken } from '../shrink/fixtures.js';
import { EVIL, hostile } from './hostile.js';

const lost = (() => {
  const m = minimize(lostUpdate, failingToken(lostUpdate, 5, 't3'));
  return buildReport(lostUpdate, m.token, { minimized: { from: m.before, fixedPoint: m.fixedPoint } });
})();

/** Cells of a markdown table row, splitting on unescaped pipes. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1);
}

describe('report document', () => {
  it('round-trips through JSON and refuses a newer format version', () => {
    expect(parseReport(reportJson(lost))).toEqual(lost);
    const newer = { ...JSON.parse(reportJson(lost)) as object, version: REPORT_VERSION + 1 };
    expect(() => parseReport(JSON.stringify(newer))).toThrow(UsageError);
    expect(() => parseReport(JSON.stringify(newer))).toThrow(/newer than this mapcheck reads/);
    expect(() => parseReport('{"format":"something-else"}')).toThrow(/not a mapcheck report/);
    const older = { ...JSON.parse(reportJson(lost)) as object, version: REPORT_VERSION - 1 };
    expect(() => parseReport(JSON.stringify(older))).toThrow(/older than this mapcheck reads/);
  });

  it('records the steps, preemption marks, the violating op and the state after key steps', () => {
    expect(lost.size).toMatchObject({ steps: 4, preemptions: 1 });
    expect(lost.steps.filter((s) => s.switch === 'preempt')).toHaveLength(1);
    expect(lost.steps.filter((s) => s.violating)).toHaveLength(1);
    expect(lost.state[0]?.after).toBe(-1);
    expect(lost.state[0]?.facts).toEqual({ count: 0 });
    expect(lost.state.at(-1)?.facts).toEqual({ count: 1 });
    expect(lost.replay).toBe(`npx mapcheck replay ${lost.token}`);
  });

  it('a deadlock report lists what each thread waits for', () => {
    const m = minimize(abba, failingToken(abba, 2));
    const md = renderMarkdown(buildReport(abba, m.token));
    expect(md).toMatch(/T0 ab waits for B held by T1 at ab: mutex_lock\(B\)/);
    expect(md).toMatch(/T1 ba waits for A held by T0 at ba: mutex_lock\(A\)/);
  });
});

describe('markdown and text', () => {
  const r = buildReport(hostile, minimize(hostile, failingToken(hostile, 1)).token);
  const md = renderMarkdown(r);

  it('hostile strings cannot add table cells, raw HTML or fences', () => {
    const table = md.split('\n').filter((l) => l.startsWith('| ') && /^\| \d+ \|/.test(l));
    expect(table.length).toBe(r.steps.length);
    const header = md.split('\n').find((l) => l.startsWith('| step |')) ?? '';
    for (const row of table) expect(cells(row)).toHaveLength(cells(header).length);
    // Fenced blocks (CommonMark: a fence closes only with a fence at least as long): the kernel
    // log and the replay command, each closed by its own fence, nothing inside able to close it.
    const lines = md.split('\n');
    const outside: string[] = [];
    let open: string | null = null;
    let blocks = 0;
    for (const l of lines) {
      const f = /^(`{3,})/.exec(l)?.[1];
      if (open === null && f !== undefined) { open = f; blocks++; continue; }
      if (open !== null) {
        if (f !== undefined && f.length >= open.length && l.trim() === f) open = null;
        continue;
      }
      outside.push(l);
    }
    expect(open).toBeNull();
    expect(blocks).toBe(2);
    // Outside code spans and blocks (where `<` is literal) every `<` is backslash-escaped, so no HTML starts.
    // (A span is delimited by more backticks than any run inside it: escape.ts.)
    const prose = outside.join('\n').replace(/(`+)(?!`).*?[^`]\1(?!`)/g, '');
    expect(prose).toMatch(/\\<script>/);
    expect(prose).not.toMatch(/(?<!\\)</);
    expect(EVIL).toContain('<script>');
  });

  it('text layout shows the switch lines and the BUG flag', () => {
    const t = renderText(lost);
    expect(t).toMatch(/-- preempt to T\d inc\d --/);
    expect(t).toMatch(/<== BUG/);
    expect(t.split('\n')[0]).toBe(lost.title);
  });
});
