/**
 * vitest global setup: compile the project (incrementally) before the suites run, so tests that
 * exercise the real CLI (`node bin/mapcheck.js ...`, worker threads) run the current source, not a
 * stale dist/. tsc still emits when it finds type errors, so a type error only warns here;
 * `npm test` runs the strict `tsc --noEmit` before vitest and fails on it.
 * Leaves out: nothing else; suites import the TypeScript source directly.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? '';
    process.stderr.write(`build: tsc reported errors (dist/ was still emitted):\n${out.split('\n').slice(0, 10).join('\n')}\n`);
  }
}
