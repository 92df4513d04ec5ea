/**
 * Hand-written litmus tests for the front end's suites: one process calling every primitive of
 * linux-kernel.def in turn (each primitive's value semantics, checked against the oracle), small
 * concurrent tests of locks, atomics, RCU grace periods, pointers and plain accesses, and data-race
 * tests with and without the ordering that prevents the race.
 * Leaves out: the kernel's own tests (corpus.ts reads those).
 */
import { primitiveNames } from '../../src/litmus/index.js';

const ORD = ['', '_relaxed', '_acquire', '_release'];

/** One process that calls every primitive of linux-kernel.def once (SRCU aside). */
export function allPrimitives(): string {
  const lines: string[] = [];
  let r = 0;
  const reg = (): string => `r${r++}`;
  const call = (e: string): void => void lines.push(`  ${reg()} = ${e};`);
  call('READ_ONCE(*x)');
  lines.push('  WRITE_ONCE(*x, 2);', '  smp_store_release(x, 3);');
  call('smp_load_acquire(x)');
  lines.push('  rcu_read_lock();');
  call('rcu_dereference(*p)');
  lines.push('  rcu_read_unlock();', '  rcu_assign_pointer(*p, y);', '  smp_store_mb(*x, 4);');
  for (const f of ['smp_mb', 'smp_rmb', 'smp_wmb', 'smp_mb__before_atomic', 'smp_mb__after_atomic', 'smp_mb__after_spinlock', 'smp_mb__after_unlock_lock', 'barrier', 'synchronize_rcu', 'synchronize_rcu_expedited']) lines.push(`  ${f}();`);
  ORD.forEach((o, i) => {
    call(`xchg${o}(x, ${10 + i})`);
    call(`cmpxchg${o}(x, ${10 + i}, ${20 + i})`);
    call(`cmpxchg${o}(x, 99, 0)`);
    call(`atomic_xchg${o}(a, ${30 + i})`);
    call(`atomic_cmpxchg${o}(a, ${30 + i}, ${40 + i})`);
    call(`atomic_cmpxchg${o}(a, 99, 0)`);
  });
  lines.push('  spin_lock(s);');
  call('spin_is_locked(s)');
  call('spin_trylock(s)');
  lines.push('  spin_unlock(s);');
  call('spin_trylock(s)');
  call('spin_is_locked(s)');
  lines.push('  spin_unlock(s);');
  call('atomic_read(a)');
  lines.push('  atomic_set(a, 7);');
  call('atomic_read_acquire(a)');
  lines.push('  atomic_set_release(a, 9);');
  let k = 1;
  for (const name of primitiveNames().filter((n) => /^atomic_/.test(n) && !/^atomic_(read|set|xchg|cmpxchg)/.test(n)).sort()) {
    const takesValue = !/^atomic_(inc|dec)(_return|$|_and_test)|^atomic_fetch_(inc|dec)/.test(name);
    const args = name === 'atomic_add_unless' ? `a, ${k}, 3` : takesValue ? `${k}, a` : 'a';
    const returns = !/^atomic_(add|sub|and|or|xor|andnot|inc|dec)$/.test(name);
    lines.push(returns ? `  ${reg()} = ${name}(${args});` : `  ${name}(${args});`);
    k = (k % 5) + 1;
  }
  call('atomic_read(a)');
  return `C all-primitives\n\n{\n  atomic_t a = ATOMIC_INIT(5);\n  int x = 1;\n  int y = 8;\n  int *p = x;\n  spinlock_t s;\n}\n\nP0(atomic_t *a, int *x, int *y, int **p, spinlock_t *s)\n{\n${Array.from({ length: r }, (_, i) => `  int r${i};`).join('\n')}\n${lines.join('\n')}\n}\n\nexists (0:r0=1)\n`;
}

/** Small concurrent tests whose SC outcomes the oracle cross-checks. */
export const PROGRAMS: Record<string, string> = {
  locks: `C locks
{ spinlock_t s; }
P0(spinlock_t *s, int *x) { int r0; spin_lock(s); WRITE_ONCE(*x, 1); r0 = spin_is_locked(s); spin_unlock(s); }
P1(spinlock_t *s, int *x) { int r1; int r2; int r3; r1 = spin_trylock(s); if (r1) { r2 = READ_ONCE(*x); spin_unlock(s); } r3 = spin_is_locked(s); }
exists (1:r1=1 /\\ 1:r2=0)
`,
  atomics: `C atomics
{ atomic_t a = ATOMIC_INIT(1); }
P0(atomic_t *a) { int r0; r0 = atomic_fetch_add(2, a); atomic_inc(a); }
P1(atomic_t *a) { int r1; int r2; r1 = atomic_cmpxchg(a, 3, 10); r2 = atomic_dec_and_test(a); }
exists (1:r1=3 /\\ a=9)
`,
  'rcu-grace-period': `C rcu-grace-period
{}
P0(int *x, int *y) { int r0; int r1; rcu_read_lock(); r0 = READ_ONCE(*x); r1 = READ_ONCE(*y); rcu_read_unlock(); }
P1(int *x, int *y) { WRITE_ONCE(*y, 1); synchronize_rcu(); WRITE_ONCE(*x, 1); }
exists (0:r0=1 /\\ 0:r1=0)
`,
  pointers: `C pointers
{ int *p = a; int a = 1; int b = 2; }
P0(int **p, int *b) { WRITE_ONCE(*b, 3); rcu_assign_pointer(*p, b); }
P1(int **p) { int *r0; int r1; r0 = rcu_dereference(*p); r1 = READ_ONCE(*r0); *r0 = r1 + 10; }
exists (1:r0=b /\\ 1:r1=2)
`,
  'plain-expressions': `C plain-expressions
{ x = 3; }
P0(int *x, int *y) { int r0; int r1 = -4; r0 = (*x * 2 + r1) % 5 ? *x << 2 : ~*x; if (r0 > 1 && !(r0 == 7)) *y = r0 / 2; else { *y = -r0; } r1++; }
P1(int *x) { int r2; r2 = READ_ONCE(*x) | 8; WRITE_ONCE(*x, r2 ^ 1); }
exists (y=6 /\\ 0:r1=-3)
`,
  'filter-locking': `C filter-locking
{}
P0(int *sl, int *x0, int *x1) { int r2; int r1; r2 = xchg_acquire(sl, 1); WRITE_ONCE(*x0, 1); r1 = READ_ONCE(*x1); smp_store_release(sl, 0); }
P1(int *sl, int *x0, int *x1) { int r2; int r1; r2 = xchg_acquire(sl, 1); WRITE_ONCE(*x1, 1); r1 = READ_ONCE(*x0); smp_store_release(sl, 0); }
filter (0:r2=0 /\\ 1:r2=0)
exists (0:r1=0 /\\ 1:r1=0)
`,
  'lock-deadlock': `C lock-deadlock
{ spinlock_t s; }
P0(spinlock_t *s, int *x) { spin_lock(s); WRITE_ONCE(*x, 1); }
P1(spinlock_t *s, int *x) { spin_lock(s); WRITE_ONCE(*x, 2); }
exists (x=1)
`,
};

/** A plain store racing with a plain load: the LKMM flags data-race. */
export const RACY = `C race+plain
{}
P0(int *x, int *y) { *x = 1; WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = *x; }
exists (1:r0=1 /\\ 1:r1=0)
`;

/** The same with the plain load only after an acquire that saw the release: no race. */
export const ORDERED = `C norace+plain+release-acquire
{}
P0(int *x, int *y) { *x = 1; smp_store_release(y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = smp_load_acquire(y); if (r0) r1 = *x; }
exists (1:r0=1 /\\ 1:r1=0)
`;

/** Marked accesses only: never a race. */
export const MARKED = `C norace+once
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = READ_ONCE(*x); }
exists (1:r0=1 /\\ 1:r1=0)
`;
