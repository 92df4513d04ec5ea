/**
 * Delay bounding on the posted seed models, hunted exactly as the time-to-first-bug bench hunts
 * (bench/prove.ts `hunt`: one continuous exploration, other violations of the scenario skipped):
 * it finds every expected bug of every posted model, within the bench's quick budget, and — being
 * systematic — after the same number of executions on every run, whatever the seed.
 * Leaves out: the figures themselves (printed by `npm run bench`, never asserted as targets).
 */
import { describe, expect, it } from 'vitest';
import { hunt } from '../../bench/prove.js';
import { allModels } from '../../models/index.js';

describe('delay bounding on the seed bugs', () => {
  const posted = allModels.filter((m) => (m.expectedBugs ?? []).length > 0);

  it('the bench covers every posted model', () => {
    // The five seed designs (/work/shared/seeds), each with its posted variant.
    expect(posted.length).toBeGreaterThanOrEqual(5);
  });

  for (const m of posted) {
    it(`finds every expected bug of ${m.name}, deterministically`, () => {
      for (const bug of m.expectedBugs ?? []) {
        const a = hunt(m, bug, 'delay', 1, 5_000);
        expect(a, `${m.name} ${bug.id}`).not.toBeNull();
        const b = hunt(m, bug, 'delay', 2, 5_000);
        expect(b?.executions, `${m.name} ${bug.id}`).toBe(a?.executions);
      }
    }, 60_000);
  }
});
