/**
 * Worker-thread body of the library half of the token probe: decode and replay each mutant with
 * the public API (`decodeToken`, `replay`) in-process, as a tool built on mapcheck would. Handled
 * cleanly: a one-line UsageError, or a replay result — and a mutant whose parameters break the
 * model's schema must be a UsageError, never run. It runs in a worker with a heap cap (main.ts), so
 * a mutant that blew the heap would show as a dead worker, a failure, instead of ending the run.
 * Leaves out: the CLI half (tokens.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { findModel } from '../../models/index.js';
import { UsageError, decodeToken, replay } from '../../src/index.js';
import { thrownText } from '../../src/engine/thrown.js';
import type { Mutant } from './mutants.js';

export interface LibraryOutcome {
  readonly tried: number;
  readonly clean: number;
  readonly failures: string[];
}

function runOne(m: Mutant): string | null {
  try {
    const s = decodeToken(m.token);
    const model = findModel(s.model);
    if (!model) return null; // a mutated model name: the CLI says "unknown model"; nothing to replay
    replay(model, s);
    return m.invalidParams ? `${m.what}: out-of-schema parameters were run` : null;
  } catch (e) {
    if (!(e instanceof UsageError)) return `${m.what}: ${thrownText(e)}`;
    return e.message.includes('\n') ? `${m.what}: a message of several lines` : null;
  }
}

const port = parentPort;
if (port) {
  const mutants = workerData as Mutant[];
  const failures: string[] = [];
  for (const m of mutants) {
    const f = runOne(m);
    if (f) failures.push(f);
  }
  const out: LibraryOutcome = { tried: mutants.length, clean: mutants.length - failures.length, failures };
  port.postMessage(out);
}
