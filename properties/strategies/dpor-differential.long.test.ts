/**
 * The long DPOR-vs-DFS differential check (`npm run test:long`; not part of `npm test`): random
 * programs at larger sizes than the default suite (up to 5 threads of up to 8 visible ops, up to
 * 6,000 plain interleavings), each checked in every configuration of differential-check.ts: past
 * violations and first violation, each with and without a per-step invariant, a hostile variant
 * (reads outside ops) and a nondeterministic one (Math.random()). Program i is generated from seed
 * LONG_SEED + i, so any one can be regenerated alone.
 * Environment: LONG_PROGRAMS (default 20000), LONG_MINUTES (a time limit: stop early and say how
 * many ran; default none), LONG_SEED (default 1), LONG_OUT (also write the summary to this file),
 * LONG_FOLD=1 (check dpor-fold, the lock-aware folding, instead of dpor).
 * Prints, per configuration: programs run, agreements, refusals (DPOR declined to call the run
 * exhaustive, with the reason), skips (DFS over its budget), disagreements; and each disagreement
 * with its seed and program JSON. Fails (exit 1) on any disagreement.
 * Leaves out: minimizing a disagreement (regenerate it from its seed and shrink it by hand, then add
 * it to dpor-regressions.test.ts).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { AnyModel } from '../../src/index.js';
import { CONFIGS, type Config, type Run, checkConfig } from './differential-check.js';
import { type Program, programArb } from './random-program.js';

const PROGRAMS = Number(process.env['LONG_PROGRAMS'] ?? 20_000);
const MINUTES = Number(process.env['LONG_MINUTES'] ?? Infinity);
const SEED = Number(process.env['LONG_SEED'] ?? 1);
const OUT = process.env['LONG_OUT'];
/** LONG_FOLD=1: check the 'dpor-fold' strategy (lock-aware folding) instead of plain DPOR. */
const DPOR = process.env['LONG_FOLD'] === '1' ? 'dpor-fold' : 'dpor';
const BUDGET = 200_000;

const SHAPE = { maxThreads: 5, maxOps: 8 } as const;
const normal = programArb(6_000, SHAPE);
const hostile = programArb(6_000, { ...SHAPE, hostile: true });

function generate(arb: fc.Arbitrary<Program>, seed: number): Program {
  return fc.sample(arb, { numRuns: 1, seed })[0] as Program;
}

interface Tally { run: number; agree: number; refused: number; skipped: number; disagree: number; reasons: Map<string, number> }

function log(line: string): void {
  process.stdout.write(`${line}\n`);
  if (OUT !== undefined) appendFileSync(OUT, `${line}\n`);
}

it(`DPOR agrees with DFS on ${PROGRAMS} random programs in every configuration`, async () => {
  if (OUT !== undefined) writeFileSync(OUT, '');
  const tally = new Map<Config, Tally>(CONFIGS.map((c) => [c, { run: 0, agree: 0, refused: 0, skipped: 0, disagree: 0, reasons: new Map() }]));
  const disagreements: string[] = [];
  const t0 = Date.now();
  let programs = 0;
  for (let i = 0; i < PROGRAMS; i++) {
    if ((Date.now() - t0) / 60_000 > MINUTES) break;
    const seed = SEED + i;
    const prog = generate(normal, seed);
    const refs = new Map<AnyModel, Run>();
    for (const cfg of CONFIGS) {
      const p = cfg === 'hostile' ? generate(hostile, seed) : prog;
      const v = checkConfig(cfg, p, cfg === 'hostile' ? new Map() : refs, BUDGET, DPOR);
      const t = tally.get(cfg) as Tally;
      t.run++;
      if (v.kind === 'agree') t.agree++;
      else if (v.kind === 'skipped') t.skipped++;
      else if (v.kind === 'refused') {
        t.refused++;
        t.reasons.set(v.reason, (t.reasons.get(v.reason) ?? 0) + 1);
      } else {
        t.disagree++;
        const line = `DISAGREEMENT ${cfg} seed ${seed}: ${v.detail}\n  ${JSON.stringify(p)}`;
        disagreements.push(line);
        log(line);
      }
    }
    programs++;
    // Let vitest's worker answer its runner now and then (a 20-minute synchronous loop times out its RPC).
    if (programs % 10 === 0) await new Promise((r) => setImmediate(r));
    if (programs % 500 === 0) log(`.. ${programs} programs, ${disagreements.length} disagreements, ${((Date.now() - t0) / 60_000).toFixed(1)} min`);
  }
  log(`== DPOR vs DFS, long differential check: ${programs} programs (seeds ${SEED}..${SEED + programs - 1}) in ${((Date.now() - t0) / 60_000).toFixed(1)} min${programs < PROGRAMS ? ` (time limit ${MINUTES} min reached before ${PROGRAMS})` : ''}`);
  for (const [cfg, t] of tally) {
    log(`  ${cfg.padEnd(22)} run ${String(t.run).padStart(6)}  agree ${String(t.agree).padStart(6)}  refused ${String(t.refused).padStart(5)}  skipped ${String(t.skipped).padStart(4)}  disagree ${t.disagree}`);
    for (const [r, n] of t.reasons) log(`      refused ${n}x: ${r}...`);
  }
  log(`  disagreements: ${disagreements.length}`);
  for (const d of disagreements) log(d);
  expect(disagreements).toEqual([]);
  expect(programs).toBeGreaterThan(0);
});
