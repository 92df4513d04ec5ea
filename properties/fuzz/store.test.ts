/**
 * The findings store: simultaneous findings of one bug (as several workers report them) end up as
 * one record on disk with the summed count and the smallest counterexample; distinct signatures get
 * distinct records; no temporary file is left behind; signatures ignore the order of race sites.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FindingMsg } from '../../src/cli/fuzz/messages.js';
import { signatureOf, signatureParts } from '../../src/cli/fuzz/signature.js';
import { FindingsStore, readFindings } from '../../src/cli/fuzz/store.js';
import { violation } from '../../src/index.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function msg(sig: string, steps: number, preemptions = 0, known: string[] = []): FindingMsg {
  return {
    known,
    type: 'finding', signature: sig, model: 'litmus/abba', scenario: 'default', strategy: 'random', seed: steps, kind: 'deadlock',
    title: 't', message: `m${steps}`, sites: [], objectKind: '', token: `mc1.tok${steps}`, steps, preemptions,
  };
}

describe('findings store', () => {
  it('writes each signature once, keeping the smallest counterexample and the total count', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 50 })), { minLength: 1, maxLength: 40 }), async (items) => {
      const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
      dirs.push(dir);
      const store = new FindingsStore(dir, join(dir, 'corpus'), () => 0);
      await Promise.all(items.map(([sig, steps]) => store.add(msg(`deadlock-${sig}`, steps))));
      await store.flush();
      const onDisk = readFindings(dir);
      const sigs = new Set(items.map(([s]) => `deadlock-${s}`));
      expect(onDisk.map((r) => r.signature).sort()).toEqual([...sigs].sort());
      for (const r of onDisk) {
        const mine = items.filter(([s]) => `deadlock-${s}` === r.signature);
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
    await store.add(msg('page-fault-x', 9, 0, ['a']));
    await store.add({ ...msg('page-fault-x', 12, 0, ['b']), scenario: 'other' });
    await store.add(msg('page-fault-x', 5, 0, ['a']));
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
    await store.add(msg('deadlock-x', 9));
    await store.addRepeats('deadlock-x', 41);
    await store.addRepeats('deadlock-unknown', 3);
    await store.flush();
    const r = JSON.parse(readFileSync(join(dir, 'findings', 'deadlock-x.json'), 'utf8')) as { count: number; first_found_s: number };
    expect(r.count).toBe(42);
    expect(r.first_found_s).toBe(1.5);
    expect(readFindings(dir).length).toBe(1);
  });

  it('signatures tell apart messages that differ beyond thread ids and addresses', () => {
    const pf = (m: string): string => signatureOf(signatureParts('vcm/posted', violation('page-fault', m, { sites: [{ thread: 1, step: 3, label: 'vcm_unreserve: res->phys' }] })));
    expect(pf('T1 dereferenced the uninitialised pointer vcm_reserve: res at 0xffff0000')).toBe(pf('T2 dereferenced the uninitialised pointer vcm_reserve: res at 0xffff0040'));
    expect(pf('T1 dereferenced the uninitialised pointer vcm_reserve: res')).not.toBe(pf('T1 dereferenced the uninitialised pointer vcm_make_binding: res'));
  });

  it('signatures ignore the order of race sites but not the model, kind or sites', () => {
    const a = violation('data-race', 'x', { sites: [{ thread: 0, step: 1, label: 'w' }, { thread: 1, step: 2, label: 'r' }], object: { id: 1, kind: 'cell', name: 'flag' } });
    const b = violation('data-race', 'y', { sites: [{ thread: 1, step: 0, label: 'r' }, { thread: 0, step: 3, label: 'w' }], object: { id: 2, kind: 'cell', name: 'flag' } });
    const c = violation('data-race', 'x', { sites: [{ thread: 0, step: 1, label: 'w2' }, { thread: 1, step: 2, label: 'r' }], object: { id: 1, kind: 'cell', name: 'flag' } });
    const sig = (m: string, v: typeof a): string => signatureOf(signatureParts(m, v));
    expect(sig('m', a)).toBe(sig('m', b));
    expect(sig('m', a)).not.toBe(sig('m', c));
    expect(sig('m', a)).not.toBe(sig('other', a));
    expect(sig('m', a)).toMatch(/^data-race-[0-9a-f]{8}$/);
    const i1 = violation('invariant', 'x', { title: "WARNING: invariant 'no lost update' violated", sites: [{ thread: 0, step: 1, label: 'inc0' }] });
    const i2 = violation('invariant', 'x', { title: "WARNING: invariant 'no lost update' violated", sites: [{ thread: 1, step: 1, label: 'inc1' }] });
    expect(sig('m', i1)).toBe(sig('m', i2));
  });
});
