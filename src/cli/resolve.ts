/**
 * Name resolution shared by the commands: model names (exact, or a unique suffix/prefix match),
 * strategy options from flags, and the JSON summary shape of a check result that other tools
 * script against (`{ model, strategy, executions, exhaustive, violation, token, ... }`).
 * Leaves out: file handling (each command does its own).
 */
import { allModels, findModel } from '../../models/index.js';
import type { DistinctBug } from './distinct.js';
import type { ExploreResult } from '../engine/explore.js';
import type { AnyModel } from '../engine/model.js';
import { reproduceCommand } from '../engine/origin.js';
import { UsageError, type Violation } from '../engine/violation.js';
import { type FlagValues, num } from './args.js';
import { everyModel, loadedFrom, loadedModels } from './load.js';

/** User modules (--load) live in load.ts; re-exported for the workers that load them. */
export { LOAD_TIMEOUT_MS, loadModels } from './load.js';

export function resolveModel(name: string): AnyModel {
  const user = loadedModels().find((m) => m.name === name);
  if (user) return user;
  const exact = findModel(name);
  if (exact) return exact;
  const near = everyModel().filter((m) => m.name.startsWith(`${name}/`) || m.name.endsWith(`/${name}`));
  if (near.length === 1 && near[0]) return near[0];
  const hint = near.length > 1 ? `: did you mean ${near.map((m) => m.name).join(' or ')}?`
    : loadedModels().length === 0 && allModels.length > 0 ? " (run 'mapcheck list' for the names; your own models need --load <file>)" : " (run 'mapcheck list' for the names)";
  throw new UsageError(`unknown model '${name}'${hint}`);
}

/**
 * The command that reproduces `token` of model `name`: with `--load <file>` when the command ran with
 * one (`load`, absolute: the main thread never imports it, the sandbox does) or the model came from
 * one (loaded or described in this thread).
 */
export function commandFor(verb: 'replay' | 'minimize' | 'report', token: string, name: string, load?: string): string {
  const file = load ?? loadedFrom(name);
  if (file !== undefined) return reproduceCommand(verb, token, null, file);
  return reproduceCommand(verb, token, findModel(name) ?? null);
}

export function strategyOptions(f: FlagValues): { seed: number; depth?: number; preemptionBound?: number; delayBound?: number } {
  const seed = num(f, 'seed') ?? 1;
  const depth = num(f, 'depth');
  const pb = num(f, 'preemption-bound');
  const db = num(f, 'delay-bound');
  return {
    seed, ...(depth !== undefined ? { depth } : {}), ...(pb !== undefined ? { preemptionBound: pb } : {}),
    ...(db !== undefined ? { delayBound: db } : {}),
  };
}

export interface ResultJson {
  model: string;
  scenario: string;
  strategy: string;
  seed: number;
  executions: number;
  steps: number;
  exhaustive: boolean;
  /** With `exhaustive`: the strategy's bound that cut schedules off ('2 delays'), else null. */
  within: string | null;
  elapsed_ms: number;
  violation: null | { kind: string; title: string; message: string; threads: readonly number[]; step: number; stack?: string };
  token: string | null;
  preemptions: number | null;
  stats: Record<string, number>;
  report?: string;
  /** `--keep-going`: every distinct bug (by signature), worst first; `violation` is the first of them. */
  bugs?: readonly DistinctBug[];
  /** Why a verdict is weaker than it looks (a broken engine assumption, a fallback strategy). */
  notes?: readonly string[];
}

/** The `violation` member of the JSON shapes (with the model code's stack for an exception). */
export function violationJson(v: Violation | null | undefined): ResultJson['violation'] {
  if (!v) return null;
  return { kind: v.kind, title: v.title, message: v.message, threads: v.threads, step: v.step, ...(v.stack !== undefined ? { stack: v.stack } : {}) };
}

export function resultJson(r: ExploreResult & { readonly distinct?: readonly DistinctBug[] }): ResultJson {
  const v = r.finding?.violation;
  return {
    model: r.model, scenario: r.scenario, strategy: r.strategy, seed: r.seed, executions: r.executions, steps: r.steps,
    exhaustive: r.exhaustive, within: r.within ?? null, elapsed_ms: r.elapsedMs,
    violation: violationJson(v),
    token: r.finding?.token ?? null, preemptions: r.finding?.preemptions ?? null, stats: r.stats,
    ...(r.distinct !== undefined ? { bugs: r.distinct } : {}),
    ...(r.notes.length > 0 ? { notes: r.notes } : {}),
  };
}

/**
 * The text form of a result; `load`: the --load file the command ran with (for the replay command
 * it prints); `replayed`: the result of replaying one token (one schedule, not an exploration).
 */
export function resultText(j: ResultJson, load?: string, replayed = false): string {
  const lines = [
    `${j.model} [${j.scenario}] strategy=${j.strategy} seed=${j.seed}`,
    `  executions: ${j.executions}  steps: ${j.steps}  exhaustive: ${j.exhaustive ? `yes${j.within !== null ? ` (within ${j.within})` : ''}` : 'no'}  time: ${j.elapsed_ms} ms`,
  ];
  for (const n of j.notes ?? []) lines.push(`  note: ${n}`);
  if (j.bugs !== undefined && j.bugs.length > 0) {
    lines.push(`  ${j.bugs.length} distinct bug(s), worst first:`);
    for (const b of j.bugs) {
      lines.push(`  - ${b.signature}  ${b.title}  (first in execution ${b.execution}${b.count > 1 ? `, ${b.count} variants` : ''})`);
      lines.push(`      ${b.message.split('\n')[0] ?? ''}`, `      replay: ${commandFor('replay', b.token, j.model, load)}`);
    }
    if (j.report) lines.push(`  report (of the first): ${j.report}`);
  } else if (j.violation) {
    lines.push(`  ${j.violation.title}`, `  ${j.violation.message}`);
    if (j.violation.stack !== undefined) lines.push(j.violation.stack);
    lines.push(`  replay: ${commandFor('replay', j.token ?? '', j.model, load)}`);
    if (j.report) lines.push(`  report: ${j.report}`);
  } else {
    const every = j.within !== null ? `every interleaving with at most ${j.within} was explored` : 'every interleaving within the bounds was explored';
    if (replayed) lines.push('  no violation: the replayed schedule ran to its end without one');
    else lines.push(j.exhaustive ? `  no violation: ${every}` : `  no violation found within the budget: ${unfinished(j)}`);
  }
  return lines.join('\n');
}

/** Why a run without a violation is not a proof, and what would give one (a reviewer acts on this line). */
function unfinished(j: ResultJson): string {
  if ((j.notes ?? []).length > 0) return 'not a proof (the notes above say why)';
  const traces = j.stats['traces'];
  if (traces !== undefined) {
    const fold = j.strategy === 'dpor' ? ', or --strategy dpor-fold when critical sections of one lock multiply the orders' : '';
    return `not a proof, ${traces} distinct trace(s) explored before the budget ran out; for a bounded proof run --strategy dfs --preemption-bound 2 (exhaustive within 2 preemptions)${fold}`;
  }
  if (j.strategy === 'dfs' || j.strategy === 'delay') return 'not a proof, the exploration did not finish (a smaller --preemption-bound / --delay-bound finishes sooner)';
  return `not a proof, ${j.strategy} samples schedules; a systematic strategy (dpor, dfs) can prove the scenario`;
}
