/**
 * Per test file: after every test, one turn of the event loop. The suites are long synchronous
 * model-checking runs, and vitest's runner goes from one test to the next in microtasks, so a file
 * of them never lets its worker read the main process's replies: once a stretch of such tests
 * passes 60 s, the worker's progress RPC times out ("[vitest-worker]: Timeout calling
 * onTaskUpdate", an unhandled error that fails the run although every test passed). With this
 * yield a reply waits for one test at most.
 * Leaves out: single tests longer than 60 s (none; the suites keep tests well below that).
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
