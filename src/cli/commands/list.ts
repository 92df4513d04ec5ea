/**
 * `mapcheck list [--json] [--markdown]`: every model with its scenarios, seed, the bugs it is
 * known to have (posted variants) and the proofs it states (fixed variants), each proof with its
 * bound: threads and sessions of its scenario, DPOR or the DFS preemption bound, the executions
 * it took when measured, and its tier. Scripts read the JSON: `{ models: [{ name, description,
 * seed, scenarios, defaultScenario, expectedBugs, provedScenarios, proofs: [{ scenario, threads,
 * sessions, preemptionBound, executions, strategy, tier }] }] }` (null where not applicable).
 * `--markdown` prints the proofs table the README carries (a test keeps the two in step).
 * Leaves out: running the proofs (`mapcheck prove`).
 */
import { allModels } from '../../../models/index.js';
import { type AnyModel, proofsOf, scenarioParams } from '../../index.js';
import { bool } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';

/** One proof as listings show it. */
export interface ProofListing {
  readonly scenario: string;
  readonly threads: number | null;
  readonly sessions: number | null;
  /** DFS: the preemption bound; DPOR (exhaustive): null. */
  readonly preemptionBound: number | null;
  readonly executions: number | null;
  readonly strategy: 'dpor' | 'dfs';
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

export const listCommand: Command = {
  name: 'list',
  usage: 'list [--json] [--markdown]',
  summary: 'list the models, their scenarios, known bugs and proofs with their bounds',
  flags: {
    json: { type: 'bool', help: 'print JSON' },
    markdown: { type: 'bool', help: "print the README's table of proofs" },
  },
  run(args, io) {
    if (bool(args.flags, 'markdown')) {
      io.out(proofsMarkdown());
      return EXIT_OK;
    }
    const rows = allModels.map((m) => ({
      name: m.name,
      description: m.description ?? '',
      seed: m.seed ?? null,
      scenarios: Object.keys(m.scenarios),
      defaultScenario: m.defaultScenario,
      expectedBugs: (m.expectedBugs ?? []).map((b) => ({ id: b.id, scenario: b.scenario, kinds: b.kinds, description: b.description })),
      provedScenarios: m.provedScenarios ?? [],
      proofs: proofListings(m),
    }));
    if (bool(args.flags, 'json')) {
      io.out(JSON.stringify({ models: rows }, null, 2));
      return EXIT_OK;
    }
    const w = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
      const bugs = r.expectedBugs.length ? `  bugs: ${r.expectedBugs.map((b) => b.id).join(', ')}` : '';
      io.out(`${r.name.padEnd(w)}  ${r.description}`);
      io.out(`${''.padEnd(w)}  scenarios: ${r.scenarios.join(', ')} (default ${r.defaultScenario})${bugs}`);
      for (const p of r.proofs) io.out(`${''.padEnd(w)}  proof: ${p.scenario} (${proofBound(p)})${p.tier === 'prove' ? ' [npm run prove]' : ''}`);
    }
    return EXIT_OK;
  },
};
