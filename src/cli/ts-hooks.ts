/**
 * Node module-customization hooks (`module.register`) that let `--load` import TypeScript: `.ts`
 * and `.mts` files are transpiled, one file at a time, with the `typescript` package the user's
 * project has (its path arrives in `initialize`), into ES modules with an inline source map, so
 * stacks (and `exception` violations) point at the TypeScript lines. A relative import written the
 * TypeScript way (`./helpers.js` for `helpers.ts`, or extensionless) from a TypeScript file is
 * resolved to the `.ts` file. A syntax error is one line: `file:line:col: error TSnnnn: message`.
 * Type errors are not checked (transpile only, as vitest and tsx do: run `tsc --noEmit` for them).
 * Leaves out: `.cts` / CommonJS output, `paths` aliases of a tsconfig, JSX.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The part of the TypeScript API used here. */
interface Ts {
  transpileModule(input: string, options: {
    fileName: string;
    reportDiagnostics: boolean;
    compilerOptions: Record<string, unknown>;
  }): { outputText: string; diagnostics?: readonly Diagnostic[] };
  flattenDiagnosticMessageText(m: unknown, newLine: string): string;
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
}

interface Diagnostic {
  readonly code: number;
  readonly start?: number;
  readonly messageText: unknown;
  readonly file?: { getLineAndCharacterOfPosition(pos: number): { line: number; character: number } };
}

interface ResolveContext { readonly parentURL?: string }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;
type NextLoad = (url: string, context: object) => Promise<{ format?: string | null; source?: unknown }>;

let ts: Ts | undefined;

export async function initialize(data: { readonly typescript: string }): Promise<void> {
  const mod = (await import(data.typescript)) as { default?: Ts } & Ts;
  ts = mod.default ?? mod;
}

const TS_FILE = /\.m?ts$/;

function isTs(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('file:') && TS_FILE.test(new URL(url).pathname);
}

/** Where a TypeScript-style relative import may point: `./a.js` -> `./a.ts`, `./a` -> `./a.ts`, `./a/index.ts`. */
function candidates(spec: string): string[] {
  if (/\.m?js$/.test(spec)) return [spec.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts')];
  if (!/\.[a-z]+$/i.test(spec)) return [`${spec}.ts`, `${spec}.mts`, `${spec}/index.ts`];
  return [];
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; format?: string | null }> {
  try {
    return await next(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !relative || !isTs(context.parentURL)) throw e;
    for (const c of candidates(specifier)) {
      try {
        return await next(c, context);
      } catch {
        // try the next spelling
      }
    }
    throw e;
  }
}

export async function load(url: string, context: object, next: NextLoad): Promise<{ format?: string | null; source?: unknown; shortCircuit?: boolean }> {
  if (!isTs(url) || ts === undefined) return next(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true,
      isolatedModules: true, esModuleInterop: true, useDefineForClassFields: true,
    },
  });
  const d = out.diagnostics?.[0];
  if (d !== undefined) {
    const at = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const where = at ? `${file}:${at.line + 1}:${at.character + 1}` : file;
    throw new SyntaxError(`${where}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
