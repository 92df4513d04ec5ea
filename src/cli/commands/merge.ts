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

export const mergeCommand: Command = {
  name: 'merge',
  usage: 'merge <dir>… [--out dir] [--json]',
  summary: 'merge campaign (shard) directories, deduplicating findings',
  flags: {
    out: { type: 'string', help: 'merged campaign directory (default reports/merged-<timestamp>/)' },
    json: { type: 'bool', help: 'print the merged summary.json' },
  },
  run(args, io) {
    const abs = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
    const out = abs(str(args.flags, 'out') ?? join('reports', `merged-${stamp}`));
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
