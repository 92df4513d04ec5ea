/**
 * `mapcheck fuzz --coverage`: run the same campaign again as a child process under c8 (V8's
 * built-in coverage, which also records worker threads) and write line and branch coverage of the
 * code of the models the campaign ran to `<out>/coverage/` (text summary on stdout,
 * `coverage-summary.json`, and an HTML tree). A kernel developer reads it to see which error paths
 * of a model no interleaving or injected fault ever reached. The compiled models carry source maps,
 * so the figures are per TypeScript line of models/.
 *
 * Only the models that ran count: the campaign's process loads every model (the registry imports
 * them all), so a file of an unselected model would show its load-time lines as covered and every
 * function body as missed. Pass 1 records raw coverage restricted to the selected models' design
 * folders (`models/<design>/`); pass 2 keeps the files in which some function ran beyond loading
 * the module, and `c8 report` writes the reports over exactly those.
 * Leaves out: coverage of the engine and strategies (use `npm run coverage` for the test suite),
 * and telling apart two variants that share one file (a design's shared code counts for both).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
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

function run(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, quiet: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 3)));
  });
}

interface IstanbulFile {
  readonly fnMap: Readonly<Record<string, { readonly name: string; readonly decl: { readonly start: { readonly line: number } } }>>;
  readonly f: Readonly<Record<string, number>>;
}

/**
 * Files in which a function ran beyond the module's own top level. V8 reports the module body as a
 * function too (its range starts at line 1 or has no name), so a file that was only imported shows
 * exactly that one as called.
 */
export function filesThatRan(coverage: Readonly<Record<string, IstanbulFile>>): string[] {
  return Object.entries(coverage).filter(([, f]) => Object.entries(f.f).some(([k, n]) => {
    const fn = f.fnMap[k];
    return n > 0 && fn !== undefined && fn.name !== '(empty-report)' && !(fn.name === '' && fn.decl.start.line <= 1);
  })).map(([p]) => p);
}

/** Re-run `mapcheck fuzz <args>` (without --coverage) under c8 over `designs` (model folders); resolves to its exit code. */
export async function runUnderC8(args: readonly string[], outDir: string, cwd: string, designs: readonly string[]): Promise<number> {
  const root = projectRoot();
  const c8 = c8Bin();
  const covDir = join(outDir, 'coverage');
  const temp = join(covDir, '.v8');
  const raw = join(covDir, '.raw');
  const include = designs.map((d) => `--include=models/${d}/**`);
  const code = await run([
    c8, '--reporter=json', `--report-dir=${raw}`, `--temp-directory=${temp}`, ...include, '--exclude=**/index.ts', '--exclude-after-remap',
    process.execPath, join(root, 'bin', 'mapcheck.js'), 'fuzz', ...args, '--out', outDir,
  ], root, { ...process.env, MAPCHECK_FUZZ_CWD: cwd }, false);
  const final = join(raw, 'coverage-final.json');
  if (!existsSync(final)) return code;
  const ran = filesThatRan(JSON.parse(readFileSync(final, 'utf8')) as Record<string, IstanbulFile>);
  const files = ran.length ? ran.map((f) => `--include=${relative(root, f)}`) : include;
  await run([
    c8, 'report', '--reporter=text-summary', '--reporter=json-summary', '--reporter=html', '--reporter=text', `--report-dir=${covDir}`,
    `--temp-directory=${temp}`, ...files, '--exclude=**/index.ts', '--exclude-after-remap',
  ], root, process.env, false);
  rmSync(raw, { recursive: true, force: true });
  return code;
}
