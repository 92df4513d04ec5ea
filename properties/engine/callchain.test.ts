/**
 * Call chains of ops (src/engine/callchain.ts): while a traced replay runs under
 * `CallChains.record`, every op made by the `op` factories or a single-op primitive (OpStep) is
 * tied to the generator functions that were running when the thread produced it, innermost first;
 * the violation a model reports itself (kfail / assert) gets the chain where it was raised; and
 * outside `record` the factories and OpStep.next are the original functions again (no cost).
 */
import { describe, expect, it } from 'vitest';
import { CallChains } from '../../src/engine/callchain.js';
import { OpStep } from '../../src/engine/op-step.js';
import {
  Atomic, Execution, GFP_KERNEL, ReplayScheduler, type ThreadGen, assert, defineModel, kfree, kmalloc, op, spin_lock, spin_lock_init,
  spin_unlock, thread,
} from '../../src/index.js';

interface S { lock: ReturnType<typeof spin_lock_init>; n: Atomic }

function* bump(s: S): ThreadGen<number> {
  return yield* s.n.add(1, 'bump: atomic_inc_return(&n)');
}

function* locked_bump(s: S): ThreadGen<void> {
  yield* spin_lock(s.lock, 'locked_bump: spin_lock(&lock)');
  yield* bump(s);
  yield* spin_unlock(s.lock, 'locked_bump: spin_unlock(&lock)');
}

function* make_and_drop(): ThreadGen<void> {
  const p = yield* kmalloc('obj', GFP_KERNEL, undefined, 'make_and_drop: kmalloc');
  yield* kfree(p, 'make_and_drop: kfree');
}

function* worker_a(s: S): ThreadGen<void> {
  yield* locked_bump(s);
  yield* make_and_drop();
}

function* worker_b(s: S): ThreadGen<void> {
  yield* bump(s);
  assert(s.n.value < 2, 'n reached 2', 'worker_b: BUG_ON(n >= 2)');
}

const model = defineModel<S, Record<string, never>>({
  name: 'test/callchain',
  scenarios: { default: {} },
  setup: () => ({ lock: spin_lock_init('lock'), n: new Atomic(0, 'n') }),
  threads: (s) => [thread('a', () => worker_a(s)), thread('b', () => worker_b(s))],
});

function traced(steps: number[]): { exec: ReturnType<Execution['run']>; chains: CallChains } {
  const sched = new ReplayScheduler(steps, 'strict');
  sched.beginExecution();
  const e = new Execution();
  const { result, chains } = CallChains.record(() => e.run(model, sched, { params: {}, trace: true }));
  return { exec: result, chains };
}

describe('call chains of ops', () => {
  it('ties every step to the generators that produced its op, innermost first', () => {
    const { exec, chains } = traced([0, 0, 0, 0, 0, 1]);
    const got = chains.forTrace(exec.traceThreads, exec.traceOps).map((c, i) => [exec.traceOps[i]?.label, c?.join(' < ')]);
    expect(got).toEqual([
      ['locked_bump: spin_lock(&lock)', 'spin_lock < locked_bump < worker_a'],
      ['bump: atomic_inc_return(&n)', 'bump < locked_bump < worker_a'],
      ['locked_bump: spin_unlock(&lock)', 'spin_unlock < locked_bump < worker_a'],
      ['make_and_drop: kmalloc', 'alloc < kmalloc < make_and_drop < worker_a'],
      ['make_and_drop: kfree', 'release < kfree < make_and_drop < worker_a'],
      ['bump: atomic_inc_return(&n)', 'bump < worker_b'],
    ]);
  });

  it('records where the model itself raised the violation', () => {
    const { exec, chains } = traced([0, 0, 1]);
    expect(exec.violation?.kind).toBe('assertion');
    expect(chains.failed).toEqual({ thread: 1, chain: ['worker_b'] });
  });

  it('leaves the op factories and OpStep.next untouched outside a recording', () => {
    const before = { ...op };
    const next = OpStep.prototype.next;
    const fail = Execution.prototype.fail;
    traced([0, 1, 0, 1, 0, 0]);
    expect({ ...op }).toEqual(before);
    for (const k of Object.keys(before) as (keyof typeof op)[]) expect(op[k]).toBe(before[k]);
    expect(OpStep.prototype.next).toBe(next);
    expect(Execution.prototype.fail).toBe(fail);
  });
});
