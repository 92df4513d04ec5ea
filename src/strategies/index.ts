/**
 * Strategy registry: builds a Scheduler from its name and options, so the API, the CLI and
 * campaigns name strategies the same way. One file per strategy beside this one.
 * Leaves out: the strategies' algorithms (see each file's header for its paper).
 */
import type { Scheduler } from '../engine/scheduler.js';
import { UsageError } from '../engine/violation.js';
import { DelayScheduler } from './delay.js';
import { DfsScheduler } from './dfs.js';
import { DporScheduler } from './dpor.js';
import { MutateScheduler } from './mutate.js';
import { PctScheduler } from './pct.js';
import { PortfolioScheduler } from './portfolio.js';
import { PosScheduler } from './pos.js';
import { RandomScheduler } from './random.js';

export const STRATEGY_NAMES = ['random', 'pct', 'pos', 'dfs', 'delay', 'dpor', 'dpor-fold', 'portfolio'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export interface StrategyOptions {
  readonly seed?: number;
  /** PCT bug depth d (default 3). */
  readonly depth?: number;
  /** DFS: preemption bound; iterative bounding from 0 up to it (default: unbounded). */
  readonly preemptionBound?: number;
  /** Delay bounding: most delays; iterative bounding from 0 up to it (default: unbounded). */
  readonly delayBound?: number;
}

type Factory = (o: StrategyOptions) => Scheduler;
const factories = new Map<string, Factory>();

/** Register a strategy (each strategy module registers itself in strategies/all.ts). */
export function registerStrategy(name: string, f: Factory): void {
  factories.set(name, f);
}

registerStrategy('random', (o) => new RandomScheduler(o.seed ?? 1));
registerStrategy('dfs', (o) => new DfsScheduler(o.preemptionBound));
registerStrategy('delay', (o) => new DelayScheduler(o.delayBound));
registerStrategy('dpor', () => new DporScheduler());
registerStrategy('dpor-fold', () => new DporScheduler({ fold: true }));
registerStrategy('pct', (o) => new PctScheduler(o.seed ?? 1, o.depth ?? 3));
registerStrategy('pos', (o) => new PosScheduler(o.seed ?? 1));
registerStrategy('portfolio', (o) => new PortfolioScheduler(o.seed ?? 1));
registerStrategy('mutate', (o) => new MutateScheduler(o.seed ?? 1));

export function isStrategyName(s: string): s is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(s);
}

export function makeStrategy(name: string, opts: StrategyOptions = {}): Scheduler {
  const f = factories.get(name);
  if (!f) throw new UsageError(`unknown strategy '${name}' (choose one of: ${[...factories.keys()].join(', ')})`);
  return f(opts);
}

export function strategyNames(): string[] {
  return [...factories.keys()];
}
