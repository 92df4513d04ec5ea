/**
 * Where the audit's sampling (audit.ts `Auditor.wants`: executions 1..64, then every 2^k-th and a
 * seeded 1/256 sample) resumes when one exploration is run as several `explore` calls: a campaign
 * runs each target in chunks of 400 ms, and a benchmark in chunks of a few hundred executions.
 * Without this ledger every chunk audits its first 64 executions again — two extra runs each, with
 * tracing on — which cost a campaign 5–15 % of its executions and a 200-execution chunk of a tiny
 * model about half its time, for no more assurance than one long run gets.
 *
 * What counts as the same exploration:
 * - a systematic strategy (it has `exhaustive`: DFS, delay bounding, DPOR, the portfolio) or one
 *   that relies on independence (`independent`) continues only with the same scheduler object: a
 *   new run is a new proof, and its first executions are audited densely again (its verdict
 *   "exhaustive" rests on them);
 * - any other strategy (random, PCT, POS, ...) continues per model object, scenario and strategy
 *   name: those runs are never exhaustive, and what their audit checks — that the model is
 *   deterministic — is a property of the model, sampled as thinly as one long run would sample it.
 * The per-run top-up before a run is called exhaustive (`Auditor.settle`, 32 determinism re-runs)
 * is not affected: it counts the re-runs of that run only.
 *
 * Leaves out: anything across processes (each worker of a campaign keeps its own ledger), and
 * forgetting (a model object that stays alive keeps its count; the maps are weak in the model and
 * the scheduler, so dropping either drops its entries).
 */
import type { AnyModel } from './model.js';
import type { Scheduler } from './scheduler.js';

const byScheduler = new WeakMap<Scheduler, number>();
const byModel = new WeakMap<AnyModel, Map<string, number>>();

/** Does this scheduler's count belong to the scheduler object (a proof) rather than the model? */
function ownCount(sched: Scheduler): boolean {
  return sched.exhaustive !== undefined || sched.independent !== undefined;
}

function modelKey(scenario: string, sched: Scheduler): string {
  return `${sched.name}\u0000${scenario}`;
}

/** Executions earlier `explore` calls ran in the exploration this call continues. */
export function auditedBefore(model: AnyModel, scenario: string, sched: Scheduler): number {
  if (ownCount(sched)) return byScheduler.get(sched) ?? 0;
  return byModel.get(model)?.get(modelKey(scenario, sched)) ?? 0;
}

/** Record that this call ran `executions` more executions of that exploration. */
export function recordAudited(model: AnyModel, scenario: string, sched: Scheduler, executions: number): void {
  if (executions <= 0) return;
  if (ownCount(sched)) {
    byScheduler.set(sched, (byScheduler.get(sched) ?? 0) + executions);
    return;
  }
  let m = byModel.get(model);
  if (m === undefined) byModel.set(model, (m = new Map()));
  const k = modelKey(scenario, sched);
  m.set(k, (m.get(k) ?? 0) + executions);
}
