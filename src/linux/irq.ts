/**
 * Interrupt handlers as model threads: `irqThread(name, body)` runs `body` in hardirq context
 * (interrupts off, atomic: sleeping in it is 'sleep-in-atomic'), so lockdep can see a spinlock
 * class that is taken both in a handler and, elsewhere, with interrupts enabled.
 *
 * Follows kernel/irq/handle.c (handlers run with local interrupts disabled, in_irq() true) and
 * lockdep's IN-HARDIRQ / HARDIRQ-ON usage bits (see lockdep.ts).
 * Leaves out: which CPU the interrupt lands on (every thread is its own CPU, so the same-CPU
 * deadlock itself is not executed: lockdep's usage check reports its possibility instead),
 * nesting, threaded irqs, softirqs other than RCU callbacks.
 */
import type { Op, ThreadGen } from '../engine/ops.js';
import { kctx } from './kernel.js';

type G<R> = Generator<Op, R, unknown>;

/** A model thread that is an interrupt handler. */
export function irqThread(name: string, body: () => G<unknown>): { name: string; body: () => ThreadGen } {
  return { name, body: () => inIrq(body) };
}

/** The handler run with hardirq context set (module level: no generator closure per thread). */
function* inIrq(body: () => G<unknown>): G<unknown> {
  const c = kctx();
  c.hardirq++;
  c.irqsOff = true;
  try {
    return yield* body();
  } finally {
    c.hardirq--;
    c.irqsOff = false;
  }
}

/** in_irq() / in_hardirq(). */
export function in_irq(): boolean {
  return kctx().hardirq > 0;
}
