/**
 * Random small concurrent programs for the strategies' differential tests (DESIGN.md §5
 * self-checks): 2–4 threads of at most 6 visible ops each over two plain cells, two atomics and
 * two mutexes (critical sections, possibly nested, trylock and shared reader sections), `choose`,
 * waits and spawned children, and a final-state assertion. One interpreting model runs any program given as its scenario
 * parameters, so fast-check can generate and shrink programs as plain JSON.
 * The model records every final state it reaches into `finalStates` (keyed by program) before
 * checking the assertion, so a test can compare the sets of final states two strategies reach.
 * Also: `wt` blocks until an atomic reaches a value (a Wait op, a read of the atomic for DPOR),
 * `sp` spawns a child thread running its ops, joined when the parent's own ops are done, and `fr`
 * frees the heap block holding c1 and a1 (accesses after it are use-after-free). The second model
 * adds a per-step invariant over the atomics, which DPOR must check in every interleaving.
 * Leaves out: shared (reader) locks and RCU (the kernel API has its own suites).
 */
import fc from 'fast-check';
import { Atomic, Cell, Mutex, OpKind, choose, currentExecution, defineModel, join, op, spawn, thread } from '../../src/index.js';
import type { Json, ModelDef, ThreadGen } from '../../src/index.js';

/** One op: read/write a cell, load/store/add an atomic, a (try)lock section, or a choose. */
export type POp =
  | readonly ['r', number]
  | readonly ['w', number, number]
  | readonly ['ld', number]
  | readonly ['st', number, number]
  | readonly ['add', number, number]
  | readonly ['ch', number]
  | readonly ['cs', number, readonly POp[]]
  | readonly ['try', number, readonly POp[]]
  | readonly ['rs', number, readonly POp[]]
  | readonly ['wt', number, number]
  | readonly ['fr']
  | readonly ['sp', readonly POp[]];

export interface Program {
  readonly threads: readonly (readonly POp[])[];
  /** The final check fails when value slot `forbid[0]` (c0, c1, a0, a1) equals `forbid[1]`. */
  readonly forbid: readonly [number, number];
}

/** Visible ops of a thread (a section counts its lock and unlock). */
export function opCount(ops: readonly POp[]): number {
  let n = 0;
  for (const o of ops) {
    if (o[0] === 'cs' || o[0] === 'try' || o[0] === 'rs') n += 2 + opCount(o[2]);
    else if (o[0] === 'sp') n += 2 + opCount(o[1]);
    else n += 1;
  }
  return n;
}

/** Multinomial (sum n_i)! / prod n_i!: the number of interleavings ignoring blocking. */
export function interleavings(counts: readonly number[]): number {
  let total = 0;
  let r = 1;
  for (const c of counts) {
    for (let i = 1; i <= c; i++) r = (r * ++total) / i;
  }
  return Math.round(r);
}

const simple: fc.Arbitrary<POp> = fc.oneof(
  fc.tuple(fc.constant('r' as const), fc.nat(1)),
  fc.tuple(fc.constant('w' as const), fc.nat(1), fc.integer({ min: 1, max: 3 })),
  fc.tuple(fc.constant('ld' as const), fc.nat(1)),
  fc.tuple(fc.constant('st' as const), fc.nat(1), fc.integer({ min: 1, max: 3 })),
  fc.tuple(fc.constant('add' as const), fc.nat(1), fc.integer({ min: 1, max: 2 })),
  fc.tuple(fc.constant('ch' as const), fc.integer({ min: 2, max: 3 })),
);
const inner: fc.Arbitrary<POp> = fc.oneof(
  { weight: 4, arbitrary: simple },
  { weight: 1, arbitrary: fc.tuple(fc.constant('cs' as const), fc.nat(1), fc.array(simple, { maxLength: 1 })) },
);
const top: fc.Arbitrary<POp> = fc.oneof(
  { weight: 4, arbitrary: simple },
  { weight: 1, arbitrary: fc.tuple(fc.constant('wt' as const), fc.nat(1), fc.integer({ min: 1, max: 2 })) },
  { weight: 1, arbitrary: fc.constant(['fr'] as const) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('sp' as const), fc.array(simple, { minLength: 1, maxLength: 2 })) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('cs' as const), fc.nat(1), fc.array(inner, { maxLength: 2 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('try' as const), fc.nat(1), fc.array(simple, { maxLength: 1 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('rs' as const), fc.nat(1), fc.array(simple, { maxLength: 2 })) },
);

/** Trim ops off the busiest threads until the plain interleaving count is at most `limit`. */
function trim(threads: POp[][], limit: number): POp[][] {
  for (;;) {
    const counts = threads.map(opCount);
    if (interleavings(counts) <= limit) return threads;
    let busiest = 0;
    for (let i = 1; i < counts.length; i++) if ((counts[i] as number) > (counts[busiest] as number)) busiest = i;
    (threads[busiest] as POp[]).pop();
  }
}

/** Programs whose interleavings stay below `limit` (so plain DFS can enumerate them). */
export function programArb(limit = 4000): fc.Arbitrary<Program> {
  const body = fc.array(top, { minLength: 1, maxLength: 4 }).filter((ops) => opCount(ops) <= 6);
  return fc.record({
    threads: fc.array(body, { minLength: 2, maxLength: 4 }),
    forbid: fc.tuple(fc.nat(3), fc.integer({ min: 0, max: 4 })),
  }).map((p) => ({ threads: trim(p.threads.map((t) => [...t]), limit), forbid: p.forbid }));
}

/** Final states reached, by program key. */
export const finalStates = new Map<string, Set<string>>();

interface S {
  key: string; cells: Cell<number>[]; atoms: Atomic[]; locks: Mutex[]; acc: number[]; forbid: readonly [number, number];
  /** A heap block holding c1 and a1, so `fr` (kfree) races with their accesses (KASAN). */
  heap: number;
  /** Accumulator slot of each thread's k-th spawned child. */
  spawnSlots: number[][];
}

function spawnSlots(prog: Program): number[][] {
  let next = prog.threads.length;
  return prog.threads.map((ops) => ops.filter((o) => o[0] === 'sp').map(() => next++));
}

function* run(s: S, t: number, ops: readonly POp[], top = true): ThreadGen<void> {
  const acc = (v: number): void => { s.acc[t] = ((s.acc[t] as number) * 5 + v) % 9973; };
  const children: number[] = [];
  let spawned = 0;
  for (const o of ops) {
    switch (o[0]) {
      case 'fr':
        yield op.free(s.heap, `T${t}: kfree(obj)`);
        break;
      case 'wt': {
        const a = s.atoms[o[1]] as Atomic;
        const want = o[2];
        yield op.wait(a.id, `T${t}: wait a${o[1]} >= ${want}`, () => a.value >= want);
        break;
      }
      case 'sp': {
        // The child's accumulator slot is fixed by the program text, not by the spawn order:
        // state that depended on which thread spawned first would be shared state without an op.
        const body = o[1];
        const slot = (s.spawnSlots[t] as number[])[spawned++] as number;
        children.push(yield* spawn(() => run(s, slot, body, false), `T${t}.child`));
        break;
      }
      case 'r': acc(yield* (s.cells[o[1]] as Cell<number>).get(`T${t}: r c${o[1]}`)); break;
      case 'w': yield* (s.cells[o[1]] as Cell<number>).set(o[2], `T${t}: c${o[1]} = ${o[2]}`); break;
      case 'ld': acc(yield* (s.atoms[o[1]] as Atomic).load(`T${t}: ld a${o[1]}`)); break;
      case 'st': yield* (s.atoms[o[1]] as Atomic).store(o[2], `T${t}: st a${o[1]}`); break;
      case 'add': acc(yield* (s.atoms[o[1]] as Atomic).add(o[2], `T${t}: add a${o[1]}`)); break;
      case 'ch': acc(yield* choose(o[1], `T${t}: choose(${o[1]})`)); break;
      case 'cs': {
        const m = s.locks[o[1]] as Mutex;
        yield* m.lock(`T${t}: lock m${o[1]}`);
        yield* run(s, t, o[2], false);
        yield* m.unlock(`T${t}: unlock m${o[1]}`);
        break;
      }
      case 'rs': {
        // A shared (reader) section: down_read / up_read on the same lock object.
        const id = (s.locks[o[1]] as Mutex).id;
        yield { kind: OpKind.Acquire, obj: id, label: `T${t}: down_read m${o[1]}`, n: 1 };
        yield* run(s, t, o[2], false);
        yield { kind: OpKind.Release, obj: id, label: `T${t}: up_read m${o[1]}`, n: 1 };
        break;
      }
      case 'try': {
        const m = s.locks[o[1]] as Mutex;
        if (yield* m.tryLock(`T${t}: trylock m${o[1]}`)) {
          yield* run(s, t, o[2], false);
          yield* m.unlock(`T${t}: unlock m${o[1]}`);
        } else {
          acc(7);
        }
        break;
      }
    }
  }
  if (top) for (const c of children) yield* join(c, `T${t}: join`);
}

const programDef: ModelDef<S, Json> = {
  name: 'test/random-program',
  leakCheck: false,
  scenarios: { empty: { threads: [[], []], forbid: [0, 9] } as unknown as Json },
  setup: (p) => {
    const prog = p as unknown as Program;
    const heap = currentExecution().objects.addHeap('kmalloc', 'obj', { thread: -1, step: -1, label: 'setup: kmalloc(obj)' });
    return {
      key: JSON.stringify(prog),
      cells: [new Cell(0, 'c0'), new Cell(0, 'c1', heap)],
      atoms: [new Atomic(0, 'a0'), new Atomic(0, 'a1', heap)],
      locks: [new Mutex('m0'), new Mutex('m1')],
      acc: Array<number>(prog.threads.length + prog.threads.flat().filter((o) => o[0] === 'sp').length).fill(0),
      forbid: prog.forbid,
      spawnSlots: spawnSlots(prog),
      heap,
    };
  },
  threads: (s, p) => (p as unknown as Program).threads.map((ops, t) => thread(`T${t}`, () => run(s, t, ops))),
  final: [{
    name: 'forbidden final value',
    check: (s) => {
      const slots = [s.cells[0]?.value, s.cells[1]?.value, s.atoms[0]?.value, s.atoms[1]?.value];
      const state = `${slots.join(',')}|${s.acc.join(',')}`;
      let set = finalStates.get(s.key);
      if (!set) finalStates.set(s.key, (set = new Set()));
      set.add(state);
      return slots[s.forbid[0]] !== s.forbid[1] || `slot ${s.forbid[0]} ended as ${s.forbid[1]}`;
    },
  }],
};

/** The model interpreting a program (its scenario parameters). */
export const programModel = defineModel(programDef);

/** The same with a per-step invariant: intermediate states count, not only final ones. */
export const programModelStep = defineModel<S, Json>({
  ...programDef,
  name: 'test/random-program-step',
  // A two-object predicate: which intermediate states occur depends on how writes to different
  // objects interleave, exactly what a reduction must not assume away.
  invariants: [{ name: 'a0, a1 never 2, 1', check: (s) => !((s.atoms[0]?.value ?? 0) === 2 && (s.atoms[1]?.value ?? 0) === 1) }],
});
