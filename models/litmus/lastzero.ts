/**
 * lastzero-N (Abdulla et al., POPL 2014, §8): array a[0..N] all 0; thread 0 runs
 * `for (i = N; a[i] != 0; i--);` and thread j in 1..N runs `a[j] = a[j-1] + 1`. Every array access
 * is one op and nothing else is. The number of Mazurkiewicz traces is 2, 5, 12, 28 for N = 1..4:
 * a sound DPOR explores at least that many executions, an optimal one exactly that many.
 * Thread bodies are module-level generator functions (README, "Writing a model": a new generator
 * closure per execution costs V8 a prototype and a map), folded into the hash through `source`.
 * Leaves out: any assertion; the model exists to count executions.
 */
import { Atomic, type Op, defineModel, thread, schema } from '../../src/index.js';

interface S { a: Atomic[]; found: number }

/** Op labels by array index (n <= 8), built once rather than at every step. */
const SEARCH = Array.from({ length: 9 }, (_, i) => `search: a[${i}] != 0`);
const FILL_READ = Array.from({ length: 9 }, (_, j) => `fill${j}: read a[${j - 1}]`);
const FILL_WRITE = Array.from({ length: 9 }, (_, j) => `fill${j}: a[${j}] = a[${j - 1}] + 1`);
const NAMES = Array.from({ length: 9 }, (_, j) => `fill${j}`);
const CELLS = Array.from({ length: 9 }, (_, i) => `a[${i}]`);

function* search(s: S, n: number): Generator<Op, void, unknown> {
  let i = n;
  for (;;) {
    const v = yield* (s.a[i] as Atomic).load(SEARCH[i] as string);
    if (v === 0) break;
    i--;
  }
  s.found = i;
}

function* fill(s: S, j: number): Generator<Op, void, unknown> {
  const prev = yield* (s.a[j - 1] as Atomic).load(FILL_READ[j] as string);
  yield* (s.a[j] as Atomic).store(prev + 1, FILL_WRITE[j] as string);
}

export const lastzero = defineModel<S, { n: number }>({
  name: 'litmus/lastzero',
  description: 'thread 0 searches for the last zero while N threads fill a[j] = a[j-1] + 1',
  scenarios: { n2: { n: 2 }, n1: { n: 1 }, n3: { n: 3 }, n4: { n: 4 } },
  // The label tables cover eight fill threads.
  paramsSchema: schema.object({ n: schema.int(1, 8) }),
  setup: (p) => {
    const a: Atomic[] = [];
    for (let i = 0; i <= p.n; i++) a.push(new Atomic(0, CELLS[i] as string));
    return { a, found: -1 };
  },
  // Plain loops: `Array.from({ length })` takes V8's slow array-like path, every execution.
  threads: (s, p) => {
    const ts = [thread('search', () => search(s, p.n))];
    for (let j = 1; j <= p.n; j++) ts.push(thread(NAMES[j] as string, () => fill(s, j)));
    return ts;
  },
  source: [search, fill, ...SEARCH, ...FILL_READ, ...FILL_WRITE, ...CELLS].map(String).join('\n'),
});
