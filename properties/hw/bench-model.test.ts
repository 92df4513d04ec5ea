// benchHwModel (src/hw/bench-model.ts) must be correct by construction -- no violation in any
// explored interleaving -- and sanitizers must not change what runs: the same seed takes the same
// number of steps with sanitizers on and off (only the checking differs). Speed is measured in bench/.
import { describe, expect, it } from 'vitest';
import { benchHwModel, check } from '../../src/index.js';

describe('benchHwModel', () => {
  it('is clean under DPOR (small scenario, bounded) and under random walks (default scenario)', () => {
    const m = benchHwModel();
    const d = check(m, { strategy: 'dpor', scenario: 'small', maxExecutions: 400 });
    expect(d.finding?.violation.message ?? null).toBeNull();
    expect(d.executions).toBeGreaterThan(10);
    const r = check(m, { strategy: 'random', seed: 11, maxExecutions: 200 });
    expect(r.finding?.violation.message ?? null).toBeNull();
  });

  it('sanitizers on and off run the same steps for the same seed', () => {
    const m = benchHwModel();
    const on = check(m, { strategy: 'random', seed: 5, maxExecutions: 50 });
    const off = check(m, { strategy: 'random', seed: 5, maxExecutions: 50, sanitize: false });
    expect(on.steps).toBe(off.steps);
    expect(on.steps).toBeGreaterThan(50 * 3 * 4 * 10);
  });
});
