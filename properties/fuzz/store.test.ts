/**
 * The findings store: simultaneous findings of one bug (as several workers report them) end up as
 * one record on disk with the summed count and the smallest counterexample; distinct signatures get
 * distinct records; no temporary file is left behind; a smaller counterexample brings its own title,
 * message and scenario along (the record always describes its token); a hand-edited or older record
 * is refused with one line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FindingMsg } from '../../src/cli/fuzz/messages.js';
import { FindingsStore, readFindings } from '../../src/cli/fuzz/store.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function msg(sig: string, steps: number, preemptions = 0, known: string[] = []): FindingMsg {
  return {
    known,
    type: 'finding', signature: sig, model: 'litmus/abba', scenario: 'default', strategy: 'random', seed: steps, kind: 'deadlock',
    title: `t${steps}`, message: `m${steps}`, parts: { where: [`f${steps}`], allocated: '', freed: '', what: '' }, bug: `deadlock in f${steps}`,
    token: `mc1.tok${steps}`, steps, preemptions,
  };
}

describe('findings store', () => {
  it('writes each signature once, keeping the smallest counterexample and the total count', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 50 })), { minLength: 1, maxLength: 40 }), async (items) => {
      const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
      dirs.push(dir);
      const store = new FindingsStore(dir, join(dir, 'corpus'), () => 0);
      await Promise.all(items.map(([sig, steps]) => store.add(msg(`deadlock-0000000${sig}`, steps))));
      await store.flush();
      const onDisk = readFindings(dir);
      const sigs = new Set(items.map(([s]) => `deadlock-0000000${s}`));
      expect(onDisk.map((r) => r.signature).sort()).toEqual([...sigs].sort());
      for (const r of onDisk) {
        const mine = items.filter(([s]) => `deadlock-0000000${s}` === r.signature);
        expect(r.count).toBe(mine.length);
        expect(r.steps).toBe(Math.min(...mine.map(([, st]) => st)));
        expect(r.token).toBe(`mc1.tok${r.steps}`);
      }
      expect(readdirSync(join(dir, 'findings')).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(readdirSync(join(dir, 'corpus', 'litmus', 'abba')).sort()).toEqual([...sigs].map((s) => `${s}.json`).sort());
      expect(store.fresh.size).toBe(sigs.size);
    }), { numRuns: 25 });
  });

  it('keeps every scenario and declared-bug id its occurrences showed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
    dirs.push(dir);
    const store = new FindingsStore(dir, join(dir, 'corpus'), () => 0);
    await store.add(msg('deadlock-000000ff', 9, 0, ['a']));
    await store.add({ ...msg('deadlock-000000ff', 12, 0, ['b']), scenario: 'other' });
    await store.add(msg('deadlock-000000ff', 5, 0, ['a']));
    await store.flush();
    const [r] = readFindings(dir);
    expect(r?.known?.sort()).toEqual(['a', 'b']);
    expect(r?.scenarios?.sort()).toEqual(['default', 'other']);
    expect(r?.steps).toBe(5);
  });

  it('adds repeat counts and keeps them after a flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
    dirs.push(dir);
    const store = new FindingsStore(dir, join(dir, 'corpus'), () => 1.5);
    await store.add(msg('deadlock-0000000f', 9));
    await store.addRepeats('deadlock-0000000f', 41);
    await store.addRepeats('deadlock-unknown', 3);
    await store.flush();
    const r = JSON.parse(readFileSync(join(dir, 'findings', 'deadlock-0000000f.json'), 'utf8')) as { count: number; first_found_s: number };
    expect(r.count).toBe(42);
    expect(r.first_found_s).toBe(1.5);
    expect(readFindings(dir).length).toBe(1);
  });

  it('a smaller counterexample replaces title, message, scenario and parts with its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
    dirs.push(dir);
    const store = new FindingsStore(dir, join(dir, 'corpus'), () => 0);
    expect(await store.add(msg('deadlock-0000abcd', 9))).toBe('new');
    expect(await store.add({ ...msg('deadlock-0000abcd', 4), scenario: 'other' })).toBe('smaller');
    expect(await store.add(msg('deadlock-0000abcd', 7))).toBe('repeat');
    await store.flush();
    const [r] = readFindings(dir);
    expect(r).toMatchObject({ token: 'mc1.tok4', title: 't4', message: 'm4', scenario: 'other', bug: 'deadlock in f4', where: ['f4'], count: 3 });
  });

  it('refuses a record edited by hand, filed under another name, or of an older signature scheme, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
    dirs.push(dir);
    const store = new FindingsStore(dir, join(dir, 'corpus'), () => 0);
    await store.add(msg('deadlock-0000abcd', 9));
    const path = join(dir, 'findings', 'deadlock-0000abcd.json');
    const good = readFileSync(path, 'utf8');
    const put = (o: object): void => writeFileSync(path, JSON.stringify(o));
    const rec = JSON.parse(good) as Record<string, unknown>;
    put({ ...rec, count: 'many' });
    expect(() => readFindings(dir)).toThrow(/deadlock-0000abcd\.json is corrupt: its "count" is not a number/);
    put({ ...rec, signature: 'deadlock-0000abce' });
    expect(() => readFindings(dir)).toThrow(/holds signature deadlock-0000abce/);
    put({ ...rec, kind: 'data-race' });
    expect(() => readFindings(dir)).toThrow(/does not start with its kind/);
    const { scheme: _drop, ...old } = rec;
    put(old);
    expect(() => readFindings(dir)).toThrow(/uses signature scheme 1 of an older mapcheck .*'mapcheck merge' it/);
    expect(readFindings(dir, true)).toHaveLength(1);
    writeFileSync(path, good);
    expect(readFindings(dir)).toHaveLength(1);
  });
});
