/**
 * `layoutOf(test)`: what a parsed litmus test declares, checked before anything runs. The shared
 * locations (from the init block, the processes' parameters and `&x` / `y=x` addresses) with their
 * kind (an int or pointer cell, an atomic_t, a spinlock_t) and initial value; each process's
 * registers (declared, assigned, or only read: herd7 registers start at 0) and parameters; which
 * locations only one process writes (so a read of its own earlier write is certain to read from it:
 * linux-kernel.bell's carry-dep through memory, used by interp.ts); and that the final clauses name
 * registers and locations that exist. A kind follows the declared type; like herd7's loose typing,
 * an int passed to an atomic_t arithmetic op becomes an atomic_t and one passed to spin_lock a lock.
 * Every problem is one LitmusError with the file and line.
 * Leaves out: C type checking beyond that (herd7 has almost none, Documentation/litmus-tests.txt).
 */
import type { CondLoc, CondValue, Expr, InitValue, LitmusTest, Pos, Proc, Prop, Stmt } from './ast.js';
import { semanticError } from './errors.js';
import { primitive } from './primitives.js';

export type LocKind = 'cell' | 'atomic' | 'lock';

export interface LocInfo {
  readonly name: string;
  readonly kind: LocKind;
  readonly init: InitValue;
}

export interface ProcLayout {
  readonly index: number;
  /** Parameter names (each names the global of the same name). */
  readonly params: ReadonlySet<string>;
  /** Registers that are not parameters, sorted: what the final state records. */
  readonly registers: readonly string[];
  readonly regInit: ReadonlyMap<string, InitValue>;
  /** Locations no other process writes (carry-dep through memory is certain for them). */
  readonly ownWrites: ReadonlySet<string>;
}

export interface Layout {
  readonly locs: ReadonlyMap<string, LocInfo>;
  readonly procs: readonly ProcLayout[];
}

function declaredKind(type: string, ptr: number): LocKind {
  if (ptr === 0 && type === 'spinlock_t') return 'lock';
  if (ptr === 0 && type === 'atomic_t') return 'atomic';
  return 'cell';
}

interface ProcFacts {
  declared: Set<string>;
  assigned: Set<string>;
  read: Set<string>;
  /** Location names written through a static address; `dynamic`: written through a computed one. */
  writes: Set<string>;
  dynamic: boolean;
}

export function layoutOf(test: LitmusTest): Layout {
  const file = test.file;
  const kinds = new Map<string, { kind: LocKind; pos: Pos }>();
  const inits = new Map<string, { v: InitValue; pos: Pos }>();
  const addrUses: { name: string; pos: Pos }[] = [];
  /** An int cell may become an atomic_t or a lock; an atomic_t never a lock nor the reverse. */
  const declare = (name: string, kind: LocKind, pos: Pos): void => {
    const old = kinds.get(name);
    if (!old || (old.kind === 'cell' && kind !== 'cell')) kinds.set(name, { kind, pos });
    else if (kind !== 'cell' && kind !== old.kind) throw semanticError(file, pos, `${name} is used as ${what(kind)} but is ${what(old.kind)} (line ${old.pos.line})`);
  };
  for (const it of test.init) {
    if (it.k !== 'loc') continue;
    declare(it.name, it.type === null ? 'cell' : declaredKind(it.type, it.ptr), it.pos);
    if (it.value) {
      if (inits.has(it.name)) throw semanticError(file, it.pos, `${it.name} is initialised twice in the init block`);
      inits.set(it.name, { v: it.value, pos: it.pos });
      if (it.value.k === 'addr') addrUses.push({ name: it.value.name, pos: it.pos });
    }
  }
  for (const p of test.procs) for (const prm of p.params) declare(prm.name, declaredKind(prm.type, prm.ptr - 1), prm.pos);
  // An address in the init block may name a variable declared nowhere else (herd7 makes it one).
  for (const a of addrUses) if (!kinds.has(a.name)) kinds.set(a.name, { kind: 'cell', pos: a.pos });

  const facts = test.procs.map((p) => procFacts(test, p, kinds, declare));
  const locs = new Map<string, LocInfo>();
  for (const [name, k] of kinds) {
    const init = inits.get(name);
    if (init && k.kind === 'lock') throw semanticError(file, init.pos, `spinlock_t ${name} cannot be given a value`);
    if (init && k.kind === 'atomic' && init.v.k === 'addr') throw semanticError(file, init.pos, `atomic_t ${name} cannot hold the address of ${init.v.name}`);
    locs.set(name, { name, kind: k.kind, init: init?.v ?? { k: 'num', v: 0 } });
  }
  for (const a of addrUses) if (locs.get(a.name)?.kind === 'lock') throw semanticError(file, a.pos, `the address of spinlock_t ${a.name} cannot be a value`);

  const procs = test.procs.map((p, i): ProcLayout => {
    const f = facts[i] as ProcFacts;
    const params = new Set(p.params.map((x) => x.name));
    const regInit = new Map<string, InitValue>();
    for (const it of test.init) {
      if (it.k !== 'reg' || it.proc !== i) continue;
      if (it.value.k === 'addr' && !locs.has(it.value.name)) throw semanticError(file, it.pos, `${i}:${it.name} is initialised to the address of ${it.value.name}, which is not a shared variable`);
      regInit.set(it.name, it.value);
    }
    const regs = new Set([...f.declared, ...f.assigned, ...f.read, ...regInit.keys()]);
    for (const x of params) regs.delete(x);
    const ownWrites = new Set<string>();
    const othersDynamic = facts.some((g, j) => j !== i && g.dynamic);
    if (!othersDynamic) {
      for (const name of locs.keys()) if (facts.every((g, j) => j === i || !g.writes.has(name))) ownWrites.add(name);
    }
    return { index: i, params, registers: [...regs].sort(), regInit, ownWrites };
  });
  for (const it of test.init) if (it.k === 'reg' && it.proc >= test.procs.length) throw semanticError(file, it.pos, `the init block sets ${it.proc}:${it.name} but the test has no P${it.proc}`);
  checkClauses(test, locs, procs);
  return { locs, procs };
}

function what(k: LocKind): string {
  return k === 'lock' ? 'a spinlock_t' : k === 'atomic' ? 'an atomic_t' : 'an int';
}

/** Registers, writes and static locations of one process; checks names and calls as it goes. */
function procFacts(test: LitmusTest, p: Proc, kinds: ReadonlyMap<string, unknown>, declare: (n: string, k: LocKind, pos: Pos) => void): ProcFacts {
  const file = test.file;
  const params = new Set(p.params.map((x) => x.name));
  const f: ProcFacts = { declared: new Set(), assigned: new Set(), read: new Set(), writes: new Set(), dynamic: false };
  const scanAssigned = (s: Stmt): void => {
    if (s.k === 'decl') {
      if (params.has(s.name)) throw semanticError(file, s.pos, `P${p.index} declares ${s.name}, which is also its parameter`);
      f.declared.add(s.name);
    } else if (s.k === 'assign' && s.target.k === 'id') f.assigned.add(s.target.name);
    else if (s.k === 'if') {
      scanAssigned(s.then);
      if (s.else) scanAssigned(s.else);
    } else if (s.k === 'block') s.body.forEach(scanAssigned);
  };
  p.body.forEach(scanAssigned);
  const local = (n: string): boolean => f.declared.has(n) || f.assigned.has(n);
  /** The global a pointer expression surely names, or null when computed at run time. */
  const staticLoc = (e: Expr): string | null => {
    if (e.k === 'addr') return e.name;
    if (e.k === 'id' && params.has(e.name) && !f.assigned.has(e.name)) return e.name;
    return null;
  };
  const wrote = (e: Expr): void => {
    const s = staticLoc(e);
    if (s === null) f.dynamic = true;
    else f.writes.add(s);
  };
  const expr = (e: Expr, wantValue: boolean): void => {
    switch (e.k) {
      case 'num': return;
      case 'id':
        if (!params.has(e.name) && !local(e.name)) {
          if (kinds.has(e.name)) throw semanticError(file, e.pos, `P${p.index} uses ${e.name}, which is not one of its parameters (add int *${e.name} to P${p.index}'s parameters)`);
          f.read.add(e.name);
        }
        return;
      case 'addr':
        if (!kinds.has(e.name)) throw semanticError(file, e.pos, `&${e.name}: there is no shared variable ${e.name}`);
        return;
      case 'deref': expr(e.e, true); return;
      case 'un': expr(e.e, true); return;
      case 'bin': expr(e.l, true); expr(e.r, true); return;
      case 'cond': expr(e.c, true); expr(e.a, true); expr(e.b, true); return;
      case 'call': {
        const prim = primitive(e.name);
        if (!prim) throw semanticError(file, e.pos, `${e.name}() is not a primitive`);
        if (wantValue && !prim.returns) throw semanticError(file, e.pos, `${e.name}() returns no value`);
        prim.args.forEach((k, i) => {
          const a = e.args[i] as Expr;
          expr(a, true);
          if (k === 'val') return;
          const target = k === 'loc' && a.k === 'deref' ? a.e : a;
          const s = staticLoc(target);
          if (s !== null && (prim.cls === 'atomic' || prim.cls === 'lock')) declare(s, prim.cls, a.pos);
          if (prim.effect === 'write' || prim.effect === 'rmw') wrote(target);
        });
      }
    }
  };
  const stmt = (s: Stmt): void => {
    switch (s.k) {
      case 'decl': if (s.init) expr(s.init, true); return;
      case 'assign':
        expr(s.value, true);
        if (s.target.k === 'deref') {
          expr(s.target.e, true);
          wrote(s.target.e);
        }
        return;
      case 'expr': expr(s.e, false); return;
      case 'if': expr(s.c, true); stmt(s.then); if (s.else) stmt(s.else); return;
      case 'block': s.body.forEach(stmt);
    }
  };
  p.body.forEach(stmt);
  return f;
}

/** The final clauses name registers each process has and shared variables with values. */
function checkClauses(test: LitmusTest, locs: ReadonlyMap<string, LocInfo>, procs: readonly ProcLayout[]): void {
  const file = test.file;
  const pos = test.condition.pos;
  const loc = (l: CondLoc, where: string): void => {
    if (l.k === 'reg') {
      const p = procs[l.proc];
      if (!p) throw semanticError(file, pos, `the ${where} names ${l.proc}:${l.name} but the test has no P${l.proc}`);
      if (!p.registers.includes(l.name)) throw semanticError(file, pos, `the ${where} names ${l.proc}:${l.name} but P${l.proc} has no register ${l.name}${p.params.has(l.name) ? ` (${l.name} is its parameter)` : ''}`);
      return;
    }
    const info = locs.get(l.name);
    if (!info) throw semanticError(file, pos, `the ${where} names ${l.name}, which is not a shared variable of the test`);
    if (info.kind === 'lock') throw semanticError(file, pos, `the ${where} names spinlock_t ${l.name}, which has no value`);
  };
  const value = (v: CondValue, where: string): void => {
    if (v.k === 'addr' && !locs.has(v.name)) throw semanticError(file, pos, `the ${where} compares with ${v.name}, which is not a shared variable of the test`);
  };
  const prop = (p: Prop, where: string): void => {
    switch (p.k) {
      case 'atom': loc(p.loc, where); value(p.value, where); return;
      case 'not': prop(p.p, where); return;
      case 'and': case 'or': case 'imp': prop(p.l, where); prop(p.r, where); return;
      default:
    }
  };
  prop(test.condition.prop, 'condition');
  if (test.filter) prop(test.filter, 'filter');
  for (const l of test.locations) loc(l, 'locations clause');
}
