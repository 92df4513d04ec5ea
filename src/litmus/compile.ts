/**
 * `compileLitmus(test)`: a parsed litmus test as a mapcheck model, built with the public API only.
 * setup() creates each shared location as the object its kind needs (a `Field` for int and pointer
 * cells, an `AtomicT` for atomic_t, a `SpinlockT` for spinlock_t) with its initial value, a pointer
 * being the location's object itself; threads() runs each process P<i> as a thread (interp.ts)
 * whose registers are thread-local; the model's final check records the final state of every
 * execution that reaches the end (each process's registers and each location's value, addresses
 * as the location's name), which the runner (run.ts) collects. Under `memoryModel: 'sc'` the
 * dependency declarations the threads make are no-ops; a weak memory model reads them.
 * Leaves out: pointer cells in an initialisation cycle (`x=y; y=x`) get their value after
 * construction (`field.v`), since neither object exists before the other.
 */
import { type AnyModel, AtomicT, Field, type Op, SpinlockT, defineModel, fnv1a, thread } from '../index.js';
import type { LitmusTest } from './ast.js';
import type { LitmusError } from './errors.js';
import { type Exec, ProcCompiler } from './interp.js';
import { type DepTrace, type Runtime, ThreadCtx, initialRegisters } from './thread-ctx.js';
import { type Layout, layoutOf } from './layout.js';
import type { LocObj, Value } from './values.js';

/** A final-state value: a number, or the name of the location an address points to. */
export type FinalValue = number | string;
export type FinalState = ReadonlyMap<string, FinalValue>;
/** A final state as the values of `CompiledLitmus.keys`, in that order. */
export type FinalValues = readonly FinalValue[];

export interface CompiledLitmus {
  readonly test: LitmusTest;
  readonly layout: Layout;
  readonly model: AnyModel;
  /** Every final-state key in herd7's order: registers (by process, name), then locations. */
  readonly keys: readonly string[];
  /**
   * The final state the last execution recorded (null when it did not reach the end), with the
   * herd7 flags its processes raised (unmatched-rcu-lock, unmatched-rcu-unlock, unmatched-unlock);
   * clears it.
   */
  takeFinal(): { readonly values: FinalValues; readonly flags: readonly string[] } | null;
  /** The run-time error of the test the last execution hit, if any; clears it. */
  takeError(): LitmusError | null;
}

interface State {
  readonly rt: Runtime;
  readonly ctxs: ThreadCtx[];
}

/** A model name for the test: lower case, `+` and other signs as `-`. */
function modelName(test: LitmusTest): string {
  const base = test.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return `litmus-test/${base || 'unnamed'}`;
}

function createLocations(layout: Layout): Runtime {
  const objs = new Map<string, LocObj>();
  const pointers: [string, string][] = [];
  for (const l of layout.locs.values()) {
    if (l.kind === 'lock') objs.set(l.name, new SpinlockT(l.name));
    else if (l.kind === 'atomic') objs.set(l.name, new AtomicT(l.init.k === 'num' ? l.init.v : 0, l.name));
    else if (l.init.k === 'num') objs.set(l.name, new Field<Value>(l.init.v, l.name));
    else pointers.push([l.name, l.init.name]);
  }
  // Pointer cells in dependency order, so each is created holding its target.
  let left = pointers;
  while (left.length > 0) {
    const next = left.filter(([name, target]) => {
      const t = objs.get(target);
      if (t === undefined) return true;
      objs.set(name, new Field<Value>(t, name));
      return false;
    });
    if (next.length === left.length) {
      for (const [name] of next) objs.set(name, new Field<Value>(0, name));
      for (const [name, target] of next) (objs.get(name) as Field<Value>).v = objs.get(target) as LocObj;
      break;
    }
    left = next;
  }
  return { objs };
}

export interface CompileOptions {
  /** Told every read event and declared dependency of every thread (tests, explanations). */
  readonly trace?: DepTrace;
}

export function compileLitmus(test: LitmusTest, layout: Layout = layoutOf(test), opts: CompileOptions = {}): CompiledLitmus {
  let final: { values: FinalValue[]; flags: string[] } | null = null;
  let error: LitmusError | null = null;
  const onError = (e: LitmusError): void => {
    error ??= e;
  };
  const bodies = test.procs.map((p) => new ProcCompiler(layout.procs[p.index] as Layout['procs'][number], `P${p.index}`).body(p.body));
  const regKeys: [number, string][] = [];
  for (const p of layout.procs) for (const r of p.registers) regKeys.push([p.index, r]);
  const memKeys = [...layout.locs.values()].filter((l) => l.kind !== 'lock').map((l) => l.name).sort();
  const keys = [...regKeys.map(([p, r]) => `${p}:${r}`), ...memKeys];
  const own = layout.procs.map((p) => p.ownWrites);

  const show = (v: Value): FinalValue => (typeof v === 'number' ? v : v.name);
  const record = (s: State): true => {
    const out: FinalValue[] = [];
    for (const [p, r] of regKeys) out.push(show(s.ctxs[p]?.regs.get(r)?.v ?? 0));
    for (const name of memKeys) {
      const o = s.rt.objs.get(name);
      out.push(o instanceof AtomicT ? o.value : o instanceof Field ? show(o.value as Value) : 0);
    }
    const flags: string[] = [];
    for (const c of s.ctxs) if (c) flags.push(...c.endFlags());
    final = { values: out, flags };
    return true;
  };

  const model = defineModel<State, Record<string, never>>({
    name: modelName(test),
    description: `litmus test ${test.name} (${test.file})`,
    scenarios: { default: {} },
    leakCheck: false,
    // The test's tree (without positions) decides the hash, so a token of another test is refused.
    source: fnv1a(JSON.stringify(test, (k, v: unknown) => (k === 'pos' ? undefined : v))).toString(16),
    setup: () => ({ rt: createLocations(layout), ctxs: [] }),
    // Each thread body returns its process's generator directly (no wrapper generator per thread).
    threads: (s) => layout.procs.map((p, i) => thread(`P${i}`, () => {
      const c = new ThreadCtx(i, s.rt, own[i] as ReadonlySet<string>, test.file, onError, opts.trace ?? null);
      s.ctxs[i] = c;
      initialRegisters(c, p);
      return (bodies[i] as Exec).run(c) as Generator<Op, unknown, unknown>;
    })),
    final: [{ name: 'final state recorded', check: record }],
  });

  return {
    test, layout, model, keys,
    takeFinal: () => {
      const f = final;
      final = null;
      return f;
    },
    takeError: () => {
      const e = error;
      error = null;
      return e;
    },
  };
}
