// The bench model is correct by construction: every execution must run to the end without a
// violation, with sanitizers on and off, and the sanitizers must not change the step count.
import { describe, expect, it } from 'vitest';
import { benchKernelModel, check } from '../../src/index.js';

describe('benchKernelModel', () => {
  it('runs clean under random scheduling with sanitizers on', () => {
    const r = check(benchKernelModel(), { strategy: 'random', seed: 7, maxExecutions: 300 });
    expect(r.finding?.violation ?? null).toBeNull();
    expect(r.executions).toBe(300);
  });
  it('takes the same steps with sanitizers off (same seed, same schedules)', () => {
    const on = check(benchKernelModel(), { strategy: 'random', seed: 3, maxExecutions: 100 });
    const off = check(benchKernelModel(), { strategy: 'random', seed: 3, maxExecutions: 100, sanitize: false });
    expect(off.finding).toBeNull();
    expect(off.steps).toBe(on.steps);
  });
});
