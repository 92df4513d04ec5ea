/**
 * choose(1) has one outcome: it is not a decision, so it is neither asked of the scheduler nor
 * recorded, and a token with a later choose replays to the same violation (a recorded 0 for it
 * used to be read back as a thread pick).
 * Leaves out: the other choose contracts (engine contract suite).
 */
import { it, expect } from 'vitest';
import { defineModel, thread, choose, yieldNow, check, replay, assert } from '../../src/index.js';
it("choose(1) is not recorded and a later choose replays", () => {
  const m = defineModel<{ hit: number }, Record<string, never>>({ name: 'demo/choose-one', scenarios: { d: {} }, setup: () => ({ hit: 0 }),
    threads: (s) => [thread('a', function* () { const v = yield* choose(1); yield* yieldNow(); const w = yield* choose(2); assert(!(v === 0 && w === 1), 'hit'); }), thread('b', function* () { yield* yieldNow(); })] });
  const r = check(m, { strategy: 'dfs' });
  expect(r.finding?.violation.kind).toBe('assertion');
  expect(replay(m, r.finding!.token).violation?.kind).toBe('assertion');
});
