/**
 * Telling a hang from a pause. A worker running model code is *hung* when it burns CPU without
 * finishing an execution: its heartbeat (src/engine/heartbeat.ts) stands still while its own
 * thread's CPU time (Linux: /proc/self/task/<tid>/stat, utime + stime) grows by the limit. A whole
 * process stopped (SIGSTOP, a cgroup freeze, a suspended VM) or starved by other load burns no CPU,
 * so it is never taken for a hang, however long the wall-clock silence. A worker that makes no
 * progress and burns no CPU either, while this process keeps running, is *stalled* (blocked in
 * native code, or starved): told apart, never filed as the model's hang. "Running time" is the main
 * thread's own ticks with gaps capped, so a pause of the whole process does not count there either.
 * Without /proc (not Linux) the CPU time is unknown and running time stands in for it.
 * Leaves out: acting on a verdict (sandbox.ts and fuzz/pool.ts restart, re-check or report).
 */
import { readFileSync, readlinkSync } from 'node:fs';

/** USER_HZ: the unit of /proc's CPU times (100 on every mainstream Linux architecture). */
const USER_HZ = 100;

/** The OS thread id of the calling thread (a worker posts it to its parent), or null off Linux. */
export function ownThreadId(): number | null {
  try {
    const m = /task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** CPU time (ms, user + system) thread `tid` of this process has used, or null when unknown. */
export function threadCpuMs(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces and parentheses): state is field 3.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : null;
  } catch {
    return null;
  }
}

const TICK_MS = 200;
let running = 0;
let lastTick = Date.now();
let ticker: NodeJS.Timeout | null = null;

/** Milliseconds this process has been running since the first call, pauses excluded. */
export function runningMs(): number {
  if (!ticker) {
    lastTick = Date.now();
    ticker = setInterval(() => {
      const now = Date.now();
      running += Math.min(now - lastTick, 2 * TICK_MS);
      lastTick = now;
    }, TICK_MS);
    ticker.unref();
  }
  return running + Math.min(Date.now() - lastTick, 2 * TICK_MS);
}

export type Verdict = 'ok' | 'hang' | 'stall';

export interface WatchLimits {
  /** CPU time without a finished execution that makes a hang. */
  readonly hangMs: number;
  /** Running time without progress or CPU use that makes a stall. */
  readonly stallMs: number;
}

/** The default stall limit for a hang limit: generous, a stall is not the model's fault. */
export function stallLimit(hangMs: number): number {
  return Math.max(4 * hangMs, 60_000);
}

/** Watches one worker: its heartbeat counter, and its thread's CPU time once its tid is known. */
export class ProgressWatch {
  /** Set once the worker has said which thread it is (null off Linux): before that it is starting up. */
  private told = false;
  private tid: number | null = null;
  private count = -1;
  private cpu0 = 0;
  private run0 = 0;
  private cpuNow = 0;

  constructor(private readonly heartbeat: Int32Array, private readonly limits: WatchLimits) {
    this.progress();
  }

  setThread(tid: number | null): void {
    this.told = true;
    this.tid = tid;
    this.progress();
  }

  /** Something showed the worker is alive and moving (a message, a finished chunk). */
  progress(): void {
    this.count = Atomics.load(this.heartbeat, 0);
    this.run0 = runningMs();
    this.cpu0 = this.tid !== null ? threadCpuMs(this.tid) ?? 0 : 0;
    this.cpuNow = this.cpu0;
  }

  /** CPU time (or, without /proc, running time) since the last progress. */
  get busyMs(): number {
    return this.tid !== null && threadCpuMs(this.tid) !== null ? this.cpuNow - this.cpu0 : runningMs() - this.run0;
  }

  /** Running time since the last progress. */
  get silentMs(): number {
    return runningMs() - this.run0;
  }

  check(): Verdict {
    const c = Atomics.load(this.heartbeat, 0);
    if (c !== this.count) {
      this.progress();
      return 'ok';
    }
    const silent = runningMs() - this.run0;
    // A worker still starting up (it posts its thread id first thing) can only stall.
    if (!this.told) return silent >= this.limits.stallMs ? 'stall' : 'ok';
    const cpu = this.tid !== null ? threadCpuMs(this.tid) : null;
    if (cpu !== null) {
      this.cpuNow = cpu;
      if (cpu - this.cpu0 >= this.limits.hangMs) return 'hang';
    } else if (silent >= this.limits.hangMs) {
      return 'hang';
    }
    return silent >= this.limits.stallMs ? 'stall' : 'ok';
  }
}
