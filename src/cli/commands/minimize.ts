/**
 * `mapcheck minimize <token> [--json] [--time D] [--no-scenario]`: shrink a failing schedule to
 * the shortest interleaving with the fewest preemptions (and injected faults) that still shows the
 * same violation, and print the new token with before/after sizes. `--json` prints
 * `{ token, steps, preemptions, faults, before: { steps, preemptions, faults }, scenario, ... }`.
 * Exit 0 on success; 2 for a bad token, a token of another model version, or one that passes.
 * The model runs in the sandbox (sandbox.ts), like every command that runs model code.
 * Leaves out: the report (mapcheck report <token> minimizes and renders in one go).
 */
import { decodeToken } from '../../engine/token.js';
import { UsageError } from '../../engine/violation.js';
import { bool, num } from '../args.js';
import { type Command, EXIT_OK } from '../command.js';
import { SANDBOX_FLAGS, runSandboxed, sandboxOptions } from '../sandbox.js';

export const minimizeCommand: Command = {
  name: 'minimize',
  usage: 'minimize <token> [--json] [--time D] [--no-scenario]',
  summary: 'shrink a failing token: fewest steps, preemptions and injected faults',
  flags: {
    json: { type: 'bool', help: 'print one JSON object' },
    time: { type: 'duration', help: 'stop improving after this long (default 8s)' },
    'no-scenario': { type: 'bool', help: 'keep the scenario as recorded (shrink only the schedule)' },
    ...SANDBOX_FLAGS,
  },
  async run(args, io) {
    const [token, extra] = args.positional;
    if (token === undefined) throw new UsageError('minimize: give the token printed by check (mc1.…)');
    if (extra !== undefined) throw new UsageError(`minimize: unexpected argument '${extra.slice(0, 20)}'`);
    const s = decodeToken(token); // a malformed token is refused before any worker starts
    const time = num(args.flags, 'time');
    const json = bool(args.flags, 'json');
    const r = await runSandboxed({ kind: 'minimize', token: token.trim(), scenario: !bool(args.flags, 'no-scenario'), ...(time !== undefined ? { timeMs: time } : {}) },
      sandboxOptions(args.flags, io.cwd, `model '${s.model}'`));
    if (json) {
      io.out(JSON.stringify({
        token: r.token, steps: r.steps, preemptions: r.preemptions, faults: r.faults,
        before: { steps: r.before.steps, preemptions: r.before.preemptions, faults: r.before.faults },
        scenario: r.scenario, violation: { kind: r.violation.kind, title: r.violation.title }, runs: r.runs, elapsed_ms: r.elapsedMs,
        fixed_point: r.fixedPoint,
      }));
    } else {
      io.out(`${s.model}: ${r.violation.title}`);
      io.out(`  before: ${r.before.steps} steps, ${r.before.preemptions} preemptions, ${r.before.faults} injected faults`);
      io.out(`  after:  ${r.steps} steps, ${r.preemptions} preemptions, ${r.faults} injected faults${r.scenarioShrunk ? `  scenario ${r.scenario}` : ''}`);
      io.out(`  (${r.runs} executions, ${r.elapsedMs} ms; ${r.fixedPoint ? 'fixed point reached' : 'stopped before the fixed point: the time budget ran out (raise --time)'})`);
      io.out(`  replay: npx mapcheck replay ${r.token}`);
    }
    return EXIT_OK;
  },
};
