/**
 * `mapcheck merge <dir>… [--out <dir>]`: merge the output directories of campaign shards (or of
 * several campaigns) with deduplication into one campaign directory and summary. Exit 1 when the
 * merged campaigns found any bug, 0 when none, 2 on bad input (a directory that is not a campaign,
 * a corrupt finding, an unwritable --out).
 * Leaves out: the merge itself (src/cli/fuzz/merge.ts).
 */
import { isAbsolute, join, resolve } from 'node:path';
import { bool, str } from '../args.js';
import { type Command, EXIT_FOUND, EXIT_OK } from '../command.js';
import { mergeCampaigns } from '../fuzz/merge.js';
import { readState } from '../fuzz/state.js';
import { describeFile, describeFromFlags } from '../describe.js';
import { LOAD_FLAG } from '../load.js';

export const mergeCommand: Command = {
  name: 'merge',
  usage: 'merge <dir>… [--out dir] [--json]',
  summary: 'merge campaign (shard) directories, deduplicating findings',
  flags: {
    out: { type: 'string', help: 'merged campaign directory (default reports/merged-<timestamp>/)' },
    json: { type: 'bool', help: 'print the merged summary.json' },
    load: { ...LOAD_FLAG, help: `${LOAD_FLAG.help} (default: the file the campaigns were started with)` },
  },
  async run(args, io) {
    const abs = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
    const out = abs(str(args.flags, 'out') ?? join('reports', `merged-${stamp}`));
    // Campaigns of the user's own models name their --load file: read its models' data (in a
    // sandbox worker, describe.ts) so their names resolve.
    // A directory whose state cannot be read here (an older format, not a campaign) is left to
    // mergeCampaigns, which says what is wrong with it in one line.
    if ((await describeFromFlags(args.flags, io.cwd)) === undefined && args.positional[0] !== undefined) {
      let kept: string | undefined;
      try {
        kept = readState(abs(args.positional[0])).load ?? undefined;
      } catch {
        kept = undefined;
      }
      if (kept !== undefined) await describeFile(kept);
    }
    const r = mergeCampaigns(args.positional.map(abs), out);
    if (bool(args.flags, 'json')) {
      io.out(JSON.stringify(r.summary));
    } else {
      io.out(`merged ${r.inputs} campaign(s): ${r.summary.executions} executions, ${r.summary.bugs.length} distinct bug(s), ${r.summary.coverage} fingerprints${r.resigned ? `; ${r.resigned} finding(s) of an older signature scheme re-signed (resume the merge to write their reports)` : ''}`);
      for (const b of r.summary.bugs) io.out(`  ${b.signature.padEnd(26)} ${b.model.padEnd(28)} x${b.count}`);
      io.out(`summary: ${join(out, 'summary.md')}`);
    }
    return r.summary.bugs.length > 0 ? EXIT_FOUND : EXIT_OK;
  },
};
