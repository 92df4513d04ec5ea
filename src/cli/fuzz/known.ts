/**
 * Which of the selected models' known bugs (`expectedBugs` of the posted variants) a campaign has
 * found: a bug counts as found when a finding of that model has one of its violation kinds, was
 * seen in its scenario, and (when the bug names a `match`) mentions that text in its title, message
 * or op sites. The summary lists the result, so `npm run fuzz` shows at a glance whether every
 * known posted bug was found within the budget.
 * Leaves out: bugs a model does not declare (every finding is still in the summary).
 */
import type { AnyModel } from '../../engine/model.js';
import type { FindingRecord } from './store.js';

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
      const hit = records.find((r) => r.model === m.name && b.kinds.includes(r.kind)
        && (r.scenarios ?? [r.scenario]).includes(b.scenario)
        && (b.match === undefined || [r.title, r.message, ...r.sites].join('\n').includes(b.match)));
      out.push({ model: m.name, id: b.id, scenario: b.scenario, found: hit ? hit.signature : null });
    }
  }
  return out;
}
