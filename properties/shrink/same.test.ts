/**
 * "The same violation" (src/shrink/same.ts): kind + title + set of site labels, blind to thread
 * ids, steps and the CPU/PID of a WARN title; end-of-execution checks compare kind and title only.
 */
import { describe, expect, it } from 'vitest';
import { lostUpdate } from '../../models/litmus/classic.js';
import { violation } from '../../src/index.js';
import { sameViolation } from '../../src/shrink/index.js';

const race = (t0: number, t1: number, a: string, b: string) => violation('data-race', `race ${t0}`, {
  title: 'BUG: KCSAN: data-race in f / g', threads: [t0, t1], step: 9,
  sites: [{ thread: t0, step: 3, label: a }, { thread: t1, step: 9, label: b }],
});

describe('sameViolation', () => {
  it('ignores thread ids, steps and messages; not the site labels, kind or title', () => {
    expect(sameViolation(race(0, 1, 'f: x = 1', 'g: r = x'), race(2, 0, 'g: r = x', 'f: x = 1'))).toBe(true);
    expect(sameViolation(race(0, 1, 'f: x = 1', 'g: r = x'), race(0, 1, 'f: y = 1', 'g: r = x'))).toBe(false);
    expect(sameViolation(race(0, 1, 'a', 'b'), { ...race(0, 1, 'a', 'b'), kind: 'use-after-free' })).toBe(false);
    expect(sameViolation(race(0, 1, 'a', 'b'), { ...race(0, 1, 'a', 'b'), title: 'BUG: KCSAN: data-race in f / h' })).toBe(false);
    expect(sameViolation(race(0, 1, 'a', 'b'), null)).toBe(false);
  });

  it('treats the CPU / PID of a WARN title as renumbering', () => {
    const w = (pid: number) => violation('assertion', 'x', { title: `WARNING: CPU: 0 PID: ${pid} at vcm_iommu_activate: WARN_ON(vi->active)`, sites: [{ thread: pid, step: 1, label: 'l' }] });
    expect(sameViolation(w(2), w(1))).toBe(true);
    expect(sameViolation(w(2), { ...w(1), title: 'WARNING: CPU: 0 PID: 1 at vcm_deactivate: WARN_ON(x)' })).toBe(false);
  });

  it('a final check of the model compares kind and title only (its site is whatever ran last)', () => {
    const fin = (label: string) => violation('invariant', 'count is 1', { title: "WARNING: invariant 'no lost update' violated", sites: [{ thread: 0, step: 3, label }] });
    expect(sameViolation(fin('inc0: store'), fin('inc2: store'), lostUpdate)).toBe(true);
    expect(sameViolation(fin('inc0: store'), fin('inc2: store'))).toBe(false);
  });
});
