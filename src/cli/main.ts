/**
 * The mapcheck command-line entry: dispatches to one command per file in commands/, turns every
 * UsageError into one line on stderr with exit code 2, and any other failure into one line with
 * exit code 3 (set MAPCHECK_DEBUG=1 for the stack). The only place that calls process.exit.
 * Leaves out: the commands' logic (commands/*.ts).
 */
import { thrownText } from '../engine/thrown.js';
import { UsageError } from '../engine/violation.js';
import { termText } from '../report/escape.js';
import { parseArgs } from './args.js';
import { type CliIO, type Command, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, processIO } from './command.js';
import { benchCommand } from './commands/bench.js';
import { checkCommand } from './commands/check.js';
import { fuzzCommand } from './commands/fuzz.js';
import { mergeCommand } from './commands/merge.js';
import { listCommand } from './commands/list.js';
import { litmusCommand } from './commands/litmus.js';
import { replayCommand } from './commands/replay.js';
import { minimizeCommand } from './commands/minimize.js';
import { proveCommand } from './commands/prove.js';
import { reportCommand } from './commands/report.js';
import './report-hook.js';

/** Every command, in the order `mapcheck --help` lists them. Add new commands here. */
export const COMMANDS: readonly Command[] = [
  listCommand,
  checkCommand,
  replayCommand,
  minimizeCommand,
  reportCommand,
  fuzzCommand,
  mergeCommand,
  litmusCommand,
  benchCommand,
  proveCommand,
];

function help(io: CliIO): void {
  io.out('mapcheck — concurrency model checker and fuzz harness for kernel memory-mapping designs\n');
  io.out('usage: mapcheck <command> [options]\n');
  for (const c of COMMANDS) io.out(`  ${c.usage.padEnd(58)} ${c.summary}`);
  io.out('\nexit codes: 0 nothing found, 1 violation found, 2 usage error, 3 internal error');
  io.out("run 'mapcheck <command> --help' for a command's options");
}

function commandHelp(c: Command, io: CliIO): void {
  io.out(`usage: mapcheck ${c.usage}\n\n${c.summary}\n`);
  for (const [k, s] of Object.entries(c.flags)) io.out(`  --${k.padEnd(22)} ${s.help}`);
}

export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version') {
    io.out('mapcheck 0.1.0');
    return EXIT_OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`mapcheck: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    commandHelp(cmd, io);
    return EXIT_OK;
  }
  try {
    const parsed = parseArgs(rest, cmd.flags, cmd.name);
    return await cmd.run(parsed, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mapcheck: ${e.message}`);
      return EXIT_USAGE;
    }
    io.err(`mapcheck: internal error in '${cmd.name}': ${thrownText(e)} (please report it; MAPCHECK_DEBUG=1 shows the stack)`);
    if (process.env.MAPCHECK_DEBUG && e instanceof Error) io.err(e.stack ?? '');
    return EXIT_INTERNAL;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(termText(`mapcheck: internal error: ${thrownText(e)}\n`));
    process.exit(EXIT_INTERNAL);
  });
}
