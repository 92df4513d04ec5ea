/**
 * Bug signatures (src/cli/fuzz/signature.ts), syzbot-style: what makes two violations one bug --
 * kind, violating function, KASAN's allocating and freeing functions, the check and its failure
 * mode, the bad pointer -- and what does not: thread ids and names, addresses, numbers, the order in
 * which a race's accesses were seen, the op that happened to run before an end-of-execution check.
 * Over the pinned corpus (fuzz/corpus, replayed with the compiled code as the CLI runs it): every
 * pinned bug is filed under its current signature, every known bug of every posted model is in it,
 * and no two known bugs are merged into one signature -- each can be given a signature of its own.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allModels } from '../../models/index.js';
import { lostUpdate } from '../../models/litmus/classic.js';
import { matchDistinct } from '../../src/cli/fuzz/known.js';
import type { FindingRecord } from '../../src/cli/fuzz/store.js';
import { crashSites } from '../../src/cli/fuzz/summary.js';
import { messageShape, quickKey, signature } from '../../src/cli/fuzz/signature.js';
import { defineModel, type Site, type Violation, violation } from '../../src/index.js';
import { ROOT } from './cli.js';

const m = defineModel({ name: 'test/sig', scenarios: { default: {} }, setup: () => ({}), threads: () => [], final: [{ name: 'at the end', check: () => true }] });
const site = (thread: number, step: number, label: string): Site => ({ thread, step, label });
const sig = (v: Violation, names: readonly string[] = ['t0', 't1', 't2']): string => signature(m, v, names);

function uaf(use: string, alloc: string, free: string, tid = 1): Violation {
  const freed = site(0, 3, free);
  return violation('use-after-free', `T${tid} accessed obj.f (kmalloc) after it was freed`, {
    title: `BUG: KASAN: use-after-free in ${use.split(':')[0] ?? ''}`, threads: [tid, 0], sites: [site(tid, 7, use), freed], step: 7,
    object: { id: 4, kind: 'kmalloc', name: 'obj.f', allocated: site(0, 1, alloc), freed },
  });
}

describe('signatures', () => {
  it('KASAN: the access function, the allocator and the free function, not the labels, call sites or threads', () => {
    const a = uaf('obj_hit: atomic_inc(&obj->hits)', 'obj_create: kmalloc', 'obj_destroy: kfree(obj)');
    expect(sig(a)).toMatch(/^use-after-free-[0-9a-f]{8}$/);
    expect(sig(uaf('obj_hit: READ_ONCE(obj->flags)', 'obj_create: kmalloc', 'obj_destroy: kfree(obj)', 2))).toBe(sig(a));
    expect(sig(uaf('obj_put: atomic_inc(&obj->hits)', 'obj_create: kmalloc', 'obj_destroy: kfree(obj)'))).not.toBe(sig(a));
    // The same allocator and free function called from elsewhere: the same object type, freed the same way.
    expect(sig(uaf('obj_hit: atomic_inc(&obj->hits)', 'boot', 'obj_release: kfree(obj)'))).toBe(sig(a));
    expect(sig(uaf('obj_hit: atomic_inc(&obj->hits)', 'obj_create: kmalloc', 'obj_destroy: kfree_rcu(obj, rcu): kfree (RCU callback)'))).not.toBe(sig(a));
    const vm = violation('use-after-free', 'x', { ...a, object: { ...(a.object as NonNullable<Violation['object']>), kind: 'vmalloc' } });
    expect(sig(vm)).not.toBe(sig(a));
  });

  it('KCSAN: both functions, in either order', () => {
    const r = (w: Site, rd: Site): Violation => violation('data-race', 'x', { sites: [w, rd], object: { id: 1, kind: 'cell', name: 'flag' } });
    expect(sig(r(site(0, 1, 'producer: flag = 1'), site(1, 2, 'consumer: r = flag')))).toBe(sig(r(site(1, 0, 'consumer: if (flag)'), site(0, 3, 'producer: flag = 2'))));
    expect(sig(r(site(0, 1, 'producer: flag = 1'), site(1, 2, 'consumer: r = flag')))).not.toBe(sig(r(site(0, 1, 'producer: flag = 1'), site(1, 2, 'observer: r = flag'))));
  });

  it('thread-level code and thread names count the same in every scenario', () => {
    const inv = (label: string, tid: number, who: string): Violation => violation('invariant', `T${tid}: held: ${who}#0 holds 0x1000 twice`, {
      title: "WARNING: invariant 'held' violated", threads: [tid], sites: [site(tid, 5, label)], step: 5,
    });
    expect(sig(inv('dev1-drv: ioremap returned', 0, 'dev1-drv'), ['dev1-drv', 'x'])).toBe(sig(inv('drv-b: ioremap returned', 1, 'drv-b'), ['a', 'drv-b']));
    // ...but a function that is not the thread's name is a function.
    expect(sig(inv('dev1-drv: ioremap returned', 0, 'dev1-drv'), ['dev1-drv'])).not.toBe(sig(inv('ioremap: returned', 0, 'dev1-drv'), ['dev1-drv']));
  });

  it('an invariant: its name and failure mode; the op before an end-of-execution check does not count', () => {
    const inv = (msg: string, label: string, name = 'returned VA keeps its PA'): Violation => violation('invariant', `${name}: ${msg}`, {
      title: `WARNING: invariant '${name}' violated`, threads: [0], sites: [site(0, 5, label)], step: 5,
    });
    expect(sig(inv('VA 0x100000 is not mapped', 'iounmap: pte_clear'))).toBe(sig(inv('VA 0x100400 is not mapped', 'iounmap: pte_clear')));
    expect(sig(inv('VA 0x100000 is not mapped', 'iounmap: pte_clear'))).not.toBe(sig(inv('VA 0x100000 is mapped device', 'iounmap: pte_clear')));
    expect(sig(inv('x', 'a: op', 'at the end'))).toBe(sig(inv('x', 'b: other op', 'at the end')));
    expect(sig(inv('x', 'a: op'))).not.toBe(sig(inv('x', 'b: other op')));
    expect(messageShape('dev2-probe#0 took a reference on 0x100000 from 0', ['dev2-probe'])).toBe('<thread>? took a reference on ? from ?');
  });

  it('a page fault: the function and the bad pointer (NULL, the error code, the uninitialised local)', () => {
    const pf = (pointer: string, label = 'vcm_unreserve: res->phys'): Violation => violation('page-fault', `T1 dereferenced ${pointer} at '${label}'`, {
      title: 'BUG: unable to handle page fault for address: fffffffffffffff4', threads: [1], sites: [site(1, 9, label)], step: 9, facts: { pointer },
    });
    expect(sig(pf('ERR_PTR(-12)'))).not.toBe(sig(pf('ERR_PTR(-28)')));
    expect(sig(pf('<uninitialised vcm_reserve: res>'))).not.toBe(sig(pf('<uninitialised vcm_make_binding: res>')));
    expect(sig(pf('ERR_PTR(-12)'))).not.toBe(sig(pf('ERR_PTR(-12)', '__vcm_alloc_and_reserve: WARN_ON(!(*phys)->free)')));
  });

  it('the worker cache key holds every input of the signature but thread names', () => {
    const a = uaf('obj_hit: atomic_inc(&obj->hits)', 'obj_create: kmalloc', 'obj_destroy: kfree(obj)');
    expect(quickKey(3, a)).toBe(quickKey(3, uaf('obj_hit: atomic_inc(&obj->hits)', 'obj_create: kmalloc', 'obj_destroy: kfree(obj)')));
    expect(quickKey(3, a)).not.toBe(quickKey(3, uaf('obj_hit: atomic_inc(&obj->hits)', 'obj_clone: kmalloc', 'obj_destroy: kfree(obj)')));
    expect(quickKey(3, a)).not.toBe(quickKey(4, a));
    expect(signature(lostUpdate, violation('invariant', 'no lost update: count is 1 after 2 increments', { title: "WARNING: invariant 'no lost update' violated" }), ['inc0', 'inc1']))
      .toBe(signature(lostUpdate, violation('invariant', 'no lost update: count is 2 after 3 increments', { title: "WARNING: invariant 'no lost update' violated" }), ['inc0', 'inc1', 'inc2']));
  });

  it("the summary's crash-site figure: one bucket per model, kind, function and KASAN lifetime, and the known bugs it would merge", () => {
    const rec = (signature: string, kind: string, where: string[], known: string[], allocated = '', freed = ''): FindingRecord =>
      ({ signature, model: 'm/posted', scenario: 's', strategy: 'random', seed: 1, kind, title: kind, message: '', token: 'mc1.A', steps: 1, preemptions: 0, count: 1, first_found: 'x', first_found_s: 0, scenarios: ['s'], where, allocated, freed, known });
    expect(crashSites([
      rec('invariant-00000001', 'invariant', ['f'], ['a']), rec('invariant-00000002', 'invariant', ['f'], ['b']), rec('invariant-00000003', 'invariant', ['f'], []),
      rec('use-after-free-00000001', 'use-after-free', ['g'], ['c'], 'kmalloc', 'kfree'), rec('use-after-free-00000002', 'use-after-free', ['g'], [], 'kmalloc', 'kfree_rcu'),
      rec('data-race-00000001', 'data-race', ['f', 'g'], ['d']),
    ])).toEqual({ count: 4, merging_known: 2 });
    expect(crashSites([])).toEqual({ count: 0, merging_known: 0 });
  });
});

interface Signed { readonly file: string; readonly model: string; readonly signature: string; readonly known: readonly string[]; readonly error?: string }

const SIGN_SCRIPT = `
const root = process.argv[1];
const { findModel } = await import(root + '/dist/models/index.js');
const { replay } = await import(root + '/dist/src/index.js');
const { signature } = await import(root + '/dist/src/cli/fuzz/signature.js');
const { matchKnown } = await import(root + '/dist/src/cli/fuzz/known.js');
const items = JSON.parse(process.env.MC_ENTRIES);
process.stdout.write(JSON.stringify(items.map(([file, model, token, scenario]) => {
  try {
    const m = findModel(model);
    const r = replay(m, token);
    if (!r.violation) return { file, model, signature: '', known: [], error: 'no violation' };
    // A keep-going token shows every violation of its execution; the entry is filed under one of them.
    const named = file.split('/').pop().slice(0, -'.json'.length).split('--')[0];
    const v = r.exec.violations.find((x) => signature(m, x, r.threadNames) === named) ?? r.violation;
    return { file, model, signature: signature(m, v, r.threadNames), known: matchKnown(m, scenario, v) };
  } catch (e) { return { file, model, signature: '', known: [], error: String(e.message) }; }
})));
`;

function signWithDist(items: readonly (readonly [string, string, string, string])[]): Promise<Signed[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', SIGN_SCRIPT, ROOT], { cwd: ROOT, env: { ...process.env, MC_ENTRIES: JSON.stringify(items) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Signed[]) : reject(new Error(err.split('\n')[0] ?? 'failed'))));
  });
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : [];
  });
}

describe('signatures over the pinned corpus', () => {
  it('files every pinned bug under its current signature and merges no two known bugs', async () => {
    const pinned = files(join(ROOT, 'fuzz', 'corpus')).map((f) => [f, JSON.parse(readFileSync(f, 'utf8')) as { token: string; model: string; scenario: string; reason: string; pinned: boolean }] as const)
      .filter(([, e]) => e.reason === 'bug' && e.pinned);
    const signed = await signWithDist(pinned.map(([f, e]) => [f, e.model, e.token, e.scenario] as const));
    for (const s of signed) {
      expect(s.error, s.file).toBeUndefined();
      expect(/\/([a-z-]+-[0-9a-f]{8})(--[\w.-]+)?\.json$/.exec(s.file)?.[1], `${s.file} is now ${s.signature}: re-pin with npm run fuzz -- --pin`).toBe(s.signature);
    }
    for (const model of allModels.filter((x) => (x.expectedBugs ?? []).length > 0)) {
      const mine = signed.filter((s) => s.model === model.name);
      const ids = (model.expectedBugs ?? []).map((b) => b.id);
      const choices = ids.map((id) => [...new Set(mine.filter((s) => s.known.includes(id)).map((s) => s.signature))]);
      ids.forEach((id, i) => expect(choices[i]?.length ?? 0, `${model.name} ${id} has no pinned token`).toBeGreaterThan(0));
      const own = matchDistinct(choices);
      ids.forEach((id, i) => expect(own[i], `${model.name} ${id} shares every signature with another known bug`).not.toBeNull());
      expect(new Set(own).size).toBe(ids.length);
    }
  });
});
