/**
 * Executions that cannot finish: deadlock (no thread enabled, some unfinished) and livelock (the
 * step bound is reached). For a deadlock we build the wait-for graph from each blocked thread's
 * pending op (lock -> owner, join -> target, wait -> the condition) and report its cycle, as the
 * kernel's hung-task detector and lockdep do; without a cycle (a wait nobody will satisfy) every
 * blocked thread is listed. For a livelock we find the shortest period with which the last ops
 * repeat, so the report shows the loop rather than 20 000 steps.
 * Leaves out: lockdep's cross-execution lock-order graph (src/linux keeps it).
 */
import type { Execution } from './execution.js';
import { type Op, OpKind } from './ops.js';
import { type Violation, type WaitEdge, violation } from './violation.js';

function waitOf(exec: Execution, tid: number, o: Op): WaitEdge {
  const label = o.label;
  switch (o.kind) {
    case OpKind.Acquire: {
      const holder = exec.lockOwner(o.obj);
      const name = exec.objects.label(o.obj);
      if (holder >= 0) return { thread: tid, waitsFor: `${name} held by T${holder}`, holder, label };
      return { thread: tid, waitsFor: `${name} held by ${exec.lockReaders(o.obj)} reader(s)`, label };
    }
    case OpKind.Join:
      return { thread: tid, waitsFor: `thread T${o.n ?? -1} to finish`, holder: o.n ?? -1, label };
    case OpKind.Wait:
      return { thread: tid, waitsFor: o.detail ?? (o.obj >= 0 ? `a change of ${exec.objects.label(o.obj)}` : 'a condition'), label };
    default:
      return { thread: tid, waitsFor: 'nothing (enabled)', label };
  }
}

export function deadlockViolation(exec: Execution): Violation {
  const edges = new Map<number, WaitEdge>();
  for (const t of exec.threads) {
    if (!t.done && t.pending) edges.set(t.id, waitOf(exec, t.id, t.pending));
  }
  let cycle: WaitEdge[] | null = null;
  for (const start of edges.keys()) {
    const seen: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && !seen.includes(cur)) {
      seen.push(cur);
      cur = edges.get(cur)?.holder;
    }
    if (cur !== undefined && edges.has(cur)) {
      const from = seen.indexOf(cur);
      cycle = seen.slice(from).map((t) => edges.get(t) as WaitEdge);
      break;
    }
  }
  const waits = cycle ?? [...edges.values()];
  const desc = waits.map((w) => `T${w.thread} waits for ${w.waitsFor} at ${w.label}`).join('; ');
  return violation('deadlock', cycle ? `deadlock: ${desc}` : `every unfinished thread is blocked and none can wake it: ${desc}`, {
    title: cycle ? 'INFO: task blocked for more than 120 seconds: deadlock (wait-for cycle)' : 'INFO: task blocked for more than 120 seconds',
    threads: waits.map((w) => w.thread),
    sites: waits.map((w) => ({ thread: w.thread, step: exec.stepIndex, label: w.label })),
    step: exec.stepIndex,
    waits,
  });
}

/** The last steps a livelock report searches for a repeating cycle. */
const CYCLE_WINDOW = 64;

export function livelockViolation(exec: Execution, opTid: readonly number[], opLog: readonly (Op | undefined)[], maxSteps: number): Violation {
  const n = Math.min(exec.stepIndex, CYCLE_WINDOW);
  const at = (k: number): string => {
    const i = exec.stepIndex - 1 - k;
    const o = opLog[i];
    return `T${opTid[i] ?? '?'}: ${o ? exec.describe(o) : '?'}`;
  };
  let period = 0;
  for (let p = 1; p * 2 <= n && period === 0; p++) {
    let ok = true;
    for (let k = 0; k < p && ok; k++) if (at(k) !== at(k + p)) ok = false;
    if (ok) period = p;
  }
  const cycle: string[] = [];
  const len = period || Math.min(n, 8);
  for (let k = len - 1; k >= 0; k--) cycle.push(at(k));
  const threads = [...new Set(cycle.map((c) => Number(c.slice(1, c.indexOf(':')))))];
  return violation('step-bound', period
    ? `no progress: after ${maxSteps} steps the execution repeats a cycle of ${period} op(s) (livelock or unbounded retry)`
    : `the execution exceeded the step bound of ${maxSteps} steps without finishing`, {
    threads, step: exec.stepIndex, cycle,
  });
}
