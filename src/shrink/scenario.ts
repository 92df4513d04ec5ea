/**
 * Scenario shrinking: fewer threads, fewer calls, smaller sizes — by shrinking the scenario's JSON
 * parameters, the way fast-check shrinks a generated value (integers towards 0, arrays by dropping
 * halves and then single elements, records field by field), plus the model's own
 * `shrinkScenario(params)` candidates when it defines one (tried first: the model knows which
 * smaller workloads still make sense).
 *
 * A smaller scenario is kept when it still shows the same violation — found first by replaying the
 * current schedule with the steps of vanished threads skipped, else by a short search (DFS with a
 * small preemption bound when that strategy is registered, then random walk) within a budget of
 * executions — and when its counterexample, once schedule-shrunk, is no longer than the current
 * one (a smaller workload that needs a longer interleaving is not easier to read). A shrunk
 * scenario travels in the token as its JSON.
 * Leaves out: shrinking strings (addresses and names rarely shrink meaningfully).
 */
import { Execution } from '../engine/execution.js';
import { type Json, paramsFit } from '../engine/model.js';
import { makeStrategy, strategyNames } from '../strategies/index.js';
import { type Attempt, toEvents } from './attempt.js';
import { ShrinkContext } from './context.js';
import { shrinkSchedule } from './schedule.js';
import { sameViolation } from './same.js';

/**
 * Integers shrink only when small (|n| <= 64: thread, call and iteration counts). Large numbers in
 * kernel scenarios are addresses and byte sizes chosen for alignment and overlap; shrinking them
 * towards 0 yields workloads nobody would read (and costs the whole time budget). Models that want
 * smaller sizes propose them through `shrinkScenario`.
 */
export const MAX_SHRINK_INT = 64;

function intShrinks(n: number): number[] {
  if (!Number.isInteger(n) || Math.abs(n) > MAX_SHRINK_INT) return [];
  const out = new Set<number>([0, Math.trunc(n / 2), n - Math.sign(n)]);
  out.delete(n);
  return [...out];
}

/** Candidate values strictly smaller than `v` (fast-check style), most aggressive first. */
export function jsonShrinks(v: Json): Json[] {
  if (typeof v === 'number') return intShrinks(v);
  if (v === true) return [false];
  if (Array.isArray(v)) {
    const arr = v as readonly Json[];
    const out: Json[] = [];
    if (arr.length >= 2) {
      out.push(arr.slice(0, arr.length >> 1), arr.slice(arr.length >> 1));
    }
    for (let i = arr.length - 1; i >= 0; i--) out.push([...arr.slice(0, i), ...arr.slice(i + 1)]);
    arr.forEach((x, i) => {
      for (const s of jsonShrinks(x)) out.push([...arr.slice(0, i), s, ...arr.slice(i + 1)]);
    });
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const rec = v as { readonly [k: string]: Json };
    const out: Json[] = [];
    for (const k of Object.keys(rec)) {
      for (const s of jsonShrinks(rec[k] as Json)) out.push({ ...rec, [k]: s });
    }
    return out;
  }
  return [];
}

/** A size measure that every candidate of `jsonShrinks` strictly lowers. */
export function jsonSize(v: Json): number {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= MAX_SHRINK_INT ? Math.abs(v) : 0;
  if (v === true) return 1;
  if (Array.isArray(v)) return (v as readonly Json[]).reduce<number>((s, x) => s + 1 + jsonSize(x), 0);
  if (v !== null && typeof v === 'object') return Object.values(v as Record<string, Json>).reduce<number>((s, x) => s + jsonSize(x), 0);
  return 0;
}

export interface ScenarioOptions {
  /** Executions of the DFS search in one candidate scenario (a third of it again for random walk). */
  readonly searchBudget: number;
}

/** Look for the target violation in scenario `params`; the attempt that shows it, or null. */
export function findInScenario(ctx: ShrinkContext, params: Json, cur: Attempt, o: ScenarioOptions): Attempt | null {
  const quick = ctx.reproduce(cur.events, 'skip', params);
  if (quick) return quick;
  const names = strategyNames();
  // DFS in preemption order first (most seed bugs need 0-2 preemptions), then a shorter random walk.
  const plans = [
    ...(names.includes('dfs') ? [{ sched: makeStrategy('dfs', { preemptionBound: 2 }), budget: o.searchBudget }] : []),
    { sched: makeStrategy('random', { seed: 1 }), budget: Math.ceil(o.searchBudget / 3) },
  ];
  const exec = new Execution();
  const runStore = new Map<unknown, unknown>();
  for (const { sched, budget } of plans) {
    for (let i = 0; i < budget && !ctx.expired; i++) {
      if (!sched.beginExecution()) break;
      ctx.runs++;
      const r = exec.run(ctx.model, sched, { params, trace: true, runStore, keepGoing: ctx.keepGoing });
      sched.endExecution?.({ violation: r.violation, halted: r.halted, steps: r.steps, schedule: r.schedule });
      if (r.violations.some((v) => sameViolation(ctx.target, v, ctx.model))) {
        const a = ctx.reproduce(toEvents(r.schedule, r.traceOps), 'strict', params);
        if (a) return a;
      }
    }
  }
  return null;
}

/** The model's own smaller scenarios (its `shrinkScenario`); one that throws proposes none. */
function ownShrinks(ctx: ShrinkContext): Json[] {
  try {
    const own = ctx.model.shrinkScenario?.(ctx.params) as unknown;
    return Array.isArray(own) ? (own as Json[]) : [];
  } catch {
    return [];
  }
}

/** Shrink the scenario to a fixed point; updates `ctx.params`; returns the attempt in it. */
export function shrinkScenario(ctx: ShrinkContext, start: Attempt, o: ScenarioOptions): { attempt: Attempt; shrunk: boolean } {
  let cur = start;
  let shrunk = false;
  let progress = true;
  const seen = new Set<string>([JSON.stringify(ctx.params)]);
  while (progress && !ctx.expired) {
    progress = false;
    const size = jsonSize(ctx.params);
    // Candidates outside the model's params schema are not scenarios it accepts: never tried.
    const cands = [...ownShrinks(ctx), ...jsonShrinks(ctx.params).filter((c) => jsonSize(c) < size)].filter((c) => paramsFit(ctx.model, c));
    for (const p of cands) {
      if (ctx.expired) break;
      const key = JSON.stringify(p);
      if (seen.has(key)) continue;
      seen.add(key);
      const found = findInScenario(ctx, p, cur, o);
      let a: Attempt | null = null;
      if (found) {
        const pctx = new ShrinkContext(ctx.model, p, ctx.target, ctx.deadline, ctx.maxRuns, ctx.keep, ctx.keepGoing);
        pctx.runs = ctx.runs;
        const shrunkHere = shrinkSchedule(pctx, found);
        ctx.runs = pctx.runs;
        if (shrunkHere.faults <= cur.faults && shrunkHere.preemptions <= cur.preemptions && shrunkHere.steps <= cur.steps) a = shrunkHere;
      }
      if (a) {
        ctx.params = p;
        cur = a;
        shrunk = true;
        progress = true;
        break;
      }
    }
  }
  return { attempt: cur, shrunk };
}
