/**
 * The HTML report in a real headless Chromium (Debian package `chromium`, driven by playwright-core):
 * the timeline lanes, op boxes, preemption marks and the highlighted violating op are drawn, the
 * table has one column per thread and one row per step, clicking a box shows its details, nothing
 * is fetched from anywhere, and hostile model strings neither run script nor inject elements.
 * A screenshot is written to .tmp/report-html.png for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abba, lostUpdate } from '../../models/litmus/classic.js';
import { type AnyModel, check } from '../../src/index.js';
import { buildReport, renderHtml, type Report } from '../../src/report/index.js';
import { minimize } from '../../src/shrink/index.js';
import { failingToken } from '../shrink/fixtures.js';
import { hostile } from './hostile.js';
import { longTrace } from './kernel-models.js';

const CHROMIUM = '/usr/bin/chromium';
const dir = resolve(__dirname, '../../.tmp/report-html');
let browser: BrowserContext;
const profile = mkdtempSync(join(tmpdir(), 'mapcheck-chromium-'));

function write(name: string, r: Report): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.html`);
  writeFileSync(path, renderHtml(r));
  return pathToFileURL(path).href;
}

function minimized(model: AnyModel, seed: number, scenario?: string): Report {
  const m = minimize(model, failingToken(model, seed, scenario));
  return buildReport(model, m.token, { minimized: { from: m.before, fixedPoint: m.fixedPoint } });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  // A fresh profile directory (Chromium's --user-data-dir; playwright passes it itself).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1100, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

describe('HTML report in headless Chromium', () => {
  it('draws the lanes, op boxes, preemptions, the violating op and the table; click shows details', async () => {
    const r = minimized(lostUpdate, 4, 't3');
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = write('lost-update', r);
    await page.goto(url);
    const lanes = new Set(r.steps.map((s) => s.thread)).size;
    expect(lanes).toBe(2);
    expect(await page.locator('svg#timeline .lane').count()).toBe(lanes);
    expect(await page.locator('svg#timeline g.op').count()).toBe(r.steps.length);
    expect(await page.locator('svg#timeline line.preempt').count()).toBe(r.size.preemptions);
    expect(r.size.preemptions).toBeGreaterThan(0);
    expect(await page.locator('svg#timeline g.op.bug').count()).toBe(1);
    // The boxes really have a size on screen.
    const box = await page.locator('svg#timeline g.op').first().boundingBox();
    expect(box && box.width > 10 && box.height > 10).toBe(true);
    expect(await page.locator('#interleaving thead th').count()).toBe(1 + lanes + (r.steps.some((s) => s.changes) ? 1 : 0));
    expect(await page.locator('#interleaving tbody tr').count()).toBe(r.steps.length);
    expect(await page.locator('#interleaving tr.bug').count()).toBe(1);
    const bug = r.steps.find((s) => s.violating);
    await page.locator('svg#timeline g.op.bug').click();
    expect(await page.locator('#details').textContent()).toContain(bug?.label ?? '?');
    expect(await page.locator('#replay').textContent()).toBe(r.replay);
    await page.screenshot({ path: join(dir, '..', 'report-html.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    expect(requests).toHaveLength(1);
    await page.close();
  });

  it('draws a deadlock report (wait-for lines, no state table)', async () => {
    const r = minimized(abba, 9);
    const page = await browser.newPage();
    await page.goto(write('abba', r));
    expect(await page.locator('svg#timeline .lane').count()).toBe(2);
    expect(await page.locator('#object li').count()).toBe(2);
    expect(await page.locator('#state').count()).toBe(0);
    await page.close();
  });

  it('a long trace: the violating op is in view on load, folded runs open on a click', async () => {
    // DFS: the bug needs one thread's 40 steps before the other's (a random walk rarely gets there).
    const found = check(longTrace, { strategy: 'dfs', maxExecutions: 5000 }).finding;
    if (!found) throw new Error('test/long-trace: no finding');
    const m = minimize(longTrace, found.token);
    const r = buildReport(longTrace, m.token, { minimized: { from: m.before, fixedPoint: m.fixedPoint } });
    const page = await browser.newPage();
    await page.setViewportSize({ width: 900, height: 900 });
    await page.goto(write('long', r));
    const bug = page.locator('svg#timeline g.op.bug');
    expect(await bug.count()).toBe(1);
    const scroller = await page.locator('#timeline-scroll').boundingBox();
    const box = await bug.boundingBox();
    expect(scroller && box).toBeTruthy();
    if (scroller && box) {
      expect(box.x).toBeGreaterThanOrEqual(scroller.x);
      expect(box.x + box.width).toBeLessThanOrEqual(scroller.x + scroller.width);
    }
    expect(await page.locator('#details').textContent()).toContain('WARN_ON');
    const hidden = await page.locator('#interleaving tr.folded').count();
    expect(hidden).toBeGreaterThan(0);
    await page.locator('svg#timeline g.op.fold').first().click();
    expect(await page.locator('#interleaving tr.folded').count()).toBeLessThan(hidden);
    await page.close();
  });

  it('hostile model strings are shown as text: no script runs, no element is injected', async () => {
    const r = minimized(hostile, 1);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    await page.goto(write('hostile', r));
    await page.locator('svg#timeline g.op').first().click();
    expect(dialogs).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('h1').textContent()).toContain('<script>alert(1)</script>');
    expect(await page.locator('#details').textContent()).toContain('<img src=x');
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    await page.close();
  });
});
