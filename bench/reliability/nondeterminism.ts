/**
 * A nondeterministic model (a thread branches on Math.random()) under DPOR, through the CLI:
 * handled cleanly when the run does not end with "exhaustive, no violation" — the engine must say
 * the model is nondeterministic instead of proving it correct. This is issue 11's work (the lead's):
 * the row is expected to fail until it lands, and is counted apart in the verdict.
 * Leaves out: the other strategies (replay-based nondeterminism detection is tested elsewhere).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, DIST, judge, pool, type Row, row, show, tempDir } from './harness.js';

export async function nondeterminismProbe(runs: number): Promise<Row> {
  const r = row('nondeterministic model under DPOR', 'issue 11 (lead)');
  const dir = tempDir('nondet');
  const mod = join(dir, 'models.mjs');
  writeFileSync(mod, `import { Atomic, defineModel, thread } from ${JSON.stringify(join(DIST, 'src', 'index.js'))};
export const models = [defineModel({
  name: 'user/coin', scenarios: { d: {} }, setup: () => ({ a: new Atomic(0, 'a'), b: new Atomic(0, 'b') }),
  threads: (s) => [
    thread('flip', function* () { if (Math.random() < 0.5) { yield* s.a.add(1); yield* s.b.add(1); } else { yield* s.b.add(1); } }),
    thread('other', function* () { yield* s.a.add(1); yield* s.b.load(); }),
  ],
})];\n`);
  await pool(Array.from({ length: runs }, () => async () => {
    const args = ['check', 'user/coin', '--load', mod, '--strategy', 'dpor', '--json', '--no-report'];
    const res = await cli(args, 120_000);
    let proof = false;
    try {
      const j = JSON.parse(res.stdout) as { exhaustive?: boolean; violation?: unknown };
      proof = res.code === 0 && j.exhaustive === true && j.violation === null;
    } catch { /* not JSON: judged by the exit code below */ }
    judge(r, !proof && res.code !== null && [0, 1, 2].includes(res.code), `"exhaustive, no violation" for a nondeterministic model: ${show(args, res)}`);
  }));
  return r;
}
