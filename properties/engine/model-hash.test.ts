/**
 * A model's hash follows its code, not its formatting: comments, whitespace and quote style do not
 * change it; an edit to a thread body, a label or a constant does. (A bundler that renames locals
 * or rewrites literals — vite's SSR transform does both — still gives another hash, which is why
 * pinned tokens recorded by the CLI are replayed with the tsc-built code: properties/fuzz.)
 * Leaves out: equality across compilers.
 */
import { describe, expect, it } from 'vitest';
import { canonical } from '../../src/engine/model.js';
import { Atomic, defineModel, thread } from '../../src/index.js';

describe('model hash', () => {
  it('ignores comments, whitespace, quote style and vite import rewriting', () => {
    const a = `function* () {\n  // take the lock\n  yield* s.a.store(1, 'store one'); /* done */\n}`;
    const b = `function* () { yield* s.a.store(1, "store one"); }`;
    const c = `function* () { yield* (0, __vite_ssr_import_0__.store)(1, "store one"); }`;
    expect(canonical(a)).toBe(canonical(b));
    expect(canonical(c)).toBe(canonical('function* () { yield* store(1, "store one"); }'));
    expect(canonical(a)).not.toBe(canonical(`function* () { yield* s.a.store(2, 'store one'); }`));
    expect(canonical(a)).not.toBe(canonical(`function* () { yield* s.a.store(1, 'store two'); }`));
  });

  it('changes when a thread body changes, not when the same model is defined again', () => {
    const make = (v: number) => defineModel<{ a: Atomic }, Record<string, never>>({
      name: 'demo/hash', scenarios: { d: {} }, setup: () => ({ a: new Atomic(0, 'a') }),
      threads: (s) => [thread('t', v === 1
        ? function* () { yield* s.a.store(1, 'store one'); }
        : function* () { yield* s.a.store(2, 'store two'); })],
    });
    const other = defineModel<{ a: Atomic }, Record<string, never>>({
      name: 'demo/hash', scenarios: { d: {} }, setup: () => ({ a: new Atomic(0, 'a') }),
      threads: (s) => [thread('t', function* () { yield* s.a.store(2, 'store one'); })],
    });
    expect(make(1).hash).toBe(make(2).hash); // same text: the branch is inside one function
    expect(make(1).hash).not.toBe(other.hash);
  });
});
