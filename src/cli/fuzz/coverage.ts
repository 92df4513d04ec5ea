/**
 * `mapcheck fuzz --coverage`: run the same campaign again as a child process under c8 (V8's
 * built-in coverage, which also records worker threads), restricted to the model code, and write
 * line and branch coverage to `<out>/coverage/` (text summary on stdout, `coverage-summary.json`,
 * and an HTML tree). A kernel developer reads it to see which error paths of a model no
 * interleaving or injected fault ever reached. The compiled models carry source maps, so the
 * figures are per TypeScript line of models/.
 * With `--load`, the coverage is of the user's model files instead (the loaded file's directory),
 * and c8 is looked up in the user's project first.
 * Leaves out: coverage of the engine and strategies (use `npm run coverage` for the test suite).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../engine/violation.js';

/** Project root (two levels above dist/src/cli/fuzz). */
function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** c8 from the user's project (cwd), else from mapcheck's own dependencies. */
function c8Bin(cwd: string): string {
  for (const from of [join(cwd, 'package.json'), join(projectRoot(), 'package.json')]) {
    try {
      return join(dirname(createRequire(from).resolve('c8/package.json')), 'bin', 'c8.js');
    } catch {
      // not installed there
    }
  }
  throw new UsageError('--coverage needs the c8 package: npm install --save-dev c8');
}

/** Re-run `mapcheck fuzz <args>` (without --coverage) under c8; resolves to its exit code. */
export function runUnderC8(args: readonly string[], outDir: string, cwd: string, load?: string): Promise<number> {
  const root = projectRoot();
  const c8 = c8Bin(cwd);
  const userDir = load !== undefined ? relative(cwd, dirname(load)) : undefined;
  const include = userDir === undefined ? ['--include=models/**', '--exclude=**/index.ts']
    : userDir.startsWith('..') ? ['--allowExternal', `--include=${dirname(load as string)}/**`] : [`--include=${userDir === '' ? '' : `${userDir}/`}**`, '--exclude=**/node_modules/**'];
  const argv = [
    c8, '--reporter=text-summary', '--reporter=json-summary', '--reporter=html', '--reporter=text',
    `--report-dir=${join(outDir, 'coverage')}`, `--temp-directory=${join(outDir, 'coverage', '.v8')}`,
    ...include, '--exclude-after-remap',
    process.execPath, join(root, 'bin', 'mapcheck.js'), 'fuzz', ...args, '--out', outDir,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: load !== undefined ? cwd : root, stdio: 'inherit', env: { ...process.env, MAPCHECK_FUZZ_CWD: cwd } });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 3)));
  });
}
