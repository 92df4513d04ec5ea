/**
 * `mapcheck list [--json]`: every model with its scenarios, seed, and (for posted variants) the
 * bugs it is known to have; with `--load <file>` the user's models first. Scripts read the JSON:
 * `{ models: [{ name, description, seed, scenarios, defaultScenario, expectedBugs, provedScenarios,
 * source }] }` (`source`: the --load file a model came from, null for built-in ones).
 * Leaves out: nothing.
 */
import { displayPath } from '../../engine/origin.js';
import { bool } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';
import { describeFromFlags } from '../describe.js';
import { LOAD_FLAG, everyInfo, loadedFrom } from '../load.js';

export const listCommand: Command = {
  name: 'list',
  usage: 'list [--load file] [--json]',
  summary: 'list the models, their scenarios and known bugs',
  flags: { json: { type: 'bool', help: 'print JSON' }, load: LOAD_FLAG },
  async run(args, io) {
    await describeFromFlags(args.flags, io.cwd); // imported in a sandbox worker: only the data comes back
    const rows = everyInfo().map((m) => ({
      name: m.name,
      description: m.description ?? '',
      seed: m.seed ?? null,
      scenarios: Object.keys(m.scenarios),
      defaultScenario: m.defaultScenario,
      expectedBugs: (m.expectedBugs ?? []).map((b) => ({ id: b.id, scenario: b.scenario, kinds: b.kinds, description: b.description })),
      provedScenarios: m.provedScenarios ?? [],
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
    }
    return EXIT_OK;
  },
};
