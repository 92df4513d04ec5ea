/**
 * The curated examples: for every expected bug of every posted seed model, find a failing
 * execution in the bug's scenario (DPOR, then DFS with iterative preemption bounding, then
 * random walk), minimize it, check the minimized violation is still that bug, and write its
 * report (md + html + json) to `reports/examples/<model>--<bug>.*`, plus `index.json` listing them.
 * Run with `npm run examples` (builds first, so tokens carry the hashes the CLI computes);
 * `--verify` re-checks them and prints JSON (the examples suite runs it under plain node: vitest's
 * module transform rewrites function text, and a model's hash covers its function text).
 * The examples suite (properties/report/examples.test.ts) fails when one no longer reproduces,
 * when its rendering changed, or when a bug has no example.
 * Leaves out: litmus models (they are not seed bugs; the README mentions them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Execution } from '../engine/execution.js';
import type { AnyModel, ExpectedBug } from '../engine/model.js';
import { scenarioParams } from '../engine/model.js';
import { encodeToken } from '../engine/token.js';
import type { Violation } from '../engine/violation.js';
import { makeStrategy, strategyNames } from '../strategies/index.js';
import { buildReport } from '../report/build.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { reportJson } from '../report/report.js';
import { minimizedReport, writeOut, writeReportFiles } from './report-files.js';

/** Does violation `v` show expected bug `bug` (kind listed, and its `match` text when given)? */
export function matchesBug(v: Violation | null, bug: ExpectedBug): boolean {
  if (!v || !bug.kinds.includes(v.kind)) return false;
  return bug.match === undefined || `${v.title} ${v.message}`.includes(bug.match);
}

export interface BugHunt {
  readonly token: string;
  readonly strategy: string;
  readonly executions: number;
  /** The violation of the token's execution that shows the bug (it may show others too). */
  readonly violation: Violation;
}

/**
 * Find a failing token for `bug` in its scenario, trying strategies in turn within `budget`
 * executions each, in keep-going mode (a race or WARN the same interleaving shows first does not
 * hide the bug).
 */
export function huntBug(model: AnyModel, bug: ExpectedBug, budget = 20_000, strategies = ['dpor', 'random', 'pct', 'dfs']): BugHunt | null {
  const { key, params } = scenarioParams(model, bug.scenario);
  const exec = new Execution();
  for (const name of strategies.filter((s) => strategyNames().includes(s))) {
    const sched = makeStrategy(name, { seed: 1 });
    const runStore = new Map<unknown, unknown>();
    for (let i = 0; i < budget; i++) {
      if (!sched.beginExecution()) break;
      const r = exec.run(model, sched, { params, runStore, keepGoing: true });
      sched.endExecution?.({ violation: r.violation, halted: r.halted, steps: r.steps, schedule: r.schedule });
      const v = r.violations.find((x) => matchesBug(x, bug));
      if (v !== undefined) {
        const token = encodeToken({ model: model.name, hash: model.hash, scenario: key, strategy: sched.name, seed: sched.seed, steps: r.schedule, mode: { keepGoing: true } });
        return { token, strategy: name, executions: i + 1, violation: v };
      }
    }
  }
  return null;
}

export interface ExampleEntry {
  readonly model: string;
  readonly bug: string;
  readonly scenario: string;
  readonly token: string;
  readonly title: string;
  readonly kind: string;
  readonly steps: number;
  readonly preemptions: number;
  readonly faults: number;
  readonly before: { readonly steps: number; readonly preemptions: number; readonly faults: number };
  /** The minimizer reached its fixed point within EXAMPLE_RUNS. */
  readonly fixedPoint: boolean;
  readonly stem: string;
}

/** Executions the minimizer may spend on one example. */
export const EXAMPLE_RUNS = 15_000;

export const exampleStem = (model: string, bug: string): string => `${model.replace(/[^a-z0-9.-]+/gi, '-')}--${bug}`;

/** Generate every example into `dir`; returns the entries and the bugs it could not show. */
export function generateExamples(models: readonly AnyModel[], dir: string, log: (l: string) => void = () => {}): { entries: ExampleEntry[]; missing: string[] } {
  const entries: ExampleEntry[] = [];
  const missing: string[] = [];
  for (const model of models) {
    for (const bug of model.expectedBugs ?? []) {
      const hunt = huntBug(model, bug);
      if (!hunt) {
        missing.push(`${model.name} ${bug.id}: not found in scenario ${bug.scenario}`);
        log(`  MISSING ${model.name} ${bug.id}`);
        continue;
      }
      // A budget in executions (and a generous time limit) makes the examples the same on any machine.
      const { report, min } = minimizedReport(model, hunt.token, { bug: bug.id, maxRuns: EXAMPLE_RUNS, timeMs: 120_000, target: hunt.violation });
      if (!matchesBug(min.violation, bug)) {
        missing.push(`${model.name} ${bug.id}: the minimized schedule shows ${min.violation.title}`);
        continue;
      }
      const stem = exampleStem(model.name, bug.id);
      writeReportFiles(dir, report, stem);
      entries.push({
        model: model.name, bug: bug.id, scenario: min.scenario, token: min.token, title: report.title, kind: report.kind,
        steps: min.steps, preemptions: min.preemptions, faults: min.faults, before: min.before, fixedPoint: min.fixedPoint, stem,
      });
      log(`  ${model.name.padEnd(26)} ${bug.id.padEnd(28)} ${min.before.steps} -> ${min.steps} steps, ${min.before.preemptions} -> ${min.preemptions} preemptions (${hunt.strategy}, ${min.elapsedMs} ms)`);
    }
  }
  writeOut(resolve(dir, 'index.json'), `${JSON.stringify({ format: 'mapcheck-examples', version: 1, examples: entries, missing }, null, 2)}\n`);
  return { entries, missing };
}

/** The example the README shows inline: Morton's question from seed 000 when it exists. */
export const README_EXAMPLE = 'ioremap-reuse/posted morton-resurrect';
const README_START = '<!-- example-report:start (generated by npm run examples; do not edit) -->';
const README_END = '<!-- example-report:end -->';

/** Put the markdown of the README example between the README's markers; false when they are absent. */
export function updateReadme(readmePath: string, dir: string, entries: readonly ExampleEntry[]): boolean {
  const e = entries.find((x) => `${x.model} ${x.bug}` === README_EXAMPLE) ?? entries[0];
  if (!e || !existsSync(readmePath)) return false;
  const text = readFileSync(readmePath, 'utf8');
  const a = text.indexOf(README_START);
  const b = text.indexOf(README_END);
  if (a < 0 || b < a) return false;
  const md = readFileSync(resolve(dir, `${e.stem}.md`), 'utf8').trim();
  const intro = [
    `The minimized report of the \`${e.bug}\` bug of \`${e.model}\`, exactly as mapcheck wrote it to`,
    `\`reports/examples/${e.stem}.md\` (the \`.html\` beside it draws the timeline; \`.json\` is for tools).`,
    '`mapcheck check` writes one like it for every finding; `mapcheck minimize <token>` shrinks a token and',
    '`mapcheck report <token> --format md|html|text|json` renders one.',
  ].join('\n');
  const body = `${README_START}\n\n${intro}\n\n${md}\n\n`;
  writeOut(readmePath, text.slice(0, a) + body + text.slice(b));
  return true;
}

export interface ExampleCheck {
  readonly stem: string;
  readonly model: string;
  readonly bug: string;
  /** Empty when the example replays to its bug and renders byte-for-byte as committed. */
  readonly problems: string[];
}

/** Re-check every example of `dir/index.json` against the current models and renderers. */
export function verifyExamples(models: readonly AnyModel[], dir: string): { checks: ExampleCheck[]; missing: string[]; readme: string | null } {
  const index = JSON.parse(readFileSync(resolve(dir, 'index.json'), 'utf8')) as { examples: ExampleEntry[] };
  const want = models.flatMap((m) => (m.expectedBugs ?? []).map((b) => `${m.name} ${b.id}`));
  const have = new Set(index.examples.map((e) => `${e.model} ${e.bug}`));
  const checks = index.examples.map((e): ExampleCheck => {
    const problems: string[] = [];
    const model = models.find((m) => m.name === e.model);
    const bug = model?.expectedBugs?.find((b) => b.id === e.bug);
    if (!model || !bug) return { stem: e.stem, model: e.model, bug: e.bug, problems: [`${e.model} no longer declares ${e.bug}`] };
    try {
      // The violation the example was written about (a keep-going execution may show several).
      const r = buildReport(model, e.token, {
        minimized: { from: e.before, fixedPoint: e.fixedPoint === true }, bug: e.bug,
        focus: (v) => v.kind === e.kind && v.title === e.title && matchesBug(v, bug),
      });
      if (!matchesBug(r.violation, bug)) problems.push(`replays to a different violation: ${r.title}`);
      if (r.size.steps !== e.steps || r.size.preemptions !== e.preemptions) problems.push(`size is now ${r.size.steps} steps / ${r.size.preemptions} preemptions`);
      for (const [ext, text] of [['md', renderMarkdown(r)], ['json', reportJson(r)], ['html', renderHtml(r)]] as const) {
        const path = resolve(dir, `${e.stem}.${ext}`);
        if (!existsSync(path)) problems.push(`${e.stem}.${ext} is missing`);
        else if (readFileSync(path, 'utf8') !== text) problems.push(`${e.stem}.${ext} renders differently now`);
      }
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    return { stem: e.stem, model: e.model, bug: e.bug, problems };
  });
  return { checks, missing: want.filter((w) => !have.has(w)), readme: readmeProblem(resolve(dir, '../../README.md'), dir, index.examples) };
}

/** Is the README's example section the current rendering of its example? (null = yes) */
function readmeProblem(readmePath: string, dir: string, entries: readonly ExampleEntry[]): string | null {
  const e = entries.find((x) => `${x.model} ${x.bug}` === README_EXAMPLE) ?? entries[0];
  if (!e || !existsSync(readmePath)) return null;
  const text = readFileSync(readmePath, 'utf8');
  if (!text.includes(README_START)) return 'README.md has no example-report section';
  return text.includes(readFileSync(resolve(dir, `${e.stem}.md`), 'utf8').trim()) ? null : `README.md does not show the current ${e.stem}.md`;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isEntry) {
  const { allModels } = await import('../../models/index.js');
  const verify = process.argv[2] === '--verify';
  const dir = resolve(process.argv[verify ? 3 : 2] ?? 'reports/examples');
  if (verify) {
    process.stdout.write(`${JSON.stringify(verifyExamples(allModels, dir))}\n`);
    process.exit(0);
  }
  const posted = allModels.filter((m) => (m.expectedBugs?.length ?? 0) > 0);
  process.stdout.write(`writing examples of ${posted.length} posted model(s) to ${dir}\n`);
  const { entries, missing } = generateExamples(posted, dir, (l) => void process.stdout.write(`${l}\n`));
  process.stdout.write(`${entries.length} example(s), ${missing.length} missing\n`);
  if (updateReadme(resolve('README.md'), dir, entries)) process.stdout.write('README.md example section updated\n');
  for (const m of missing) process.stdout.write(`  missing: ${m}\n`);
  process.exitCode = missing.length ? 1 : 0;
}
