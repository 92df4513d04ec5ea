/**
 * Which of the selected models' known bugs (`expectedBugs` of the posted variants) a campaign has
 * found. Workers check every violation as they find it (the bug's scenario, one of its kinds, and
 * its `match` text in the title or message, as the model suites do) and the finding record keeps
 * the ids it showed, so a signature that groups occurrences from several scenarios loses none. The
 * summary lists the result, so `npm run fuzz` shows at a glance whether every known posted bug was
 * found within the budget.
 * Two declared bugs may show up under one signature (a scenario can reach another bug's symptom
 * too); each known bug is assigned a signature of its own where one exists -- a maximum bipartite
 * matching between known bugs and the signatures that show them (Kuhn's augmenting paths) -- so the
 * list never presents two known bugs as one finding when the findings tell them apart. A known bug
 * whose only signatures all went to others is listed as `shared`: then the signatures really did
 * merge two known bugs.
 * Leaves out: bugs a model does not declare (every finding is still in the summary).
 */
import type { AnyModel } from '../../engine/model.js';
import type { Violation } from '../../engine/violation.js';
import type { FindingRecord } from './store.js';

/** Ids of the model's declared bugs that this violation, found in `scenario`, shows. */
export function matchKnown(model: AnyModel, scenario: string, v: Violation): string[] {
  const out: string[] = [];
  for (const b of model.expectedBugs ?? []) {
    if (b.scenario === scenario && b.kinds.includes(v.kind) && (b.match === undefined || `${v.title} ${v.message}`.includes(b.match))) out.push(b.id);
  }
  return out;
}

export interface KnownBug {
  readonly model: string;
  readonly id: string;
  readonly scenario: string;
  /** Signature of the finding assigned to it (one no other known bug is assigned), or null when none shows it. */
  readonly found: string | null;
  /** Every signature whose occurrences showed it. */
  readonly seen: readonly string[];
  /** True when every signature that shows it is assigned to another known bug (`found` is then one of those). */
  readonly shared: boolean;
}

/** A maximum matching of `left` items to distinct `right` choices (Kuhn's algorithm). */
export function matchDistinct(choices: readonly (readonly string[])[]): (string | null)[] {
  const owner = new Map<string, number>();
  const assign = (i: number, seen: Set<string>): boolean => {
    for (const c of choices[i] ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      const o = owner.get(c);
      if (o === undefined || assign(o, seen)) {
        owner.set(c, i);
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < choices.length; i++) assign(i, new Set());
  const out: (string | null)[] = choices.map(() => null);
  for (const [c, i] of owner) out[i] = c;
  return out;
}

export function knownBugs(models: readonly AnyModel[], records: readonly FindingRecord[]): KnownBug[] {
  const out: KnownBug[] = [];
  for (const m of models) {
    const bugs = m.expectedBugs ?? [];
    const seen = bugs.map((b) => records.filter((r) => r.model === m.name && (r.known ?? []).includes(b.id)).map((r) => r.signature));
    const match = matchDistinct(seen);
    bugs.forEach((b, i) => {
      const own = match[i] ?? null;
      const mine = seen[i] ?? [];
      out.push({ model: m.name, id: b.id, scenario: b.scenario, found: own ?? mine[0] ?? null, seen: mine, shared: own === null && mine.length > 0 });
    });
  }
  return out;
}
