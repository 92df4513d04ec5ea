/**
 * `npm run reliability`: re-runs the probes of issue 17 against the built CLI and library and
 * prints one table — probe, tried, handled cleanly, failures, findings lost — then the first
 * failures of each row. Probes: token and scenario mutants (library and CLI), hostile CLI inputs,
 * kill -9 at random times with every finding replayed, a pause longer than the watchdog, two
 * campaigns on one directory, corrupt state and finding files, a full tmpfs, hostile markdown, and
 * a nondeterministic model under DPOR (issue 11's row, counted apart). Exit code 0 when the rows
 * this project owns have no failure and lose no finding. Not part of `npm test`: it takes minutes.
 * `--quick` runs every probe with small counts (a smoke run).
 * Leaves out: speed (npm run bench measures that).
 */
import { diskProbe } from './disk.js';
import { corruptStateProbe, killProbe, lockProbe, pauseProbe } from './campaign.js';
import type { Row } from './harness.js';
import { markdownProbe } from './markdown.js';
import { nondeterminismProbe } from './nondeterminism.js';
import { cliMutantProbe, hostileCliProbe, libraryProbe } from './tokens.js';

const quick = process.argv.includes('--quick');
const n = (full: number, small: number): number => (quick ? small : full);

const probes: [string, () => Promise<Row>][] = [
  ['library mutants', () => libraryProbe(n(10_000, 500))],
  ['CLI mutants', () => cliMutantProbe(n(200, 20))],
  ['hostile CLI inputs', () => hostileCliProbe()],
  ['kill -9', () => killProbe(n(8, 2))],
  ['pause', () => pauseProbe(n(2, 1))],
  ['two campaigns', () => lockProbe()],
  ['corrupt state', () => corruptStateProbe()],
  ['full disk', () => diskProbe()],
  ['markdown', () => markdownProbe(n(300, 30), n(12, 2))],
  ['nondeterminism', () => nondeterminismProbe(n(20, 4))],
];

function pad(s: string | number, w: number, left = false): string {
  const t = String(s);
  return left ? t.padEnd(w) : t.padStart(w);
}

async function main(): Promise<number> {
  const rows: Row[] = [];
  const t0 = Date.now();
  for (const [name, run] of probes) {
    const t = Date.now();
    process.stderr.write(`reliability: ${name}...`);
    let r: Row;
    try {
      r = await run();
    } catch (e) {
      r = { probe: name, tried: 1, clean: 0, failures: 1, lost: 0, notes: [], examples: [`the probe itself failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`] };
    }
    rows.push(r);
    process.stderr.write(` ${r.tried} tried, ${r.failures} failures, ${r.lost} lost (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
  }
  const w = Math.max(...rows.map((r) => r.probe.length + (r.owner ? r.owner.length + 3 : 0)));
  const out: string[] = [];
  out.push(`${pad('probe', w, true)} | ${pad('tried', 6)} | ${pad('handled cleanly', 15)} | ${pad('failures', 8)} | ${pad('data lost', 9)}`);
  out.push(`${'-'.repeat(w)}-|-${'-'.repeat(6)}-|-${'-'.repeat(15)}-|-${'-'.repeat(8)}-|-${'-'.repeat(9)}`);
  for (const r of rows) {
    const name = r.owner ? `${r.probe} (${r.owner})` : r.probe;
    out.push(`${pad(name, w, true)} | ${pad(r.tried, 6)} | ${pad(r.clean, 15)} | ${pad(r.failures, 8)} | ${pad(r.lost, 9)}`);
  }
  const own = rows.filter((r) => !r.owner);
  const sum = (rs: Row[], k: 'tried' | 'clean' | 'failures' | 'lost'): number => rs.reduce((a, r) => a + r[k], 0);
  out.push(`${'-'.repeat(w)}-|-${'-'.repeat(6)}-|-${'-'.repeat(15)}-|-${'-'.repeat(8)}-|-${'-'.repeat(9)}`);
  out.push(`${pad('total (rows owned here)', w, true)} | ${pad(sum(own, 'tried'), 6)} | ${pad(sum(own, 'clean'), 15)} | ${pad(sum(own, 'failures'), 8)} | ${pad(sum(own, 'lost'), 9)}`);
  process.stdout.write(`${out.join('\n')}\n\n`);
  for (const r of rows) {
    for (const note of r.notes) process.stdout.write(`${r.probe}: ${note}\n`);
    for (const ex of r.examples) process.stdout.write(`${r.probe}: FAILURE ${ex}\n`);
  }
  const failures = sum(own, 'failures') + sum(own, 'lost');
  const others = rows.filter((r) => r.owner && (r.failures || r.lost));
  process.stdout.write(`\n${failures === 0 ? 'PASS' : 'FAIL'}: ${sum(own, 'failures')} failure(s), ${sum(own, 'lost')} finding(s) lost in ${((Date.now() - t0) / 60_000).toFixed(1)} min${others.length ? `; rows owned elsewhere still failing: ${others.map((r) => `${r.probe} (${r.owner ?? ''}: ${r.failures})`).join(', ')}` : ''}\n`);
  return failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`reliability: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(3);
});
