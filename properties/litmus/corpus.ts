/**
 * Where the tests find the Linux kernel's litmus tests and LKMM documents: `/work/shared/lkmm-litmus`
 * (override with MAPCHECK_LKMM_LITMUS), read from there and never copied into the project; and the
 * litmus examples of Documentation/litmus-tests.txt, extracted from its numbered listings.
 * Leaves out: nothing; a missing collection fails the suites that need it (they say where they looked).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const LKMM_DIR = process.env.MAPCHECK_LKMM_LITMUS ?? '/work/shared/lkmm-litmus';
export const TESTS_DIR = join(LKMM_DIR, 'tests');

export function haveCorpus(): boolean {
  return existsSync(TESTS_DIR) && existsSync(join(LKMM_DIR, 'INDEX.tsv'));
}

/** Every .litmus file of the kernel's collection: name and text. */
export function kernelTests(): { file: string; text: string }[] {
  return readdirSync(TESTS_DIR).filter((f) => f.endsWith('.litmus')).sort().map((file) => ({ file, text: readFileSync(join(TESTS_DIR, file), 'utf8') }));
}

/** INDEX.tsv rows: file, expected result, first line. */
export function indexRows(): { file: string; result: string; first: string }[] {
  return readFileSync(join(LKMM_DIR, 'INDEX.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => {
    const [file, result, first] = l.split('\t');
    return { file: file ?? '', result: result ?? '', first: first ?? '' };
  });
}

export interface DocExample {
  /** Line of doc-litmus-tests.txt where the listing starts. */
  readonly line: number;
  readonly text: string;
  /** herd7's output printed after the listing, when the document shows it. */
  readonly observation: { verdict: string; states: string[] } | null;
}

/**
 * The litmus tests of Documentation/litmus-tests.txt: numbered listings whose line 1 is `C name`,
 * each with the herd7 output listing that follows it (`Test ...`, `States n`, ..., `Observation`).
 */
export function docExamples(): DocExample[] {
  const lines = readFileSync(join(LKMM_DIR, 'spec', 'doc-litmus-tests.txt'), 'utf8').split('\n');
  const listing = (from: number): { body: string[]; end: number } => {
    const body: string[] = [];
    let n = 1;
    let j = from;
    for (; j < lines.length; j++) {
      const m = /^\s*(\d+)(?: (.*))?$/.exec(lines[j] as string);
      if (!m || Number(m[1]) !== n) break;
      body.push(m[2] ?? '');
      n++;
    }
    return { body, end: j };
  };
  const out: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*1 C \S/.test(lines[i] as string)) continue;
    const { body, end } = listing(i);
    let observation: DocExample['observation'] = null;
    for (let j = end; j < lines.length; j++) {
      if (/^\s*1 C \S/.test(lines[j] as string)) break;
      if (/^\s*1 Test /.test(lines[j] as string)) {
        const out2 = listing(j).body;
        const n = Number(/^States (\d+)/.exec(out2[1] ?? '')?.[1] ?? 0);
        const obs = out2.find((l) => l.startsWith('Observation '));
        if (obs) observation = { verdict: obs.split(' ')[2] ?? '', states: out2.slice(2, 2 + n) };
        break;
      }
    }
    out.push({ line: i + 1, text: `${body.join('\n')}\n`, observation });
  }
  return out;
}
