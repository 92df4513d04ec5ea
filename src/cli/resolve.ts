/**
 * Name resolution shared by the commands: model names (exact, or a unique suffix/prefix match),
 * strategy options from flags, and the JSON summary shape of a check result that other tools
 * script against (`{ model, strategy, executions, exhaustive, violation, token, ... }`).
 * Leaves out: file handling (each command does its own).
 */
import { pathToFileURL } from 'node:url';
import { allModels, findModel } from '../../models/index.js';
import type { ExploreResult } from '../engine/explore.js';
import type { AnyModel } from '../engine/model.js';
import { thrownText } from '../engine/thrown.js';
import { UsageError } from '../engine/violation.js';
import { type FlagValues, num } from './args.js';

/** Models loaded from user modules with --load, searched before the built-in ones. */
const loaded: AnyModel[] = [];

function isModel(x: unknown): x is AnyModel {
  return typeof x === 'object' && x !== null && typeof (x as AnyModel).name === 'string' && typeof (x as AnyModel).setup === 'function' && typeof (x as AnyModel).hash === 'number';
}

/** How long a user module's top-level code (a top-level await included) may take to load. */
export const LOAD_TIMEOUT_MS = 15_000;

/**
 * Import a user module whose `models` (or default) export is an array of defineModel values.
 * Its top-level code gets LOAD_TIMEOUT_MS: a top-level await that never settles is a one-line
 * UsageError then (the timer also keeps Node from exiting with code 13 meanwhile). Run it in a
 * sandbox worker (sandbox.ts): a module that loops in its top-level code is the watchdog's job.
 */
export async function loadModels(path: string, timeoutMs = LOAD_TIMEOUT_MS): Promise<AnyModel[]> {
  let mod: { models?: unknown; default?: unknown };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`--load ${path}: its top-level code has not finished after ${Math.round(timeoutMs / 1000)} s (a top-level await that never settles?)`)), timeoutMs);
  });
  try {
    mod = (await Promise.race([import(pathToFileURL(path).href), late])) as { models?: unknown; default?: unknown };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--load ${path}: cannot import it (${thrownText(e)})`);
  } finally {
    clearTimeout(timer);
  }
  let list: unknown;
  try {
    list = mod.models ?? mod.default;
  } catch (e) {
    throw new UsageError(`--load ${path}: reading its exports threw (${thrownText(e)})`);
  }
  if (!Array.isArray(list) || !list.every(isModel)) {
    throw new UsageError(`--load ${path}: the module must export 'models', an array of defineModel(...) values`);
  }
  loaded.push(...list);
  return list;
}

export function resolveModel(name: string): AnyModel {
  const user = loaded.find((m) => m.name === name);
  if (user) return user;
  const exact = findModel(name);
  if (exact) return exact;
  const near = allModels.filter((m) => m.name.startsWith(`${name}/`) || m.name.endsWith(`/${name}`));
  if (near.length === 1 && near[0]) return near[0];
  const hint = near.length > 1 ? `: did you mean ${near.map((m) => m.name).join(' or ')}?` : " (run 'mapcheck list' for the names)";
  throw new UsageError(`unknown model '${name}'${hint}`);
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
  violation: null | { kind: string; title: string; message: string; threads: readonly number[]; step: number };
  token: string | null;
  preemptions: number | null;
  stats: Record<string, number>;
  report?: string;
}

export function resultJson(r: ExploreResult): ResultJson {
  const v = r.finding?.violation;
  return {
    model: r.model, scenario: r.scenario, strategy: r.strategy, seed: r.seed, executions: r.executions, steps: r.steps,
    exhaustive: r.exhaustive, within: r.within ?? null, elapsed_ms: r.elapsedMs,
    violation: v ? { kind: v.kind, title: v.title, message: v.message, threads: v.threads, step: v.step } : null,
    token: r.finding?.token ?? null, preemptions: r.finding?.preemptions ?? null, stats: r.stats,
  };
}

export function resultText(j: ResultJson): string {
  const lines = [
    `${j.model} [${j.scenario}] strategy=${j.strategy} seed=${j.seed}`,
    `  executions: ${j.executions}  steps: ${j.steps}  exhaustive: ${j.exhaustive ? `yes${j.within !== null ? ` (within ${j.within})` : ''}` : 'no'}  time: ${j.elapsed_ms} ms`,
  ];
  if (j.violation) {
    lines.push(`  ${j.violation.title}`, `  ${j.violation.message}`);
    lines.push(`  replay: npx mapcheck replay ${j.token ?? ''}`);
    if (j.report) lines.push(`  report: ${j.report}`);
  } else {
    const every = j.within !== null ? `every interleaving with at most ${j.within} was explored` : 'every interleaving within the bounds was explored';
    lines.push(j.exhaustive ? `  no violation: ${every}` : '  no violation found within the budget');
  }
  return lines.join('\n');
}
