/**
 * lastzero-N (Abdulla et al., POPL 2014, §8): array a[0..N] all 0; thread 0 runs
 * `for (i = N; a[i] != 0; i--);` and thread j in 1..N runs `a[j] = a[j-1] + 1`. Every array access
 * is one op and nothing else is. The number of Mazurkiewicz traces is 2, 5, 12, 28 for N = 1..4:
 * a sound DPOR explores at least that many executions, an optimal one exactly that many.
 * Thread bodies are module-level generator functions (README, "Writing a model": a new generator
 * closure per execution costs V8 a prototype and a map), folded into the hash through `source`.
 * Leaves out: any assertion; the model exists to count executions.
 */
import { Atomic, type Op, defineModel, thread } from '../../src/index.js';

interface S { a: Atomic[]; found: number }

function* search(s: S, n: number): Generator<Op, void, unknown> {
  let i = n;
  for (;;) {
    const v = yield* (s.a[i] as Atomic).load(`search: a[${i}] != 0`);
    if (v === 0) break;
    i--;
  }
  s.found = i;
}

function* fill(s: S, j: number): Generator<Op, void, unknown> {
  const prev = yield* (s.a[j - 1] as Atomic).load(`fill${j}: read a[${j - 1}]`);
  yield* (s.a[j] as Atomic).store(prev + 1, `fill${j}: a[${j}] = a[${j - 1}] + 1`);
}

export const lastzero = defineModel<S, { n: number }>({
  name: 'litmus/lastzero',
  description: 'thread 0 searches for the last zero while N threads fill a[j] = a[j-1] + 1',
  scenarios: { n2: { n: 2 }, n1: { n: 1 }, n3: { n: 3 }, n4: { n: 4 } },
  setup: (p) => ({ a: Array.from({ length: p.n + 1 }, (_, i) => new Atomic(0, `a[${i}]`)), found: -1 }),
  threads: (s, p) => [
    thread('search', () => search(s, p.n)),
    ...Array.from({ length: p.n }, (_, k) => thread(`fill${k + 1}`, () => fill(s, k + 1))),
  ],
  source: [search, fill].map(String).join('\n'),
});
