/**
 * The distinct bugs of a keep-going check (`mapcheck check --keep-going`): the run's findings
 * (one per distinct violation key, engine-side) grouped the way campaigns group them -- by bug
 * signature (fuzz/signature.ts: kind, violating function, allocator and freeing function for
 * KASAN-style bugs; thread names and step numbers do not count) -- so one race seen from two
 * threads, or one use-after-free reached through two schedules, is one entry. Each entry keeps the
 * shortest token that shows it, and how many findings it merged. The list is ordered by severity
 * (violation.ts: use-after-free, double free, faults, refcount, deadlock before data race, before
 * leak), then by the execution that found it first.
 * Replays each finding once for its thread names (signatures need them), in the sandbox worker
 * where the model already runs.
 * Leaves out: minimization (the report stage minimizes the leading bug; `mapcheck report <token>`
 * does any other) and known-bug matching (campaign summaries do that).
 */
import type { Finding } from '../engine/explore.js';
import type { AnyModel } from '../engine/model.js';
import { decodeToken } from '../engine/token.js';
import { type ViolationKind, severity } from '../engine/violation.js';
import { replay } from '../check.js';
import { signatureOf, signatureParts } from './fuzz/signature.js';

export interface DistinctBug {
  readonly signature: string;
  readonly kind: ViolationKind;
  readonly title: string;
  readonly message: string;
  readonly token: string;
  readonly steps: number;
  /** 1-based execution that first showed it. */
  readonly execution: number;
  /** Findings (distinct violation keys) filed under this signature. */
  readonly count: number;
}

function signOf(model: AnyModel, f: Finding): string {
  try {
    const r = replay(model, decodeToken(f.token));
    const shown = r.exec.violations.find((x) => x.kind === f.violation.kind && x.title === f.violation.title) ?? f.violation;
    return signatureOf(signatureParts(model, shown, r.threadNames));
  } catch {
    // A finding that needs earlier executions (lockdep's graph) cannot be replayed alone: sign it
    // from what the run recorded (thread numbers instead of names).
    return signatureOf(signatureParts(model, f.violation, []));
  }
}

export function distinctBugs(model: AnyModel, findings: readonly Finding[]): DistinctBug[] {
  const bySig = new Map<string, DistinctBug>();
  for (const f of findings) {
    const sig = signOf(model, f);
    const prev = bySig.get(sig);
    const v = f.violation;
    if (!prev) {
      bySig.set(sig, { signature: sig, kind: v.kind, title: v.title, message: v.message, token: f.token, steps: f.steps, execution: f.execution, count: 1 });
    } else {
      const shorter = f.steps < prev.steps;
      bySig.set(sig, {
        ...prev, count: prev.count + 1, execution: Math.min(prev.execution, f.execution),
        ...(shorter ? { token: f.token, steps: f.steps, message: v.message } : {}),
      });
    }
  }
  return [...bySig.values()].sort((a, b) => severity(a.kind) - severity(b.kind) || a.execution - b.execution);
}
