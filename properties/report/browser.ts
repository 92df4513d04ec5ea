/**
 * The headless browser the HTML report tests run in, found the way a fresh machine can: by default
 * the Chromium that the npm package `@sparticuz/chromium` (pinned to 147.0.0, the last release for
 * Node 20) ships inside itself, unpacked into a directory of this run's own (its
 * `executablePath()` unpacks into `$TMPDIR`, so TMPDIR points at a fresh directory while it runs),
 * with the NSS/expat libraries the package also ships (built for Amazon Linux 2023, glibc 2.34,
 * so they load on Debian 12) on LD_LIBRARY_PATH and its font directory in a fontconfig file of
 * our own, so nothing from the system is needed. A system Chromium is used only when
 * `MAPCHECK_CHROMIUM` names one (e.g. `MAPCHECK_CHROMIUM=/usr/bin/chromium`). Which browser ran is
 * printed, and the directory is removed by `close()`.
 * Leaves out: other browsers (the report is plain HTML + SVG; one engine is enough for the checks).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { type BrowserContext, chromium } from 'playwright-core';

/** Flags for a root user on a machine with no network (see the env notes on Chromium). */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

export interface Browser {
  readonly context: BrowserContext;
  /** One line: which browser this is and where it came from. */
  readonly description: string;
  close(): Promise<void>;
}

/** The package's own directory (its exports hide bin/, so resolve the entry and walk up). */
function packageDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
}

/** Unpack the package's Chromium, libraries and fonts into `dir`; returns the environment it needs. */
async function unpackSparticuz(dir: string): Promise<{ exe: string; env: Record<string, string> }> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  let exe: string;
  try {
    exe = await sparticuz.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  if (!exe.startsWith(dir)) throw new Error(`@sparticuz/chromium unpacked into ${exe}, not into this run's ${dir}`);
  // Its shared libraries are unpacked by the package only on Amazon Linux: do it here, everywhere.
  const libs = join(dir, 'al2023');
  const tar = brotliDecompressSync(readFileSync(join(packageDir(), 'bin', 'al2023.tar.br')));
  execFileSync('mkdir', ['-p', libs]);
  execFileSync('tar', ['-x', '-C', libs], { input: tar });
  const fontsConf = join(dir, 'fonts.conf');
  writeFileSync(fontsConf, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${join(dir, 'fonts')}</dir><dir>/usr/share/fonts</dir><cachedir>${join(dir, 'fonts-cache')}</cachedir></fontconfig>\n`);
  const ld = [join(libs, 'lib'), process.env.LD_LIBRARY_PATH].filter((x): x is string => typeof x === 'string' && x !== '').join(':');
  return { exe, env: { LD_LIBRARY_PATH: ld, FONTCONFIG_FILE: fontsConf } };
}

/** Launch the browser with a fresh profile (Chromium's --user-data-dir) in this run's directory. */
export async function launchBrowser(viewport: { width: number; height: number }): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'mapcheck-browser-'));
  const system = process.env.MAPCHECK_CHROMIUM;
  try {
    let exe: string;
    let env: Record<string, string> = {};
    let source: string;
    if (system !== undefined && system !== '') {
      if (!existsSync(system)) throw new Error(`MAPCHECK_CHROMIUM=${system}: no such file (unset it to use @sparticuz/chromium)`);
      exe = system;
      source = `system Chromium ${system} (MAPCHECK_CHROMIUM)`;
    } else {
      ({ exe, env } = await unpackSparticuz(dir));
      source = `@sparticuz/chromium ${JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')).version as string} unpacked in ${dir}`;
    }
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: exe, headless: true, viewport, args: FLAGS, env: { ...process.env as Record<string, string>, ...env },
    });
    // A persistent context has no Browser object: ask the page for the user agent.
    const page = await context.newPage();
    const version = context.browser()?.version() ?? await page.evaluate('navigator.userAgent') as string;
    await page.close();
    const description = `${source}: ${version}`;
    process.stdout.write(`html report test: browser = ${description}\n`);
    return {
      context, description,
      async close() {
        await context.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
