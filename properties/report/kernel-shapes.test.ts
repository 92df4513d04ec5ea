/**
 * Reports in the kernel's own shapes (kernel-log.ts, kernel-facts.ts) in md, text and html:
 * lockdep's circular dependency with both locks, the dependency chain and the CPU0/CPU1 "Possible
 * unsafe locking scenario" on lines of their own (and "Chain exists of" for a longer chain); KASAN's
 * access line (write of size 4, the object and field, task = thread) with allocated-by and freed-by
 * stacks of model function names; the "cut here" first lines of refcount_t, WARN and BUG; multi-line
 * messages kept line by line; the ◀ BUG mark on the op that completes the violation for every kind;
 * HTML op boxes named after the kernel call, long traces folded with the violating op kept.
 */
import { describe, expect, it } from 'vitest';
import { abba, lostUpdate, messagePassingPlain } from '../../models/litmus/classic.js';
import type { AnyModel } from '../../src/index.js';
import { check } from '../../src/index.js';
import { buildReport, renderHtml, renderMarkdown, renderText, type Report } from '../../src/report/index.js';
import { kernelLog } from '../../src/report/kernel-log.js';
import { minimize } from '../../src/shrink/index.js';
import { longTrace, refFromZero, spinAbba, spinChain, useAfterFree, warnModel } from './kernel-models.js';

function found(model: AnyModel, strategy = 'dfs'): string {
  const r = check(model, { strategy, maxExecutions: 5000, seed: 3 });
  if (!r.finding) throw new Error(`${model.name}: no finding`);
  return r.finding.token;
}

function report(model: AnyModel, strategy = 'dfs'): Report {
  const m = minimize(model, found(model, strategy));
  return buildReport(model, m.token, { minimized: { from: m.before, fixedPoint: m.fixedPoint } });
}

/** The step carrying the ◀ BUG mark. */
function bugStep(r: Report): Report['steps'][number] {
  const b = r.steps.filter((s) => s.violating);
  expect(b).toHaveLength(1);
  return b[0] as Report['steps'][number];
}

describe('lockdep', () => {
  const r = report(spinAbba);
  const log = kernelLog(r);

  it('prints the circular dependency, the chain and the CPU0/CPU1 scenario line by line', () => {
    expect(r.title).toBe('WARNING: possible circular locking dependency detected');
    expect(log).toContain('ba/1 is trying to acquire lock:');
    expect(log).toContain('A, at: path_ba: spin_lock(&A)');
    expect(log).toContain('but task is already holding lock:');
    expect(log).toContain('B, at: path_ba: spin_lock(&B)');
    expect(log).toContain('the existing dependency chain (in reverse order) is:');
    expect(log).toContain('-> #1 (B):');
    expect(log).toContain('-> #0 (A):');
    const table = log.indexOf(' Possible unsafe locking scenario:');
    expect(table).toBeGreaterThan(0);
    expect(log.slice(table + 2, table + 8)).toEqual([
      '       CPU0                    CPU1', '       ----                    ----',
      '  lock(B);', '                               lock(A);', '                               lock(B);', '  lock(A);',
    ]);
    // The stacks are the generator chains of the model.
    const stackOf0 = log.slice(log.indexOf('-> #0 (A):'));
    expect(stackOf0.slice(2, 5).map((l) => l.trim())).toEqual(['spin_lock', 'take_two', 'path_ba']);
    for (const text of [renderMarkdown(r), renderText(r), renderHtml(r)]) {
      for (const l of ['  lock(B);', '                               lock(A);', ' *** DEADLOCK ***']) expect(text.split('\n')).toContain(l);
    }
  });

  it('keeps the multi-line message on separate lines in md, text and html', () => {
    const lines = r.invariant.split('\n');
    expect(lines.length).toBeGreaterThan(3);
    const md = renderMarkdown(r).split('\n');
    expect(md.filter((l) => l.startsWith('> '))).toHaveLength(lines.length);
    const text = renderText(r).split('\n');
    for (const l of lines) expect(text).toContain(`  ${l}`);
    expect(renderHtml(r)).toContain('<br>');
  });

  it('marks the acquire that closes the cycle, which never ran, not the earlier one', () => {
    const b = bugStep(r);
    expect(b.label).toBe('path_ba: spin_lock(&A)');
    expect(b.attempted).toBe('stopped');
    expect(b.index).toBe(r.steps.length - 1);
    expect(r.steps.find((s) => s.label === 'path_ba: spin_lock(&B)')?.violating).toBe(false);
    expect(renderMarkdown(r)).toMatch(/`path_ba: spin_lock\(&A\) \(stopped here\)` \*\*◀ BUG\*\*/);
  });

  it('names the middle lock of a longer chain (Chain exists of)', () => {
    const c = kernelLog(report(spinChain));
    expect(c).toContain('Chain exists of:');
    expect(c).toContain('  A --> B --> C');
    expect(c).toContain('-> #2 (C):');
  });
});

describe('KASAN', () => {
  const r = report(useAfterFree);
  const log = kernelLog(r);

  it('prints the access line, the object and its field, and the allocated-by / freed-by stacks', () => {
    expect(log[1]).toBe('BUG: KASAN: use-after-free in obj_hit');
    expect(log[2]).toBe('Write of size 4 at addr struct obj.hits by task user/1');
    const alloc = log.indexOf('Allocated by task owner/0:');
    const free = log.indexOf('Freed by task owner/0:');
    expect(alloc).toBeGreaterThan(0);
    expect(free).toBeGreaterThan(alloc);
    expect(log.slice(alloc + 1, alloc + 4).map((l) => l.trim())).toEqual(['alloc', 'kmalloc', 'obj_create']);
    expect(log.slice(free + 1, free + 4).map((l) => l.trim())).toEqual(['release', 'kfree', 'obj_destroy']);
    expect(log).toContain("The buggy address is located in its field 'hits' (field 1 of 1)");
    expect(log.slice(log.indexOf('Call Trace:') + 1, log.indexOf('Call Trace:') + 4).map((l) => l.trim())).toEqual(['raw_atomic_add_return', 'atomic_inc', 'obj_hit']);
    expect(r.kasan?.access).toMatchObject({ type: 'write', size: 4, object: 'struct obj.hits', task: { thread: 1, name: 'user' } });
  });

  it('marks the bad access', () => {
    expect(bugStep(r).label).toBe('obj_hit: atomic_inc(&obj->hits)');
  });
});

describe('the kernel first lines of refcount_t, WARN and BUG', () => {
  it('refcount_t: cut here, the refcount line, the WARNING at lib/refcount.c', () => {
    const r = report(refFromZero);
    expect(kernelLog(r).slice(0, 3)).toEqual([
      '------------[ cut here ]------------', 'refcount_t: addition on 0; use-after-free.', 'WARNING: CPU: 1 PID: 1 at lib/refcount.c refcount_warn_saturate',
    ]);
    expect(bugStep(r).label).toBe('get_ref: refcount_inc(&obj->ref)');
  });

  it('WARN_ON and BUG_ON: cut here, the WARNING / kernel BUG line, and the WARN_ON is the marked step', () => {
    const w = report(warnModel(false));
    expect(kernelLog(w).slice(0, 2)).toEqual(['------------[ cut here ]------------', 'WARNING: CPU: 0 PID: 1 at check_state: WARN_ON(state > 1)']);
    expect(bugStep(w).label).toBe('check_state: WARN_ON(state > 1)');
    const b = report(warnModel(true));
    expect(kernelLog(b).slice(0, 3)).toEqual(['------------[ cut here ]------------', 'kernel BUG at check_state: BUG_ON(state > 1)!', 'invalid opcode: 0000 [#1] SMP']);
  });
});

describe('the ◀ BUG mark on the op that completes the violation', () => {
  it('deadlock: the wait of the thread whose blocking closed the cycle; the other wait is blocked', () => {
    const r = report(abba);
    const last = r.steps.filter((s) => !s.attempted).at(-1);
    expect(bugStep(r)).toMatchObject({ attempted: 'blocked', thread: last?.thread });
    expect(r.steps.filter((s) => s.role === 'blocked')).toHaveLength(1);
  });

  it('data race: the second access; lost update: the last op', () => {
    const race = report(messagePassingPlain, 'random');
    expect(bugStep(race).index).toBe(race.violation.sites[1]?.step);
    const lost = report(lostUpdate, 'random');
    expect(bugStep(lost).index).toBe(lost.steps.length - 1);
    expect(bugStep(lost).attempted).toBeUndefined();
  });
});

describe('HTML', () => {
  it('op boxes name the kernel call, not the op kind', () => {
    const html = renderHtml(report(useAfterFree));
    expect(html).toMatch(/<g class="op op-wait[^"]*"[^>]*>(?:(?!<\/g>)[\s\S])*<text [^>]*>rcu_read_lock<\/text><\/g>/);
    expect(html).toMatch(/>kmalloc<\/text>/);
    expect(html).not.toMatch(/>wait<\/text>/);
  });

  it('folds long runs of one thread, keeps the violating op and scrolls to it on load', () => {
    const r = report(longTrace);
    expect(r.steps.length).toBeGreaterThan(40);
    const html = renderHtml(r);
    const folds = html.match(/<g class="op fold"/g) ?? [];
    expect(folds.length).toBeGreaterThan(0);
    const boxes = html.match(/<g class="op /g) ?? [];
    expect(boxes.length).toBeLessThan(r.steps.length / 2);
    expect(html).toMatch(/<g class="op op-pending bug attempted" data-step="\d+" data-x="\d+/);
    // Every step still has its table row (folded rows hidden until opened).
    expect((html.match(/<tr data-step=/g) ?? []).length).toBe(r.steps.length);
    expect((html.match(/<tr data-step="\d+" data-fold=/g) ?? []).length).toBeGreaterThan(30);
    expect(html).toContain("sc.scrollLeft=Math.max(0,x-sc.clientWidth/2)");
  });
});
