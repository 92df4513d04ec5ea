/**
 * The proofs a model states (ModelDef.proofs), as listings show them: scenario, threads and
 * sessions (the model's scenarioShape), DPOR or the DFS preemption bound, measured executions, and
 * tier; and the README's proofs table built from them (`mapcheck list --markdown`).
 * Leaves out: running the proofs (`mapcheck prove`).
 */
import { allModels } from '../../models/index.js';
import { type AnyModel, proofsOf, scenarioParams } from '../index.js';

/** One proof as listings show it. */
export interface ProofListing {
  readonly scenario: string;
  readonly threads: number | null;
  readonly sessions: number | null;
  /** DFS: the preemption bound; DPOR (exhaustive): null. */
  readonly preemptionBound: number | null;
  readonly executions: number | null;
  readonly strategy: 'dpor' | 'dpor-fold' | 'dfs';
  readonly tier: 'ci' | 'prove';
}

export function proofListings(m: AnyModel): ProofListing[] {
  return proofsOf(m).map((p) => {
    const shape = m.scenarioShape ? m.scenarioShape(scenarioParams(m, p.scenario).params) : null;
    const strategy = p.strategy ?? 'dpor';
    return {
      scenario: p.scenario, threads: shape?.threads ?? null, sessions: shape?.sessions ?? null,
      preemptionBound: strategy === 'dfs' ? (p.preemptionBound ?? 0) : null, executions: p.executions ?? null, strategy, tier: p.tier ?? 'ci',
    };
  });
}

/** `3 thr x 2 sess, DFS pb 1, 498 exec` */
export function proofBound(p: ProofListing): string {
  const shape = p.threads === null ? '' : `${p.threads} thr${p.sessions === null ? '' : ` x ${p.sessions} sess`}, `;
  const how = p.preemptionBound === null ? 'DPOR' : `DFS pb ${p.preemptionBound}`;
  return `${shape}${how}${p.executions === null ? '' : `, ${p.executions} exec`}`;
}

/** The README's proofs table: one row per model with proofs, each proof with its bound and tier. */
export function proofsMarkdown(models: readonly AnyModel[] = allModels): string {
  const lines = ['| model | proofs (scenario: threads x sessions per thread, DPOR exhaustive or DFS preemption bound, executions) [tier] |', '|---|---|'];
  for (const m of models) {
    const ps = proofListings(m);
    if (ps.length === 0) continue;
    lines.push(`| \`${m.name}\` | ${ps.map((p) => `${p.scenario}: ${proofBound(p)}${p.tier === 'prove' ? ' [prove]' : ''}`).join('; ')} |`);
  }
  return lines.join('\n');
}

