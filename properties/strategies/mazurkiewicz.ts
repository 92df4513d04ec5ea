/**
 * Mazurkiewicz traces of executions, for the DPOR self-checks (Abdulla et al., POPL 2014 §8 count
 * traces the same way): a `TraceRecorder` wraps any Scheduler, records each execution's events and
 * reduces the execution to a canonical string — the least linearisation (by thread name) of its
 * happens-before order. Two executions get the same string iff they are the same trace. Run under
 * exhaustive DFS, the set of strings is every trace of the program; under DPOR it must be the same
 * set (soundness), and an optimal DPOR produces each string once.
 *
 * Dependence is DPOR's: the engine's `dependent` (same object and not both reads; a Wait reads the
 * objects it declares, and depends on every op when it declares none), a write of a heap
 * block against any access to a field in it, program order, spawn (the child's first event after
 * the spawn) and join (after every event of the joined thread). Spawned threads are named by their
 * parent's name and spawn index, so two spawn orders that only renumber threads are one trace. A
 * choose event carries its value. An execution a violation halts is keyed by its events and the
 * violation's kind.
 * Leaves out: per-step invariants' extra dependence (use models without them).
 */
import { type ExecutionOutcome, type Op, OpKind, type Scheduler, type SchedulerView } from '../../src/index.js';
import { Access, accessOf, dependent as opsDependent } from '../../src/engine/ops.js';

interface Ev { t: number; op: Op; kind: number; obj: number; blk: number; n: number; value: number; child: number }

function dependent(a: Ev, b: Ev): boolean {
  if (opsDependent(a.op, b.op)) return true;
  const x = accessOf(a.kind as Op['kind']);
  const y = accessOf(b.kind as Op['kind']);
  if (x === Access.None || y === Access.None || a.obj < 0 || b.obj < 0) return false;
  return (x !== Access.Read && b.blk === a.obj) || (y !== Access.Read && a.blk === b.obj);
}

export class TraceRecorder implements Scheduler {
  readonly name: string;
  readonly seed: number;
  /** Canonical string of every execution, in order. */
  readonly traces: string[] = [];
  private evs: Ev[] = [];
  private names: string[] = [];
  private spawns: number[] = [];
  private value = -1;

  constructor(readonly inner: Scheduler) {
    this.name = inner.name;
    this.seed = inner.seed;
  }

  get exhaustive(): boolean {
    return this.inner.exhaustive === true;
  }

  beginExecution(): boolean {
    this.evs = [];
    this.names = [];
    this.spawns = [];
    return this.inner.beginExecution();
  }

  pickThread(view: SchedulerView): number {
    for (let t = this.names.length; t < view.threadCount; t++) this.names[t] = `${t}`;
    return this.inner.pickThread(view);
  }

  pickValue(n: number, tid: number, view: SchedulerView): number {
    this.value = this.inner.pickValue(n, tid, view);
    return this.value;
  }

  afterStep(tid: number, o: Op, view: SchedulerView): void {
    const ev: Ev = { t: tid, op: o, kind: o.kind, obj: o.obj, blk: o.obj >= 0 ? view.blockOf(o.obj) : -1, n: o.n ?? -1, value: -1, child: -1 };
    if (o.kind === OpKind.Choose) ev.value = (o.n ?? 0) > 1 ? this.value : 0;
    if (o.kind === OpKind.Spawn) {
      const k = this.spawns[tid] ?? 0;
      this.spawns[tid] = k + 1;
      ev.child = view.threadCount - 1;
      this.names[ev.child] = `${this.names[tid] ?? tid}.${k}`;
    }
    this.evs.push(ev);
    this.inner.afterStep?.(tid, o, view);
  }

  endExecution(outcome: ExecutionOutcome): void {
    this.traces.push(`${this.canonical()}|${outcome.violation?.kind ?? ''}`);
    this.inner.endExecution?.(outcome);
  }

  stats(): Record<string, number> {
    return this.inner.stats ? this.inner.stats() : {};
  }

  /** Least linearisation of happens-before, events named by thread name and op. */
  private canonical(): string {
    const evs = this.evs;
    const n = evs.length;
    const preds: number[][] = evs.map(() => []);
    const lastOf = new Map<number, number>();
    const spawnOf = new Map<number, number>();
    for (let j = 0; j < n; j++) {
      const b = evs[j] as Ev;
      const p = lastOf.get(b.t);
      if (p !== undefined) preds[j]?.push(p);
      else if (spawnOf.has(b.t)) preds[j]?.push(spawnOf.get(b.t) as number);
      for (let i = 0; i < j; i++) {
        const a = evs[i] as Ev;
        if (a.t === b.t) continue;
        if (dependent(a, b) || (b.kind === OpKind.Join && a.t === b.n)) preds[j]?.push(i);
      }
      lastOf.set(b.t, j);
      if (b.kind === OpKind.Spawn) spawnOf.set(b.child, j);
    }
    const emitted = new Uint8Array(n);
    const out: string[] = [];
    for (let k = 0; k < n; k++) {
      let best = -1;
      let bestKey = '';
      for (let j = 0; j < n; j++) {
        if (emitted[j] === 1 || !(preds[j] as number[]).every((i) => emitted[i] === 1)) continue;
        const e = evs[j] as Ev;
        const key = this.names[e.t] ?? `${e.t}`;
        if (best < 0 || key < bestKey) {
          best = j;
          bestKey = key;
        }
      }
      emitted[best] = 1;
      const e = evs[best] as Ev;
      const param = e.kind === OpKind.Join ? (this.names[e.n] ?? `${e.n}`) : `${e.n}`;
      out.push(`${bestKey}:${e.kind}/${e.obj}/${param}/${e.value}`);
    }
    return out.join(' ');
  }
}
