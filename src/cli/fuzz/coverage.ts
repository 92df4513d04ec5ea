/**
 * `mapcheck fuzz --coverage`: run the same campaign again as a child process under c8 (V8's
 * built-in coverage, which also records worker threads), restricted to the model code, and write
 * line and branch coverage to `<out>/coverage/` (text summary on stdout, `coverage-summary.json`,
 * and an HTML tree). A kernel developer reads it to see which error paths of a model no
 * interleaving or injected fault ever reached. The compiled models carry source maps, so the
 * figures are per TypeScript line of models/.
 * Leaves out: coverage of the engine and strategies (use `npm run coverage` for the test suite).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../engine/violation.js';

/** Project root (two levels above dist/src/cli/fuzz). */
function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

function c8Bin(): string {
  try {
    const req = createRequire(join(projectRoot(), 'package.json'));
    return join(dirname(req.resolve('c8/package.json')), 'bin', 'c8.js');
  } catch {
    throw new UsageError('--coverage needs c8: run npm ci (c8 is a devDependency)');
  }
}

/** Re-run `mapcheck fuzz <args>` (without --coverage) under c8; resolves to its exit code. */
export function runUnderC8(args: readonly string[], outDir: string, cwd: string): Promise<number> {
  const root = projectRoot();
  const c8 = c8Bin();
  const argv = [
    c8, '--reporter=text-summary', '--reporter=json-summary', '--reporter=html', '--reporter=text',
    `--report-dir=${join(outDir, 'coverage')}`, `--temp-directory=${join(outDir, 'coverage', '.v8')}`,
    '--include=models/**', '--exclude=**/index.ts', '--exclude-after-remap',
    process.execPath, join(root, 'bin', 'mapcheck.js'), 'fuzz', ...args, '--out', outDir,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, MAPCHECK_FUZZ_CWD: cwd } });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 3)));
  });
}
