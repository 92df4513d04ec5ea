/**
 * vitest global setup: compile the project (incrementally) before the suites run, so tests that
 * exercise the real CLI (`node bin/mapcheck.js ...`, worker threads) run the current source, not a
 * stale dist/. A type error fails the whole run here with tsc's own message.
 * Leaves out: nothing else; suites import the TypeScript source directly.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
