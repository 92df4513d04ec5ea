/**
 * Re-checking a suspected hang before it is filed. The pool's watchdog stops a worker that burned
 * its CPU limit inside one execution and hands over that execution's decisions (schedule-tap.ts);
 * here they become a replay token, replayed strictly in a fresh sandbox worker (sandbox.ts) under
 * the same CPU limit. Only when the replay hangs again is it the model's hang: it is filed with the
 * token that reproduces it and retires its target for the rest of the session. A worker that was
 * starved, paused or broken finishes the replay, and nothing is filed (a `--resume` tries retired
 * targets again, so nothing is retired for good without a fresh re-check either).
 * Leaves out: the filing itself (campaign.ts, store.ts).
 */
import { encodeToken } from '../../engine/token.js';
import { thrownText } from '../../engine/thrown.js';
import { SandboxStop, runSandboxed } from '../sandbox.js';

export interface HangSuspect {
  readonly model: string;
  readonly hash: number;
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  /** The hung execution's decisions so far (null when they outgrew the tap). */
  readonly steps: readonly number[] | null;
}

export interface Recheck {
  readonly confirmed: boolean;
  /** The token whose replay hangs (confirmed hangs), or that was tried. */
  readonly token: string | null;
  /** Why it was not confirmed. */
  readonly note: string;
}

export async function recheckHang(h: HangSuspect, o: { readonly watchdogMs: number; readonly heapMb?: number; readonly load?: readonly string[] }): Promise<Recheck> {
  if (h.steps === null) return { confirmed: false, token: null, note: 'its schedule outgrew the record, so it cannot be replayed' };
  let token: string;
  try {
    token = encodeToken({ model: h.model, hash: h.hash, scenario: h.scenario, strategy: h.strategy, seed: h.seed, steps: h.steps, mode: { keepGoing: true } });
  } catch (e) {
    return { confirmed: false, token: null, note: `no token for it (${thrownText(e)})` };
  }
  try {
    await runSandboxed({ kind: 'replay', token, lenient: false, trace: false }, {
      what: `model '${h.model}'`, watchdogMs: o.watchdogMs, ...(o.heapMb !== undefined ? { heapMb: o.heapMb } : {}), ...(o.load ? { load: o.load } : {}),
    });
    return { confirmed: false, token, note: 'the execution finished when replayed in a fresh worker (the first worker was starved, paused or stalled)' };
  } catch (e) {
    if (e instanceof SandboxStop && e.reason === 'hang') return { confirmed: true, token, note: '' };
    return { confirmed: false, token, note: `the re-check did not hang but failed: ${thrownText(e)}` };
  }
}
