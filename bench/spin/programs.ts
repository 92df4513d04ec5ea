/**
 * The litmus programs of the SPIN side-by-side (bench/spin/run.ts) as mapcheck models of any size:
 * readers-N (one writer stores x = 1, N readers load it once: 2^N traces) and lastzero-N (Abdulla,
 * Aronis, Jonsson & Sagonas, POPL 2014: thread 0 searches a[N..0] for the last zero while N threads
 * fill a[j] = a[j-1] + 1). models/litmus holds the same programs with named scenarios up to N = 4
 * (and labels up to 8); these take N as a parameter, with one visible op per shared access as in
 * the Promela texts beside them (readers.pml, lastzero.pml).
 * Leaves out: result checks (both programs are correct by construction; only exploration is timed).
 */
import { Atomic, type Op, defineModel, thread } from '../../src/index.js';

type G = Generator<Op, void, unknown>;

interface ReadersState { x: Atomic; seen: number[] }

function* writer(s: ReadersState): G {
  yield* s.x.store(1, 'writer: x = 1');
}

function* reader(s: ReadersState, i: number): G {
  s.seen[i] = yield* s.x.load(`reader${i + 1}: r = x`);
}

/** readers-N as `bench/readers` with scenario parameters `{ n }`. */
export const readersModel = defineModel<ReadersState, { n: number }>({
  name: 'bench/readers',
  description: 'one writer, N readers of one atomic variable (SPIN side-by-side)',
  scenarios: { n2: { n: 2 } },
  setup: () => ({ x: new Atomic(0, 'x'), seen: [] }),
  threads: (s, p) => {
    const ts = [thread('writer', () => writer(s))];
    for (let i = 0; i < p.n; i++) ts.push(thread(`reader${i + 1}`, () => reader(s, i)));
    return ts;
  },
  source: [writer, reader].map(String).join('\n'),
});

interface LastzeroState { a: Atomic[]; found: number }

function* search(s: LastzeroState, n: number): G {
  let i = n;
  while ((yield* (s.a[i] as Atomic).load(`search: a[${i}] != 0`)) !== 0) i--;
  s.found = i;
}

function* fill(s: LastzeroState, j: number): G {
  const prev = yield* (s.a[j - 1] as Atomic).load(`fill${j}: read a[${j - 1}]`);
  yield* (s.a[j] as Atomic).store(prev + 1, `fill${j}: a[${j}] = a[${j - 1}] + 1`);
}

/** lastzero-N as `bench/lastzero` with scenario parameters `{ n }`. */
export const lastzeroModel = defineModel<LastzeroState, { n: number }>({
  name: 'bench/lastzero',
  description: 'thread 0 searches for the last zero while N threads fill a[j] = a[j-1] + 1 (SPIN side-by-side)',
  scenarios: { n2: { n: 2 } },
  setup: (p) => {
    const a: Atomic[] = [];
    for (let i = 0; i <= p.n; i++) a.push(new Atomic(0, `a[${i}]`));
    return { a, found: -1 };
  },
  threads: (s, p) => {
    const ts = [thread('search', () => search(s, p.n))];
    for (let j = 1; j <= p.n; j++) ts.push(thread(`fill${j}`, () => fill(s, j)));
    return ts;
  },
  source: [search, fill].map(String).join('\n'),
});
