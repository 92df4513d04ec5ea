/**
 * The engine's heartbeat: a count of executions started in this thread, kept in memory another
 * thread can read (a SharedArrayBuffer). A watchdog in the main thread tells a model that loops
 * without ever yielding an op (the count stops while the thread burns CPU) from a process that was
 * paused or starved (the count stops, but so does the thread's CPU time), which wall-clock silence
 * cannot: JavaScript cannot interrupt the loop, and the looping thread can report nothing itself.
 * One store per execution, none per step.
 * Leaves out: reading it (src/cli/watchdog.ts).
 */

let counter: Int32Array | null = null;

/** Count executions into `shared[0]` from now on (null: stop counting). */
export function countExecutionsInto(shared: Int32Array | null): void {
  counter = shared;
}

/** Called by Execution.run at the start of every execution. */
export function executionStarted(): void {
  if (counter !== null) counter[0] = ((counter[0] as number) + 1) | 0;
}
