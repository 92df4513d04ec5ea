/**
 * readers-N (Abdulla, Aronis, Jonsson & Sagonas, "Optimal dynamic partial order reduction",
 * POPL 2014, §8): one thread writes x, N threads read x. Every reader races only with the writer,
 * so there are exactly 2^N Mazurkiewicz traces; an optimal DPOR explores exactly that many
 * executions, plain DFS explores (N+1)! of them.
 * Thread bodies are module-level generator functions (README, "Writing a model": a new generator
 * closure per execution costs V8 a prototype and a map), folded into the hash through `source`.
 * Leaves out: any assertion; the model exists to count executions.
 */
import { Atomic, type Op, defineModel, thread, schema } from '../../src/index.js';

interface S { x: Atomic; seen: number[] }

/** Thread names and op labels (n <= 8), built once rather than at every execution. */
const NAMES = Array.from({ length: 9 }, (_, i) => `reader${i + 1}`);
const LABELS = NAMES.map((n) => `${n}: r = x`);

function* writer(s: S): Generator<Op, void, unknown> {
  yield* s.x.store(1, 'writer: x = 1');
}

function* reader(s: S, i: number, label: string): Generator<Op, void, unknown> {
  s.seen[i] = yield* s.x.load(label);
}

export const readers = defineModel<S, { n: number }>({
  name: 'litmus/readers',
  description: 'one writer, N readers of one atomic variable: 2^N traces',
  scenarios: { n2: { n: 2 }, n1: { n: 1 }, n3: { n: 3 }, n4: { n: 4 } },
  // NAMES and LABELS cover eight readers.
  paramsSchema: schema.object({ n: schema.int(1, 8) }),
  setup: () => ({ x: new Atomic(0, 'x'), seen: [] }),
  // A plain loop: `Array.from({ length })` takes V8's slow array-like path, every execution.
  threads: (s, p) => {
    const ts = [thread('writer', () => writer(s))];
    for (let i = 0; i < p.n; i++) ts.push(thread(NAMES[i] as string, () => reader(s, i, LABELS[i] as string)));
    return ts;
  },
  source: [writer, reader, ...LABELS].map(String).join('\n'),
});
