/**
 * Hostile markdown: lost-update models whose every string is hostile (hostile.ts), their reports
 * rendered by a real GFM renderer (micromark + its GFM extension, which follows cmark-gfm): in
 * process through the library, and through the CLI (`check --report-dir` writes the report files,
 * `report --format md|text` prints them). Handled cleanly: only the tags a report makes, the same
 * block and table structure as the plain report, and no escape sequence in anything printed.
 * Leaves out: the HTML report (html.ts escapes for HTML; its own suite checks it in a browser).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { check } from '../../src/index.js';
import { buildReport, renderMarkdown, renderText } from '../../src/report/index.js';
import { cleanExit, cli, DIST, judge, pool, type Row, row, show, tempDir } from './harness.js';
import { type HostileStrings, PLAIN, REPORT_TAGS, hostileModel, hostileStrings, htmlTags, skeleton } from './hostile.js';

const gfmHtml0 = (md: string): string => micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function mdProblem(md: string, plain: string): string | null {
  const html = gfmHtml0(md);
  const bad = htmlTags(html).find((t) => !REPORT_TAGS.has(t.replace('/', '')));
  if (bad) return `raw <${bad}> in the rendered report`;
  return skeleton(html) === plain ? null : 'the table or block structure changed';
}

export async function markdownProbe(inProcess: number, viaCli: number): Promise<Row> {
  const r = row('hostile markdown (GFM) and terminal output');
  const plainModel = hostileModel(PLAIN);
  const plainFinding = check(plainModel, { strategy: 'dpor', scenario: { tag: PLAIN.tag } }).finding;
  const plain = skeleton(gfmHtml0(renderMarkdown(buildReport(plainModel, plainFinding?.token ?? ''))));
  const samples = fc.sample(hostileStrings, { numRuns: inProcess + viaCli, seed: 51 });
  for (const s of samples.slice(0, inProcess)) {
    const m = hostileModel(s);
    const f = check(m, { strategy: 'dpor', scenario: { tag: s.tag } }).finding;
    if (!f) {
      judge(r, false, 'a hostile model lost its bug');
      continue;
    }
    const rep = buildReport(m, f.token);
    const p = mdProblem(renderMarkdown(rep), plain) ?? (CONTROL.test(renderText(rep).replace(/\n/g, '')) ? 'a control character in the text report' : null);
    judge(r, p === null, `${p ?? ''}: ${JSON.stringify(s).slice(0, 300)}`);
  }
  const dir = tempDir('md');
  const cliSamples: HostileStrings[] = samples.slice(inProcess);
  const mod = join(dir, 'models.mjs');
  writeFileSync(mod, `import { hostileModel } from ${JSON.stringify(join(DIST, 'bench', 'reliability', 'hostile.js'))};
export const models = ${JSON.stringify(cliSamples)}.map((s, i) => hostileModel(s, 'user/h' + i));\n`);
  await pool(cliSamples.map((s, i) => async () => {
    const out = join(dir, `r${i}`);
    const args = ['check', `user/h${i}`, '--load', mod, '--strategy', 'dpor', '--scenario', JSON.stringify({ tag: s.tag }), '--report-dir', out, '--json'];
    const res = await cli(args, 120_000);
    let problem: string | null = cleanExit(res, [1]) ? null : 'check did not exit 1';
    if (problem === null && CONTROL.test(res.stdout + res.stderr)) problem = 'a control character printed';
    if (problem === null) {
      const md = readdirSync(out).find((f) => f.endsWith('.md'));
      problem = md ? mdProblem(readFileSync(join(out, md), 'utf8'), plain) : 'no report written';
      const token = (JSON.parse(res.stdout) as { token?: string }).token ?? '';
      for (const format of ['md', 'text']) {
        const p = await cli(['report', token, '--load', mod, '--format', format, '--no-minimize'], 120_000);
        if (problem === null && (!cleanExit(p, [0]) || CONTROL.test(p.stdout.replace(/\n/g, '') + p.stderr))) problem = `report --format ${format}: ${show(['report'], p)}`;
        if (problem === null && format === 'md') problem = mdProblem(p.stdout, plain);
      }
    }
    judge(r, problem === null, `${problem ?? ''}: ${show(args, res)}`);
  }));
  return r;
}
