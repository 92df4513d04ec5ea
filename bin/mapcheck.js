#!/usr/bin/env node
// mapcheck CLI launcher: runs the compiled entry point. The published package ships dist/ (npm pack
// builds it in `prepack`); in a clone of the repository, `npm run build` makes it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(`mapcheck: not built yet: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
const { main } = await import(entry.href);
process.exit(await main(process.argv.slice(2)));
