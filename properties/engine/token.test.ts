/**
 * Replay tokens: encode/decode round-trips any schedule (fast-check); corrupted, truncated and
 * foreign tokens are refused with a one-line UsageError; a violation found in this process
 * replays to the same violation in a fresh process (vite-node, which ships with vitest).
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Atomic, MAX_THREADS, check, decodeToken, defineModel, encodeToken, replay, thread } from '../../src/index.js';
import type { Schedule } from '../../src/index.js';
import { lostUpdate, messagePassingPlain, readers } from '../../models/litmus/index.js';
import { oneLineUsage } from './usage-error.js';

/** Names a token can carry: printable, no spaces (model, strategy); scenario names without control characters. */
const nameArb = fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,39}$/);
const scenarioNameArb = fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }).filter((s) => !/^[{[]/.test(s) && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(s));

const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  model: nameArb,
  hash: fc.nat({ max: 0xffffffff }),
  scenario: fc.oneof(scenarioNameArb, fc.json({ maxDepth: 2 }).filter((j) => /^[{[]/.test(j))),
  strategy: fc.constantFrom('random', 'pct', 'pos', 'dfs', 'delay', 'dpor', 'portfolio'),
  seed: fc.nat({ max: 0xffffffff }),
  steps: fc.oneof(fc.array(fc.nat(3), { maxLength: 300 }), fc.array(fc.nat(0xffff), { maxLength: 40 })),
});


describe('token codec', () => {
  it('round-trips every schedule (property)', () => {
    fc.assert(fc.property(scheduleArb, (s) => {
      const t = encodeToken(s);
      expect(t).toMatch(/^mc1\.[A-Za-z0-9_-]+$/);
      expect(decodeToken(t)).toEqual(s);
    }), { numRuns: 300, seed: 3 });
  });

  it('round-trips the schedules strategies record', () => {
    for (const strategy of ['random', 'pct', 'pos', 'dfs', 'dpor', 'portfolio']) {
      check(readers, {
        strategy, seed: 5, scenario: 'n3', maxExecutions: 20,
        onExecution: (e) => {
          const s: Schedule = { model: readers.name, hash: readers.hash, scenario: 'n3', strategy, seed: 5, steps: e.schedule };
          expect(decodeToken(encodeToken(s)).steps).toEqual(e.schedule);
        },
      });
    }
  });

  it(`encodes every thread id up to MAX_THREADS - 1 (${MAX_THREADS - 1}), mixed with choose values (property)`, () => {
    fc.assert(fc.property(fc.array(fc.nat(MAX_THREADS - 1), { minLength: 1, maxLength: 400 }), (steps) => {
      const s: Schedule = { model: 'test/wide', hash: 7, scenario: 'n', strategy: 'delay', seed: 0, steps };
      expect(decodeToken(encodeToken(s))).toEqual(s);
    }), { numRuns: 200, seed: 5 });
    const top: Schedule = { model: 'test/wide', hash: 7, scenario: 'n', strategy: 'random', seed: 1, steps: [MAX_THREADS - 1, 0, 255, 256, 65_535] };
    expect(decodeToken(encodeToken(top))).toEqual(top);
  });

  it('still decodes a token recorded when the thread limit was 64', () => {
    // Recorded by the v1 codec of commit 6de3e00 (MAX_THREADS = 64): 6-bit steps.
    expect(decodeToken('mc1.TUMBD2xpdG11cy9sYXN0emVyb82rNBICbjQDZGZzAAAAAAkGABD8AvoDEc-FffE')).toEqual({
      model: 'litmus/lastzero', hash: 0x1234abcd, scenario: 'n4', strategy: 'dfs', seed: 0, steps: [0, 0, 1, 63, 2, 40, 63, 0, 17],
    });
  });

  it('refuses any single-character corruption with a one-line message (property)', () => {
    fc.assert(fc.property(scheduleArb, fc.nat(), fc.constantFrom(...'ABCabc019-_'), (s, at, ch) => {
      const t = encodeToken(s);
      const i = 4 + (at % (t.length - 4));
      fc.pre(t[i] !== ch);
      const bad = t.slice(0, i) + ch + t.slice(i + 1);
      // A changed base64url character changes the bytes, so the checksum (or a field) must catch it.
      oneLineUsage(() => decodeToken(bad));
    }), { numRuns: 300, seed: 4 });
  });

  it('refuses to carry names that are empty, too long or not printable, both ways', () => {
    const ok: Schedule = { model: 'litmus/readers', hash: 1, scenario: 'n2', strategy: 'dpor', seed: 0, steps: [0] };
    for (const bad of [{ model: '' }, { model: 'a\u001b[31mb' }, { strategy: 'x y' }, { scenario: '' }, { scenario: 'n\r2' }, { scenario: `{${' '.repeat(70_000)}}` }]) {
      expect(oneLineUsage(() => encodeToken({ ...ok, ...bad }))).toMatch(/cannot encode a token/);
    }
    expect(oneLineUsage(() => decodeToken('mc1.' + 'A'.repeat(600_000)))).toMatch(/at most/);
    expect(oneLineUsage(() => decodeToken('\u001b]0;evil\u0007mc1.x'))).not.toMatch(/\u001b/);
  });

  it('refuses truncated tokens, other prefixes and non-base64url text', () => {
    const t = encodeToken({ model: 'litmus/readers', hash: 1, scenario: 'n2', strategy: 'dpor', seed: 0, steps: [0, 1, 2, 1] });
    for (let cut = 1; cut < t.length - 4; cut += 3) oneLineUsage(() => decodeToken(t.slice(0, t.length - cut)));
    expect(oneLineUsage(() => decodeToken('xx9.' + t.slice(4)))).toMatch(/not a mapcheck token/);
    expect(oneLineUsage(() => decodeToken(t + '!'))).toMatch(/base64url/);
  });

  it('refuses a token recorded for another model or another version of the model', () => {
    const found = check(lostUpdate, { strategy: 'dpor' });
    const token = found.finding?.token ?? '';
    expect(oneLineUsage(() => replay(messagePassingPlain, token))).toMatch(/recorded for model 'litmus\/lost-update'/);
    const edited = defineModel({
      name: 'litmus/lost-update', scenarios: lostUpdate.scenarios,
      setup: () => ({ count: new Atomic(0, 'count') }),
      threads: (s) => [thread('inc0', function* () { yield* s.count.add(1); })],
    });
    expect(edited.hash).not.toBe(lostUpdate.hash);
    expect(oneLineUsage(() => replay(edited, token))).toMatch(/another version/);
  });
});

describe('replay in a fresh process', () => {
  it('a violation found here replays to the same violation kind and message via vite-node', () => {
    for (const [model, scenario] of [[lostUpdate, 't3'], [messagePassingPlain, 'default']] as const) {
      const r = check(model, { strategy: 'pct', seed: 8, scenario });
      const v = r.finding?.violation;
      expect(v).toBeDefined();
      const out = execFileSync('npx', ['vite-node', 'properties/engine/fixtures/replay-token.ts', r.finding?.token ?? ''], { encoding: 'utf8' });
      const line = out.trim().split('\n').pop() ?? '';
      expect(JSON.parse(line)).toEqual({ kind: v?.kind, message: v?.message });
    }
  });
});
