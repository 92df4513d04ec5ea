/**
 * `mapcheck replay <token> [--lenient] [--json] [--trace]`: re-run a recorded schedule. Exit 1 when
 * the violation reproduces, 0 when the execution now passes, 2 on a bad token (malformed, corrupt,
 * for an unknown model or another version of it). The JSON has the same shape as `check --json`.
 * Leaves out: rendering a full report (`mapcheck report` does that).
 */
import { describeTrace, replay } from '../../check.js';
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { bool, str } from '../args.js';
import { MEMORY_MODELS, type MemoryModelName } from '../../engine/exec-types.js';
import { type Command, EXIT_FOUND, EXIT_OK } from '../command.js';
import { type ResultJson, resolveModel, resultText } from '../resolve.js';

export const replayCommand: Command = {
  name: 'replay',
  usage: 'replay <token> [--lenient] [--trace] [--memory-model sc|lkmm] [--json]',
  summary: 'replay a token; exit 1 when its violation reproduces',
  flags: {
    lenient: { type: 'bool', help: 'fall back to a deterministic choice where a recorded step is not enabled' },
    trace: { type: 'bool', help: 'print every op of the execution' },
    json: { type: 'bool', help: 'print one JSON object' },
    'memory-model': { type: { oneOf: MEMORY_MODELS }, help: 'refuse the token unless it was recorded under this memory model (sc|lkmm)' },
  },
  run(args, io) {
    const [token, extra] = args.positional;
    if (token === undefined) throw new UsageError('replay: give the token printed by check (mc1.…)');
    if (extra !== undefined) throw new UsageError(`replay: unexpected argument '${extra.slice(0, 20)}'`);
    const s = decodeToken(token);
    const model = resolveModel(s.model);
    const t0 = Date.now();
    const mm = str(args.flags, 'memory-model') as MemoryModelName | undefined;
    const r = replay(model, s, bool(args.flags, 'lenient') ? 'lenient' : 'strict', mm);
    const v = r.violation;
    const j: ResultJson = {
      model: model.name, scenario: s.scenario, strategy: s.strategy, seed: s.seed, executions: 1, steps: r.exec.steps,
      exhaustive: false, within: null, elapsed_ms: Date.now() - t0,
      violation: v ? { kind: v.kind, title: v.title, message: v.message, threads: v.threads, step: v.step } : null,
      token: token.trim(), preemptions: r.exec.preemptions, stats: { deviations: r.deviations },
    };
    if (bool(args.flags, 'json')) {
      io.out(JSON.stringify(bool(args.flags, 'trace') ? { ...j, trace: describeTrace(r) } : j));
    } else {
      io.out(resultText(j));
      if (bool(args.flags, 'trace')) for (const line of describeTrace(r)) io.out(`    ${line}`);
    }
    return v ? EXIT_FOUND : EXIT_OK;
  },
};
