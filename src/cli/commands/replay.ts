/**
 * `mapcheck replay <token> [--lenient] [--json] [--trace]`: re-run a recorded schedule. Exit 1 when
 * the violation reproduces, 0 when the execution now passes, 2 on a bad token (malformed, corrupt,
 * for an unknown model or another version of it). The JSON has the same shape as `check --json`.
 * The model runs in the sandbox (sandbox.ts): a token that makes it loop or allocate without bound
 * is exit 2 with one line, and its scenario is checked against the model's params schema first.
 * Leaves out: rendering a full report (`mapcheck report` does that).
 */
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { bool, str } from '../args.js';
import { MEMORY_MODELS, type MemoryModelName } from '../../engine/exec-types.js';
import { type Command, EXIT_FOUND, EXIT_OK } from '../command.js';
import { resultText } from '../resolve.js';
import { SANDBOX_FLAGS, runSandboxed, sandboxOptions } from '../sandbox.js';

export const replayCommand: Command = {
  name: 'replay',
  usage: 'replay <token> [--load file] [--lenient] [--trace] [--memory-model sc|lkmm] [--json]',
  summary: 'replay a token; exit 1 when its violation reproduces',
  flags: {
    lenient: { type: 'bool', help: 'fall back to a deterministic choice where a recorded step is not enabled' },
    trace: { type: 'bool', help: 'print every op of the execution' },
    json: { type: 'bool', help: 'print one JSON object' },
    'memory-model': { type: { oneOf: MEMORY_MODELS }, help: 'refuse the token unless it was recorded under this memory model (sc|lkmm)' },
    ...SANDBOX_FLAGS,
  },
  async run(args, io) {
    const [token, extra] = args.positional;
    if (token === undefined) throw new UsageError('replay: give the token printed by check (mc1.…)');
    if (extra !== undefined) throw new UsageError(`replay: unexpected argument '${extra.slice(0, 20)}'`);
    const s = decodeToken(token); // a malformed token is refused here, before any worker starts
    const trace = bool(args.flags, 'trace');
    const opts = sandboxOptions(args.flags, io.cwd, `model '${s.model}'`);
    const mm = str(args.flags, 'memory-model') as MemoryModelName | undefined;
    const { json: j, trace: lines } = await runSandboxed({ kind: 'replay', token, lenient: bool(args.flags, 'lenient'), trace, ...(mm !== undefined ? { memoryModel: mm } : {}) }, opts);
    const v = j.violation;
    if (bool(args.flags, 'json')) {
      io.out(JSON.stringify(trace ? { ...j, trace: lines } : j));
    } else {
      io.out(resultText(j, opts.load?.[0], true));
      if (trace) for (const line of lines) io.out(`    ${line}`);
    }
    return v ? EXIT_FOUND : EXIT_OK;
  },
};
