/**
 * The progress watchdog (src/cli/watchdog.ts) in-process: a thread that burns CPU without a
 * heartbeat is a hang; one that sleeps as long (a pause, a starved worker) is not, until the much
 * longer stall limit; a heartbeat resets both; a worker that has not yet said which thread it is
 * (still starting up) is never a hang; the thread's CPU time is read from /proc and only grows.
 */
import { describe, expect, it } from 'vitest';
import { ProgressWatch, ownThreadId, runningMs, threadCpuMs } from '../../src/cli/watchdog.js';

function burn(ms: number): void {
  const t0 = threadCpuMs(ownThreadId() as number) as number;
  while ((threadCpuMs(ownThreadId() as number) as number) - t0 < ms) { /* spin */ }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('progress watchdog', () => {
  it('reads this thread\'s CPU time', () => {
    const tid = ownThreadId();
    expect(tid).toBeGreaterThan(0);
    const a = threadCpuMs(tid as number) as number;
    burn(50);
    expect((threadCpuMs(tid as number) as number) - a).toBeGreaterThanOrEqual(50);
    expect(threadCpuMs(2 ** 30)).toBeNull();
  });

  it('CPU burnt without a heartbeat is a hang; a heartbeat resets it', () => {
    const beat = new Int32Array(new SharedArrayBuffer(4));
    const w = new ProgressWatch(beat, { hangMs: 150, stallMs: 60_000 });
    expect(w.check()).toBe('ok');
    w.setThread(ownThreadId());
    burn(200);
    expect(w.check()).toBe('hang');
    beat[0] = 1;
    expect(w.check()).toBe('ok');
    burn(100);
    expect(w.check()).toBe('ok');
  });

  it('a silence that uses no CPU is not a hang, only a stall once the stall limit passes', async () => {
    runningMs();
    const beat = new Int32Array(new SharedArrayBuffer(4));
    const w = new ProgressWatch(beat, { hangMs: 100, stallMs: 1200 });
    w.setThread(ownThreadId());
    await sleep(500);
    expect(w.check()).toBe('ok');
    await sleep(1200);
    expect(w.check()).toBe('stall');
  });

  it('a worker still starting up (no thread id yet) is never a hang', () => {
    const w = new ProgressWatch(new Int32Array(new SharedArrayBuffer(4)), { hangMs: 10, stallMs: 60_000 });
    burn(50);
    expect(w.check()).toBe('ok');
  });
});
