/**
 * The worker pool's watchdog with real worker threads: a worker stuck in a loop that never returns
 * to its event loop (what a model thread that never yields does to a campaign worker) burns CPU, so
 * it is terminated, reported as a hang with the chunk it was running, and replaced, and the
 * remaining chunks still run. The stand-in worker is a small plain-JS file speaking the campaign
 * protocol.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { FromWorker, Job } from '../../src/cli/fuzz/messages.js';
import { WorkerPool } from '../../src/cli/fuzz/pool.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKER = `
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
// As the real worker does: its OS thread id first, so the watchdog measures its CPU time.
parentPort.postMessage({ type: 'tid', tid: Number(/task\\/(\\d+)$/.exec(readlinkSync('/proc/thread-self'))[1]) });
parentPort.on('message', (m) => {
  if (m.type !== 'chunk') return;
  if (m.seed === 666) { for (;;) {} }
  parentPort.postMessage({ type: 'progress', executions: 10, cover: [], repeats: [], chunk: m.n, execution: 10 });
  parentPort.postMessage({ type: 'chunk-done', n: m.n, exhaustive: false });
});
`;

describe('worker pool', () => {
  it('terminates a worker that stops answering, records the hang, replaces it and finishes the work', async () => {
    const file = join(dir, 'w.mjs');
    writeFileSync(file, WORKER);
    let n = 0;
    const done: number[] = [];
    const hangs: Job[] = [];
    const crashes: string[] = [];
    let executions = 0;
    const pool = new WorkerPool(pathToFileURL(file), (w) => ({ worker: w, targets: [], seeds: [], progressMs: 50 }), {
      next: () => (n < 12 ? { type: 'chunk', n: n++, target: 0, strategy: 'random', seed: n === 4 ? 666 : n, maxExecutions: 10, timeMs: 100, until: Infinity } : null),
      message: (m: FromWorker) => {
        if (m.type === 'chunk-done') done.push(m.n);
        if (m.type === 'progress') executions += m.executions;
      },
      hang: (c) => { hangs.push(c); },
      crash: (_w, message) => { crashes.push(message); },
    }, 400);
    pool.start(2);
    await pool.idle();
    await pool.stop(100);
    expect(hangs.map((c) => (c.type === 'chunk' ? c.seed : -1))).toEqual([666]);
    expect(crashes).toEqual([]);
    // The chunk queued behind the stuck one on the same worker is lost with it (at most the chunks in flight).
    expect(done.length).toBeGreaterThanOrEqual(10);
    expect(done).not.toContain(hangs[0]?.n);
    expect(executions).toBe(done.length * 10);
  });
});
