/**
 * Which of the selected models' known bugs (`expectedBugs` of the posted variants) a campaign has
 * found. Workers check every violation as they find it (the bug's scenario, one of its kinds, and
 * its `match` text in the title or message, as the model suites do) and the finding record keeps
 * the ids it showed, so a signature that groups occurrences from several scenarios loses none. The summary lists the result, so `npm run fuzz` shows at a glance whether every
 * known posted bug was found within the budget.
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
  /** Signature of the finding that shows it, or null when none does. */
  readonly found: string | null;
}

export function knownBugs(models: readonly AnyModel[], records: readonly FindingRecord[]): KnownBug[] {
  const out: KnownBug[] = [];
  for (const m of models) {
    for (const b of m.expectedBugs ?? []) {
      const hit = records.find((r) => r.model === m.name && (r.known ?? []).includes(b.id));
      out.push({ model: m.name, id: b.id, scenario: b.scenario, found: hit ? hit.signature : null });
    }
  }
  return out;
}
