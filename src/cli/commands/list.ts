/**
 * `mapcheck list [--load file] [--json] [--markdown]`: every model with its scenarios, seed, the
 * bugs it is known to have (posted variants) and the proofs it states (fixed variants), each proof
 * with its bound: threads and sessions of its scenario, DPOR or the DFS preemption bound, the
 * executions it took when measured, and its tier (proof-listing.ts); with `--load <file>` the
 * user's models first. Scripts read the JSON: `{ models: [{ name, description, seed, scenarios,
 * defaultScenario, expectedBugs, provedScenarios, proofs: [{ scenario, threads, sessions,
 * preemptionBound, executions, strategy, tier }], source }] }` (null where not applicable;
 * `source`: the --load file a model came from). `--markdown` prints the proofs table the README
 * carries (a test keeps the two in step).
 * Leaves out: running the proofs (`mapcheck prove`).
 */
import { displayPath } from '../../engine/origin.js';
import { bool } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';
import { describeFromFlags } from '../describe.js';
import { LOAD_FLAG, everyInfo, loadedFrom } from '../load.js';
import { isRunnable } from '../model-info.js';
import { proofBound, proofListings, proofsMarkdown } from '../proof-listing.js';

export const listCommand: Command = {
  name: 'list',
  usage: 'list [--load file] [--json] [--markdown]',
  summary: 'list the models, their scenarios, known bugs and proofs with their bounds',
  flags: {
    json: { type: 'bool', help: 'print JSON' },
    markdown: { type: 'bool', help: "print the README's table of proofs" },
    load: LOAD_FLAG,
  },
  async run(args, io) {
    if (bool(args.flags, 'markdown')) {
      io.out(proofsMarkdown());
      return EXIT_OK;
    }
    await describeFromFlags(args.flags, io.cwd); // imported in a sandbox worker: only the data comes back
    const rows = everyInfo().map((m) => ({
      name: m.name,
      description: m.description ?? '',
      seed: m.seed ?? null,
      scenarios: Object.keys(m.scenarios),
      defaultScenario: m.defaultScenario,
      expectedBugs: (m.expectedBugs ?? []).map((b) => ({ id: b.id, scenario: b.scenario, kinds: b.kinds, description: b.description })),
      provedScenarios: m.provedScenarios ?? [],
      proofs: isRunnable(m) ? proofListings(m) : [...(m.proofListings ?? [])],
      source: loadedFrom(m.name) ?? null,
    }));
    if (bool(args.flags, 'json')) {
      io.out(JSON.stringify({ models: rows }, null, 2));
      return EXIT_OK;
    }
    const w = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
      const bugs = r.expectedBugs.length ? `  bugs: ${r.expectedBugs.map((b) => b.id).join(', ')}` : '';
      io.out(`${r.name.padEnd(w)}  ${r.description}${r.source !== null ? `${r.description ? ' ' : ''}(from ${displayPath(r.source, io.cwd)})` : ''}`);
      io.out(`${''.padEnd(w)}  scenarios: ${r.scenarios.join(', ')} (default ${r.defaultScenario})${bugs}`);
      for (const p of r.proofs) io.out(`${''.padEnd(w)}  proof: ${p.scenario} (${proofBound(p)})${p.tier === 'prove' ? ' [npm run prove]' : ''}`);
    }
    return EXIT_OK;
  },
};
