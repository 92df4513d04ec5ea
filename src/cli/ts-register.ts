/**
 * Turning on TypeScript for `--load`, once per thread (the check and campaign workers load the
 * user's module again in their own thread, and module hooks are per thread in Node 20): find the
 * `typescript` package — the user's project's first (resolved from the loaded file), else the one
 * next to mapcheck — turn on source maps for stack traces, and register ts-hooks.ts.
 * Why the user's own `typescript` and not a bundled loader: the project that writes TypeScript
 * models already has it (its editor and `tsc` need it), it is the compiler version they chose, and
 * mapcheck then adds no dependency. Without it, one line says what to install.
 * Leaves out: the transpiling itself (ts-hooks.ts).
 */
import { register } from 'node:module';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../engine/violation.js';

let enabled = false;

/** Where `typescript` resolves from `file` (the user's project) or from mapcheck itself; null when nowhere. */
export function findTypeScript(file: string): string | null {
  for (const from of [file, import.meta.url]) {
    try {
      return createRequire(from).resolve('typescript');
    } catch {
      // not installed there
    }
  }
  return null;
}

/** Make `import()` of `.ts` / `.mts` files work in this thread (idempotent). */
export function enableTypeScript(file: string, shown = `--load ${file}`): void {
  if (enabled) return;
  if (/\.cts$/.test(file)) throw new UsageError(`${shown}: CommonJS TypeScript (.cts) is not supported: use .ts or .mts (an ES module)`);
  const ts = findTypeScript(file);
  if (ts === null) {
    throw new UsageError(`${shown}: a TypeScript model needs the 'typescript' package in your project (npm install --save-dev typescript), or compile it to .js first`);
  }
  process.setSourceMapsEnabled(true);
  register(new URL('./ts-hooks.js', import.meta.url), { data: { typescript: pathToFileURL(ts).href } });
  enabled = true;
}
