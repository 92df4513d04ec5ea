/**
 * The campaign's worker pool: N `worker_threads`, each kept two jobs ahead so it never idles on
 * the main thread, and a watchdog. A job is a fuzz chunk or a minimize job (one bug's report).
 * JavaScript cannot interrupt a busy loop, so a model thread that loops without yielding an op
 * would hang its worker forever: when a busy worker burns `watchdogMs` of its own CPU time without
 * finishing an execution (watchdog.ts: its heartbeat stands still; the minimizer's executions count
 * too), the pool terminates it, reports the job it was running as a suspected hang with the
 * schedule of the hung execution (schedule-tap.ts), and starts a replacement; the campaign
 * re-checks it before filing anything. A pause of the whole process burns no CPU and trips
 * nothing. A worker silent for much longer without using CPU is a stall: replaced, reported as
 * such, never as the model's hang. A worker that dies (out of memory, internal error) is replaced
 * the same way.
 * Leaves out: what the jobs are and what the messages mean (campaign.ts decides both).
 */
import { Worker } from 'node:worker_threads';
import { thrownText } from '../../engine/thrown.js';
import { tapBuffer, tappedSchedule } from '../schedule-tap.js';
import { ProgressWatch, stallLimit } from '../watchdog.js';
import type { FromWorker, Job, WorkerInit } from './messages.js';

export interface PoolHooks {
  /** Next job to run, or null when the campaign hands out no more work (for now: see kick()). */
  next(): Job | null;
  message(m: FromWorker, worker: number): void;
  /**
   * A worker burned `cpuMs` of CPU in one execution of `job` (last reported execution index
   * given); `schedule` holds that execution's decisions so far (null when unknown).
   */
  hang(job: Job, execution: number, cpuMs: number, schedule: number[] | null): void;
  /** A worker made no progress and used no CPU for `silentMs` of running time while on `job`. */
  stall?(job: Job, silentMs: number): void;
  /** A worker died or failed to start. */
  crash(worker: number, message: string, job: Job | undefined): void;
}

interface Slot {
  index: number;
  worker: Worker;
  inflight: Job[];
  watch: ProgressWatch;
  tap: Int32Array;
  lastExecution: number;
  dead: boolean;
}

const AHEAD = 2;
/** Old-generation limit of one worker's heap (MB), unless the campaign sets another. */
export const WORKER_HEAP_MB = 192;
/** Longest schedule kept for a hang's re-check and token. */
const TAP_DECISIONS = 200_000;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private idleResolve: (() => void) | null = null;

  constructor(
    private readonly url: URL,
    private readonly init: (worker: number) => WorkerInit,
    private readonly hooks: PoolHooks,
    private readonly watchdogMs: number,
    private readonly heapMb = WORKER_HEAP_MB,
  ) {}

  get size(): number {
    return this.slots.filter((s) => !s.dead).length;
  }

  start(n: number): void {
    for (let i = 0; i < n; i++) this.slots.push(this.spawn(i));
    this.timer = setInterval(() => this.watch(), Math.min(1000, Math.max(100, this.watchdogMs / 4)));
    this.timer.unref();
  }

  private spawn(index: number): Slot {
    // Workers inherit the node flags (heap size, source maps), except one that only a main script may take.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    const tap = tapBuffer(TAP_DECISIONS);
    // A bounded old generation makes V8 collect before the heap balloons (RSS stays flat over hours);
    // a worker that really needs more dies with ERR_WORKER_OUT_OF_MEMORY and is replaced.
    const worker = new Worker(this.url, {
      workerData: { ...this.init(index), heartbeat, tap }, execArgv, resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    const watch = new ProgressWatch(heartbeat, { hangMs: this.watchdogMs, stallMs: stallLimit(this.watchdogMs) });
    const slot: Slot = { index, worker, inflight: [], watch, tap, lastExecution: 0, dead: false };
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => this.onDeath(slot, thrownText(e)));
    worker.on('exit', (code) => {
      if (!slot.dead && !this.stopping) this.onDeath(slot, `worker exited with code ${code}`);
      else this.markDead(slot);
      this.checkIdle();
    });
    this.feed(slot);
    return slot;
  }

  private feed(slot: Slot): void {
    while (!this.stopping && !slot.dead && slot.inflight.length < AHEAD) {
      const c = this.hooks.next();
      if (!c) break;
      slot.inflight.push(c);
      slot.worker.postMessage(c);
    }
    this.checkIdle();
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (slot.dead) return;
    if (m.type === 'tid') {
      slot.watch.setThread(m.tid);
      return;
    }
    slot.watch.progress();
    if (m.type === 'progress') slot.lastExecution = m.execution;
    const finished = m.type === 'chunk-done' || m.type === 'report' || (m.type === 'error' && m.n >= 0);
    if (finished) {
      const i = slot.inflight.findIndex((c) => c.n === m.n);
      if (i >= 0) slot.inflight.splice(i, 1);
      slot.lastExecution = 0;
    }
    this.hooks.message(m, slot.index);
    if (finished || m.type === 'error') this.feed(slot);
  }

  private markDead(slot: Slot): void {
    slot.dead = true;
    slot.inflight = [];
  }

  private onDeath(slot: Slot, message: string): void {
    if (slot.dead) return;
    const running = slot.inflight[0];
    this.markDead(slot);
    this.hooks.crash(slot.index, message, running);
    if (!this.stopping) this.replace(slot);
    this.checkIdle();
  }

  private replace(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = this.spawn(slot.index);
  }

  /** Hand out work again to every live worker that has room (after the campaign queued new jobs); how many jobs went out. */
  kick(): number {
    const before = this.slots.reduce((a, s) => a + s.inflight.length, 0);
    for (const slot of this.slots) this.feed(slot);
    return this.slots.reduce((a, s) => a + s.inflight.length, 0) - before;
  }

  private watch(): void {
    for (const slot of this.slots) {
      const running = slot.inflight[0];
      if (slot.dead || !running) continue;
      const v = slot.watch.check();
      if (v === 'ok') continue;
      const cpu = slot.watch.busyMs;
      const silent = slot.watch.silentMs;
      const schedule = v === 'hang' ? tappedSchedule(slot.tap) : null;
      this.markDead(slot);
      void slot.worker.terminate();
      if (v === 'hang') this.hooks.hang(running, slot.lastExecution, cpu, schedule);
      else this.hooks.stall?.(running, silent);
      if (!this.stopping) this.replace(slot);
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idleResolve && this.slots.every((s) => s.dead || s.inflight.length === 0)) {
      const r = this.idleResolve;
      this.idleResolve = null;
      r();
    }
  }

  /** Resolve when no worker has work in flight (the campaign ran out of jobs or is stopping). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleResolve = resolve;
      this.checkIdle();
    });
  }

  /** Stop handing out work; wait up to `graceMs` for chunks in flight, then terminate every worker. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => { t = setTimeout(r, graceMs); })]);
    if (t) clearTimeout(t);
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.slots.map(async (s) => {
      s.dead = true;
      await s.worker.terminate();
    }));
  }
}
