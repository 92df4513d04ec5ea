/**
 * An independent brute-force SC enumerator for parsed litmus tests, to check the litmus front end
 * and mapcheck's engine against: it interleaves the processes' shared accesses directly (no mapcheck
 * engine, no src/litmus interpreter) and collects every final state, then evaluates the condition
 * with its own evaluator. Semantics: sequential consistency with every marked and plain access one
 * atomic step; fences are no-ops; spin_lock blocks while the lock is held; rcu_read_lock / unlock
 * are steps and synchronize_rcu waits for the read-side sections running when it started; atomic_t
 * arithmetic wraps at 32 bits. Expressions are evaluated left to right, both sides of && and ||.
 * Exploration is stateless DFS: each schedule prefix is replayed from scratch (small tests only).
 * Leaves out: dependencies and races (SC has no use for the first; the second is the engine's job).
 */
import type { CondValue, Expr, InitValue, LitmusTest, Prop, Stmt } from '../../src/litmus/index.js';

type V = number | string; // a string is the address of the location of that name
interface Shared {
  mem: Map<string, V>;
  holder: Map<string, number>;
  rcuDepth: number[];
  rcuSection: number[];
}
/** One shared step: enabled when `enabled` says so, then `act` runs it. */
interface Step {
  enabled(s: Shared): boolean;
  act(s: Shared): V;
}
type Gen<R> = Generator<Step, R, V>;

class OracleError extends Error {}

function step(act: (s: Shared) => V, enabled: (s: Shared) => boolean = () => true): Step {
  return { enabled, act };
}

function toLoc(v: V, what: string): string {
  if (typeof v !== 'string') throw new OracleError(`${what} is ${v}, not an address`);
  return v;
}

function numOf(v: V, what: string): number {
  if (typeof v !== 'number') throw new OracleError(`${what} on an address`);
  return v;
}

const ATOMIC = /^atomic_(fetch_)?(add|sub|inc|dec|and|or|xor|andnot)(_return)?(_relaxed|_acquire|_release)?$/;

function arith(op: string, old: number, i: number): number {
  switch (op) {
    case 'add': return (old + i) | 0;
    case 'sub': return (old - i) | 0;
    case 'inc': return (old + 1) | 0;
    case 'dec': return (old - 1) | 0;
    case 'and': return old & i;
    case 'or': return old | i;
    case 'xor': return old ^ i;
    default: return old & ~i; // andnot
  }
}

class Thread {
  regs = new Map<string, V>();
  constructor(readonly id: number, readonly params: ReadonlySet<string>) {}

  *stmts(list: readonly Stmt[]): Gen<void> {
    for (const s of list) yield* this.stmt(s);
  }

  *stmt(s: Stmt): Gen<void> {
    switch (s.k) {
      case 'decl': if (s.init) this.regs.set(s.name, yield* this.expr(s.init)); else if (!this.regs.has(s.name)) this.regs.set(s.name, 0); return;
      case 'assign':
        if (s.target.k === 'id') { this.regs.set(s.target.name, yield* this.expr(s.value)); return; }
        if (s.target.k === 'deref') {
          const loc = toLoc(yield* this.expr(s.target.e), 'store address');
          const v = yield* this.expr(s.value);
          yield step((sh) => { sh.mem.set(loc, v); return 0; });
        }
        return;
      case 'expr': yield* this.expr(s.e); return;
      case 'block': yield* this.stmts(s.body); return;
      case 'if': {
        const c = yield* this.expr(s.c);
        if (c !== 0) yield* this.stmt(s.then);
        else if (s.else) yield* this.stmt(s.else);
      }
    }
  }

  *expr(e: Expr): Gen<V> {
    switch (e.k) {
      case 'num': return e.v;
      case 'id': return this.regs.get(e.name) ?? (this.params.has(e.name) ? e.name : 0);
      case 'addr': return e.name;
      case 'deref': {
        const loc = toLoc(yield* this.expr(e.e), 'load address');
        return yield step((sh) => sh.mem.get(loc) ?? 0);
      }
      case 'un': {
        const v = yield* this.expr(e.e);
        if (e.op === '!') return v === 0 ? 1 : 0;
        return e.op === '-' ? -numOf(v, '-') : ~numOf(v, '~');
      }
      case 'bin': {
        const a = yield* this.expr(e.l);
        const b = yield* this.expr(e.r);
        switch (e.op) {
          case '==': return a === b ? 1 : 0;
          case '!=': return a !== b ? 1 : 0;
          case '&&': return a !== 0 && b !== 0 ? 1 : 0;
          case '||': return a !== 0 || b !== 0 ? 1 : 0;
          default: {
            const x = numOf(a, e.op);
            const y = numOf(b, e.op);
            const r = { '+': x + y, '-': x - y, '*': x * y, '/': Math.trunc(x / y), '%': x % y, '&': x & y, '|': x | y, '^': x ^ y, '<<': x << y, '>>': x >> y, '<': +(x < y), '<=': +(x <= y), '>': +(x > y), '>=': +(x >= y) }[e.op];
            if (!Number.isFinite(r)) throw new OracleError('division by zero');
            return r;
          }
        }
      }
      case 'cond': return (yield* this.expr(e.c)) !== 0 ? yield* this.expr(e.a) : yield* this.expr(e.b);
      case 'call': return yield* this.call(e.name, e.args);
    }
  }

  /** The location a primitive's location argument names (`*p` for READ_ONCE-like, `p` else). */
  private *locArg(name: string, a: Expr): Gen<string> {
    return toLoc(yield* this.expr(a.k === 'deref' && LOC_FIRST.test(name) ? a.e : a), 'location');
  }

  *call(name: string, args: readonly Expr[]): Gen<V> {
    const t = this.id;
    if (/^(smp_mb|smp_rmb|smp_wmb|barrier|smp_mb__\w+)$/.test(name)) return 0;
    if (name === 'rcu_read_lock') return yield step((s) => { if (s.rcuDepth[t] === 0) s.rcuSection[t] = (s.rcuSection[t] as number) + 1; s.rcuDepth[t] = (s.rcuDepth[t] as number) + 1; return 0; });
    if (name === 'rcu_read_unlock') return yield step((s) => { s.rcuDepth[t] = Math.max(0, (s.rcuDepth[t] as number) - 1); return 0; });
    if (name === 'synchronize_rcu' || name === 'synchronize_rcu_expedited') {
      let snap: [number, number][] = [];
      yield step((s) => { snap = s.rcuDepth.flatMap((d, u) => (d > 0 && u !== t ? [[u, s.rcuSection[u] as number] as [number, number]] : [])); return 0; });
      return yield step(() => 0, (s) => snap.every(([u, sec]) => s.rcuDepth[u] === 0 || s.rcuSection[u] !== sec));
    }
    // Value arguments are evaluated in order, the location where it stands.
    const vals: V[] = [];
    let loc = '';
    const kinds = ARGS[name] ?? ARGS[name.replace(/_(relaxed|acquire|release)$/, '')];
    if (!kinds) throw new OracleError(`oracle does not know ${name}`);
    for (let i = 0; i < args.length; i++) {
      if (kinds[i] === 'l') loc = yield* this.locArg(name, args[i] as Expr);
      else vals.push(yield* this.expr(args[i] as Expr));
    }
    if (name === 'spin_lock') return yield step((s) => { s.holder.set(loc, t); return 0; }, (s) => !s.holder.has(loc));
    if (name === 'spin_unlock') return yield step((s) => { if (s.holder.get(loc) !== t) throw new OracleError('unlock of a lock not held'); s.holder.delete(loc); return 0; });
    if (name === 'spin_trylock') return yield step((s) => { if (s.holder.has(loc)) return 0; s.holder.set(loc, t); return 1; });
    if (name === 'spin_is_locked') return yield step((s) => (s.holder.has(loc) ? 1 : 0));
    if (/^(READ_ONCE|smp_load_acquire|rcu_dereference|atomic_read|atomic_read_acquire)$/.test(name)) return yield step((s) => s.mem.get(loc) ?? 0);
    if (/^(WRITE_ONCE|smp_store_release|rcu_assign_pointer|smp_store_mb|atomic_set|atomic_set_release)$/.test(name)) {
      return yield step((s) => { s.mem.set(loc, vals[0] as V); return 0; });
    }
    if (/^(atomic_)?xchg/.test(name)) return yield step((s) => { const old = s.mem.get(loc) ?? 0; s.mem.set(loc, vals[0] as V); return old; });
    if (/^(atomic_)?cmpxchg/.test(name)) return yield step((s) => { const old = s.mem.get(loc) ?? 0; if (old === vals[0]) s.mem.set(loc, vals[1] as V); return old; });
    if (name === 'atomic_add_unless') {
      return yield step((s) => { const old = numOf(s.mem.get(loc) ?? 0, name); if (old === vals[1]) return 0; s.mem.set(loc, (old + numOf(vals[0] as V, name)) | 0); return 1; });
    }
    const test = /^atomic_(sub|dec|inc)_and_test$/.exec(name);
    const neg = /^atomic_add_negative(_relaxed|_acquire|_release)?$/.test(name);
    const m = ATOMIC.exec(name);
    if (test || neg || m) {
      const op = test ? (test[1] as string) : neg ? 'add' : (m as RegExpExecArray)[2] as string;
      return yield step((s) => {
        const old = numOf(s.mem.get(loc) ?? 0, name);
        const nu = arith(op, old, vals.length > 0 ? numOf(vals[0] as V, name) : 1);
        s.mem.set(loc, nu);
        if (test) return nu === 0 ? 1 : 0;
        if (neg) return nu < 0 ? 1 : 0;
        return m?.[1] ? old : m?.[3] ? nu : 0;
      });
    }
    throw new OracleError(`oracle does not know ${name}`);
  }
}

/** Which primitives take the location as their first argument written `*p`. */
const LOC_FIRST = /^(READ_ONCE|WRITE_ONCE|rcu_assign_pointer|rcu_dereference|smp_store_mb)$/;

/** Argument shapes: l = the location, v = a value (kernel order). */
const ARGS: Record<string, string> = {
  READ_ONCE: 'l', WRITE_ONCE: 'lv', smp_store_release: 'lv', smp_load_acquire: 'l', rcu_assign_pointer: 'lv', rcu_dereference: 'l', smp_store_mb: 'lv',
  xchg: 'lv', cmpxchg: 'lvv', atomic_xchg: 'lv', atomic_cmpxchg: 'lvv',
  spin_lock: 'l', spin_unlock: 'l', spin_trylock: 'l', spin_is_locked: 'l',
  atomic_read: 'l', atomic_set: 'lv', atomic_read_acquire: 'l', atomic_set_release: 'lv',
  atomic_add: 'vl', atomic_sub: 'vl', atomic_and: 'vl', atomic_or: 'vl', atomic_xor: 'vl', atomic_andnot: 'vl', atomic_inc: 'l', atomic_dec: 'l',
  atomic_add_return: 'vl', atomic_sub_return: 'vl', atomic_inc_return: 'l', atomic_dec_return: 'l',
  atomic_fetch_add: 'vl', atomic_fetch_sub: 'vl', atomic_fetch_and: 'vl', atomic_fetch_or: 'vl', atomic_fetch_xor: 'vl', atomic_fetch_andnot: 'vl',
  atomic_fetch_inc: 'l', atomic_fetch_dec: 'l', atomic_sub_and_test: 'vl', atomic_dec_and_test: 'l', atomic_inc_and_test: 'l', atomic_add_negative: 'vl',
  atomic_add_unless: 'lvv',
};

function initV(v: InitValue): V {
  return v.k === 'num' ? v.v : v.name;
}

export interface OracleResult {
  /** Every final state, `key=value;` over all registers (non-parameters) and non-lock locations, sorted. */
  readonly outcomes: string[];
  readonly positive: number;
  readonly negative: number;
  readonly verdict: 'Always' | 'Sometimes' | 'Never';
  readonly deadlocks: number;
}

function cv(v: CondValue): V {
  return v.k === 'num' ? v.v : v.name;
}

function holds(p: Prop, get: (k: string) => V): boolean {
  switch (p.k) {
    case 'true': return true;
    case 'false': return false;
    case 'not': return !holds(p.p, get);
    case 'and': return holds(p.l, get) && holds(p.r, get);
    case 'or': return holds(p.l, get) || holds(p.r, get);
    case 'imp': return !holds(p.l, get) || holds(p.r, get);
    case 'atom': return (get(p.loc.k === 'reg' ? `${p.loc.proc}:${p.loc.name}` : p.loc.name) === cv(p.value)) !== p.negated;
  }
}

/** Every SC final state of `test`, and the verdict of its condition over them. */
export function scOracle(test: LitmusTest, limit = 200_000): OracleResult {
  const locks = new Set<string>();
  const names = new Set<string>();
  for (const it of test.init) {
    if (it.k !== 'loc') continue;
    names.add(it.name);
    if (it.type === 'spinlock_t' && it.ptr === 0) locks.add(it.name);
    if (it.value?.k === 'addr') names.add(it.value.name);
  }
  for (const p of test.procs) {
    for (const x of p.params) {
      names.add(x.name);
      if (x.type === 'spinlock_t' && x.ptr === 1) locks.add(x.name);
    }
  }
  const regNames = test.procs.map((p) => registersOf(p.body, new Set(p.params.map((x) => x.name))));
  for (const it of test.init) if (it.k === 'reg') regNames[it.proc]?.add(it.name);
  const finals = new Map<string, Map<string, V>>();
  let deadlocks = 0;
  let runs = 0;
  const run = (schedule: readonly number[]): number[] | null => {
    if (++runs > limit) throw new OracleError('oracle budget exceeded');
    const sh: Shared = { mem: new Map(), holder: new Map(), rcuDepth: test.procs.map(() => 0), rcuSection: test.procs.map(() => 0) };
    for (const n of names) sh.mem.set(n, 0);
    for (const it of test.init) if (it.k === 'loc' && it.value) sh.mem.set(it.name, initV(it.value));
    const threads = test.procs.map((p) => {
      const th = new Thread(p.index, new Set(p.params.map((x) => x.name)));
      for (const r of regNames[p.index] as Set<string>) th.regs.set(r, 0);
      for (const it of test.init) if (it.k === 'reg' && it.proc === p.index) th.regs.set(it.name, initV(it.value));
      return th;
    });
    const gens = threads.map((th, i) => th.stmts((test.procs[i] as LitmusTest['procs'][number]).body));
    const pending: (Step | null)[] = gens.map((g) => g.next().value ?? null);
    const resume = (i: number): void => {
      const st = pending[i] as Step;
      const r = (gens[i] as Gen<void>).next(st.act(sh));
      pending[i] = r.done ? null : r.value;
    };
    for (const t of schedule) resume(t);
    const enabled = pending.flatMap((s, i) => (s && s.enabled(sh) ? [i] : []));
    if (enabled.length > 0) return enabled;
    if (pending.some((s) => s !== null)) {
      deadlocks++;
      return null;
    }
    const state = new Map<string, V>();
    threads.forEach((th, i) => { for (const r of regNames[i] as Set<string>) state.set(`${i}:${r}`, th.regs.get(r) ?? 0); });
    for (const n of names) if (!locks.has(n)) state.set(n, sh.mem.get(n) ?? 0);
    const key = [...state.keys()].sort().map((k) => `${k}=${String(state.get(k))};`).join(' ');
    finals.set(key, state);
    return null;
  };
  const dfs = (prefix: number[]): void => {
    const next = run(prefix);
    if (next) for (const t of next) dfs([...prefix, t]);
  };
  dfs([]);
  let positive = 0;
  let negative = 0;
  const kept: string[] = [];
  const shown = new Set<string>();
  for (const [key, st] of finals) {
    const get = (k: string): V => {
      const v = st.get(k);
      if (v === undefined) throw new OracleError(`no ${k} in the final state`);
      return v;
    };
    if (test.filter && !holds(test.filter, get)) continue;
    kept.push(key);
    // Count distinct shown states: the condition's keys only.
    const shownKey = JSON.stringify(condKeys(test.condition.prop).map((k) => get(k)));
    if (shown.has(shownKey)) continue;
    shown.add(shownKey);
    if (holds(test.condition.prop, get)) positive++;
    else negative++;
  }
  return { outcomes: kept.sort(), positive, negative, verdict: positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes', deadlocks };
}

function condKeys(p: Prop): string[] {
  switch (p.k) {
    case 'atom': return [p.loc.k === 'reg' ? `${p.loc.proc}:${p.loc.name}` : p.loc.name];
    case 'not': return condKeys(p.p);
    case 'and': case 'or': case 'imp': return [...condKeys(p.l), ...condKeys(p.r)];
    default: return [];
  }
}

/** Registers of a process: every identifier it declares, assigns or reads that is not a parameter. */
function registersOf(body: readonly Stmt[], params: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const e = (x: Expr): void => {
    if (x.k === 'id' && !params.has(x.name)) out.add(x.name);
    if (x.k === 'deref' || x.k === 'un') e(x.e);
    if (x.k === 'bin') { e(x.l); e(x.r); }
    if (x.k === 'cond') { e(x.c); e(x.a); e(x.b); }
    if (x.k === 'call') x.args.forEach(e);
  };
  const s = (x: Stmt): void => {
    if (x.k === 'decl') { out.add(x.name); if (x.init) e(x.init); }
    if (x.k === 'assign') { e(x.target); e(x.value); }
    if (x.k === 'expr') e(x.e);
    if (x.k === 'if') { e(x.c); s(x.then); if (x.else) s(x.else); }
    if (x.k === 'block') x.body.forEach(s);
  };
  body.forEach(s);
  return out;
}
