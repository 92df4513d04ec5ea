/**
 * A condition variable for the engine's own primitives (pthread_cond_t for non-kernel models):
 * `cv.wait(mutex)` atomically joins the wait set and releases the mutex, sleeps until a signal or
 * broadcast that came after it joined, then takes the mutex back; `cv.signal()` wakes one waiter
 * (which one is the scheduler's choice: every candidate is explored), `cv.broadcast()` wakes all.
 *
 * Follows POSIX pthread_cond_wait / _signal / _broadcast: a signal only wakes threads already
 * waiting (it is lost when nobody waits); signalling without holding the mutex is allowed. The
 * steps are visible ops: wait = an RMW of the condvar (join, holding the mutex), the mutex release,
 * a Wait on the condvar (declared: it reads only the condvar), a claim (an RMW: a signal woke
 * several candidates, the first to claim it takes it, the others sleep on), the mutex acquire.
 * A signal is an RMW of the condvar, so what the signaller did before it happens-before the woken
 * waiter's return.
 * Leaves out: spurious wake-ups (write the usual `while (!pred) yield* cv.wait(m)` loop anyway),
 * timed waits, process-shared attributes.
 */
import { currentExecution } from './execution.js';
import { type Op, READS_OWN, op } from './ops.js';
import type { Mutex } from './prims.js';

type G<R> = Generator<Op, R, unknown>;

interface Waiter {
  /** Its place in line: a signal can wake waiters that joined before it. */
  readonly ticket: number;
  woken: boolean;
}

export class CondVar {
  readonly id: number;
  private readonly waiters = new Map<number, Waiter>();
  /** Signals not claimed yet: each may wake one waiter whose ticket is below its bound. */
  private readonly signals: number[] = [];
  private nextTicket = 0;
  constructor(readonly name: string, block = -1) {
    this.id = currentExecution().objects.add('condvar', name, block);
  }

  /** Could a pending signal wake this waiter? */
  private claimable(w: Waiter): boolean {
    for (const bound of this.signals) if (w.ticket < bound) return true;
    return false;
  }

  /** pthread_cond_wait(cv, m): the caller holds `m`; returns holding it again. */
  *wait(m: Mutex, label = 'pthread_cond_wait'): G<void> {
    const tid = currentExecution().running;
    yield op.rmw(this.id, `${label}: join ${this.name}`);
    const me: Waiter = { ticket: this.nextTicket++, woken: false };
    this.waiters.set(tid, me);
    yield* m.unlock(`${label}: unlock`);
    for (;;) {
      yield op.wait(this.id, `${label}: sleep`, () => me.woken || this.claimable(me), READS_OWN, `a signal of ${this.name}`);
      if (me.woken) break;
      // A signal that several waiters could take: claiming it is an RMW, so every order is explored.
      yield op.rmw(this.id, `${label}: woken by a signal`);
      const i = this.signals.findIndex((bound) => me.ticket < bound);
      if (i >= 0) {
        this.signals.splice(i, 1);
        me.woken = true;
        break;
      }
    }
    this.waiters.delete(tid);
    yield* m.lock(`${label}: lock`);
  }

  /** pthread_cond_signal(cv): wake one thread waiting now (none: the signal is lost). */
  *signal(label = 'pthread_cond_signal'): G<void> {
    yield op.rmw(this.id, label);
    const waiting = [...this.waiters.values()].filter((w) => !w.woken).length;
    // Only as many signals as waiters that could take them (a signal nobody can take is lost).
    if (waiting > this.signals.length) this.signals.push(this.nextTicket);
  }

  /** pthread_cond_broadcast(cv): wake every thread waiting now. */
  *broadcast(label = 'pthread_cond_broadcast'): G<void> {
    yield op.rmw(this.id, label);
    for (const w of this.waiters.values()) w.woken = true;
    this.signals.length = 0;
  }

  /** Threads waiting now (not yet woken), for invariants (not an op). */
  get waiting(): number {
    let n = 0;
    for (const w of this.waiters.values()) if (!w.woken) n++;
    return n;
  }
}
