// Bad input: models that misuse the kernel API get a violation or a one-line how-to-fix
// UsageError, never an engine crash.
import { describe, expect, it } from 'vitest';
import {
  KMutex, type Op, Semaphore, SpinlockT, UsageError, choose, defineModel, in_atomic, mutex_unlock, preempt_enable, spin_lock,
  spin_unlock, thread,
} from '../../src/index.js';
import { exhaust, expectKind } from './helpers.js';

function one(name: string, body: (s: { l: SpinlockT; m: KMutex }) => Generator<Op, void, unknown>) {
  return defineModel<{ l: SpinlockT; m: KMutex }, Record<string, never>>({
    name: `linux-test/misuse-${name}`,
    scenarios: { default: {} },
    setup: () => ({ l: new SpinlockT('l'), m: new KMutex('m') }),
    threads: (s) => [thread('t', () => body(s))],
  });
}

describe('misuse', () => {
  it('unlock of a lock never created: a usage violation saying how to create it', () => {
    const v = expectKind(exhaust(one('null-lock', function* () {
      yield* spin_unlock(null as unknown as SpinlockT);
    })), 'usage');
    expect(v.message).toContain('spin_unlock() was passed null');
    expect(v.message).toContain('new SpinlockT(name)');
  });
  it('a lock object kept from an earlier execution is refused, not silently reused', () => {
    let stale: SpinlockT | null = null;
    const m = defineModel<{ l: SpinlockT }, Record<string, never>>({
      name: 'linux-test/misuse-stale-lock',
      scenarios: { default: {} },
      setup: () => ({ l: (stale ??= new SpinlockT('kept')) }),
      threads: (s) => [thread('t', function* () { yield* spin_lock(s.l); yield* spin_unlock(s.l); }), thread('u', function* () { yield* choose(2); })],
    });
    const v = expectKind(exhaust(m), 'usage');
    expect(v.message).toContain('does not belong to this execution');
  });
  it('choose(0) is a usage violation', () => {
    const v = expectKind(exhaust(one('choose0', function* () { yield* choose(0); })), 'usage');
    expect(v.message).toContain('choose(0)');
  });
  it('mutex_unlock of a mutex never locked is a bad unlock balance', () => {
    const v = expectKind(exhaust(one('mutex-unlock', function* (s) { yield* mutex_unlock(s.m); })), 'lock-misuse');
    expect(v.title).toBe('WARNING: bad unlock balance detected!');
  });
  it('preempt_enable without preempt_disable is a usage violation', () => {
    const v = expectKind(exhaust(one('preempt', function* () { preempt_enable(); })), 'usage');
    expect(v.message).toContain('preempt_enable()');
  });
  it('context queries from setup are a usage violation naming the fix', () => {
    const m = defineModel<Record<string, never>, Record<string, never>>({
      name: 'linux-test/misuse-setup',
      scenarios: { default: {} },
      setup: () => { in_atomic(); return {}; },
      threads: () => [],
    });
    const v = expectKind(exhaust(m), 'usage');
    expect(v.message).toContain('must be called from a model thread');
  });
  it('creating primitives outside a running model throws a UsageError', () => {
    expect(() => new SpinlockT('x')).toThrow(UsageError);
    expect(() => new SpinlockT('x')).toThrow(/inside a model/);
  });
  it('a semaphore with a negative count is refused', () => {
    const m = defineModel<{ s: Semaphore }, Record<string, never>>({
      name: 'linux-test/misuse-sem',
      scenarios: { default: {} },
      setup: () => ({ s: new Semaphore('s', -1) }),
      threads: () => [],
    });
    expect(expectKind(exhaust(m), 'usage').message).toContain('initial count must be');
  });
});
