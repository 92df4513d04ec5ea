/**
 * A litmus process as a mapcheck thread: each statement and expression of the parsed process is
 * compiled once into a closure (ProcCompiler), and a thread body runs those closures against a
 * ThreadCtx (thread-ctx.ts) holding the process's registers (thread-local, with taints), so every shared
 * access is one helper call of the mapcheck API (interp-prims.ts) and nothing else touches shared
 * state. Dependencies are declared as herd7 computes them syntactically: an access's address and
 * written value carry the taint of the registers they were computed from (`addr_dep`, `data_dep`),
 * and an `if` whose condition is tainted declares `ctrl_dep` once, which orders every later access
 * of the thread, inside the branch or after it (herd7 counts ctrl so).
 * Leaves out: short-circuit `&&`/`||` (both sides run, as in herd7's C); the ternary's condition
 * taints its value as data (herd7 has no ternary in the LKMM's tests).
 */
import { type Op, ctrl_dep } from '../index.js';
import type { Expr, Pos, Stmt } from './ast.js';
import { performPrim, plainAccess } from './interp-prims.js';
import type { ProcLayout } from './layout.js';
import { printExpr, printStmt } from './print.js';
import { primitive, type Prim } from './primitives.js';
import { ThreadCtx } from './thread-ctx.js';
import { type LocObj, NO_TAINT, type TV, type Taint, ValueError, binary, truthy, unary, union } from './values.js';

const ZERO: TV = { v: 0, t: NO_TAINT };

type G<R> = Generator<Op, R, unknown>;

type Pure = (c: ThreadCtx) => TV;
interface Compiled {
  readonly pure: Pure | null;
  readonly run: (c: ThreadCtx) => G<TV>;
}

/**
 * A compiled statement: `sync` when it touches no shared memory (register arithmetic), else `run`,
 * a generator of its ops. Expressions and statements whose parts are pure call the access helper
 * directly, so an access costs the helper's generators and one of ours, not one per syntax level.
 */
export interface Exec {
  readonly sync: ((c: ThreadCtx) => void) | null;
  readonly run: (c: ThreadCtx) => G<unknown>;
}

/** A generator that is already done: what a statement without ops returns (reusable when done). */
const NO_OPS: G<unknown> = (function* (): G<void> {})();
NO_OPS.next();

function sync(f: (c: ThreadCtx) => void): Exec {
  return { sync: f, run: (c) => { f(c); return NO_OPS; } };
}

function ops(run: (c: ThreadCtx) => G<unknown>): Exec {
  return { sync: null, run };
}

function pure(f: Pure): Compiled {
  return {
    pure: f,
    run: function* (c) {
      return f(c);
    },
  };
}

function guard<T>(c: ThreadCtx, pos: Pos, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ValueError) {
      c.line = pos.line;
      return c.fail(e.message);
    }
    throw e;
  }
}

function asLoc(c: ThreadCtx, tv: TV, e: Expr): LocObj {
  if (typeof tv.v !== 'number') return tv.v;
  c.line = e.pos.line;
  return c.fail(`${printExpr(e)} is ${tv.v}, not the address of a shared variable`);
}

/** The closures of one process, built once per compile. */
export class ProcCompiler {
  constructor(private readonly layout: ProcLayout, private readonly prefix: string) {}

  private label(pos: Pos, text: string): string {
    return `${this.prefix}:${pos.line} ${text}`;
  }

  body(stmts: readonly Stmt[]): Exec {
    const parts = stmts.map((s) => this.stmt(s));
    if (parts.every((p) => p.sync)) {
      const fs = parts.map((p) => p.sync as (c: ThreadCtx) => void);
      return sync((c) => {
        for (const f of fs) f(c);
      });
    }
    return ops(function* (c) {
      for (const p of parts) {
        if (p.sync) p.sync(c);
        else yield* p.run(c);
      }
    });
  }

  private stmt(s: Stmt): Exec {
    const line = s.pos.line;
    switch (s.k) {
      case 'decl': case 'assign': {
        if (s.k === 'decl' && !s.init) return sync(() => {});
        const v = this.expr(s.k === 'decl' ? (s.init as Expr) : s.value);
        const target = s.k === 'decl' ? ({ k: 'id', name: s.name, pos: s.pos } as const) : s.target;
        if (target.k === 'id') {
          const name = target.name;
          if (v.pure) {
            const vp = v.pure;
            return sync((c) => {
              c.line = line;
              c.regs.set(name, vp(c));
            });
          }
          return ops(function* (c) {
            c.line = line;
            c.regs.set(name, yield* v.run(c));
          });
        }
        if (target.k !== 'deref') throw new Error('parser let through an assignment to a non-lvalue');
        const addrExpr = target.e;
        const addr = this.expr(addrExpr);
        const label = this.label(s.pos, printStmt(s));
        if (addr.pure && v.pure) {
          const ap = addr.pure;
          const vp = v.pure;
          return ops((c) => {
            c.line = line;
            const a = ap(c);
            const o = asLoc(c, a, addrExpr);
            return plainAccess(c, o, a.t, vp(c), label);
          });
        }
        return ops(function* (c) {
          c.line = line;
          const a = yield* addr.run(c);
          const o = asLoc(c, a, addrExpr);
          const val = yield* v.run(c);
          c.line = line;
          yield* plainAccess(c, o, a.t, val, label);
        });
      }
      case 'expr': {
        const v = this.expr(s.e);
        const vp = v.pure;
        if (vp) {
          return sync((c) => {
            c.line = line;
            vp(c);
          });
        }
        return ops((c) => {
          c.line = line;
          return v.run(c);
        });
      }
      case 'if': {
        const cond = this.expr(s.c);
        const then = this.stmt(s.then);
        const els = s.else ? this.stmt(s.else) : null;
        const label = this.label(s.pos, `if (${printExpr(s.c)})`);
        const branch = (c: ThreadCtx, v: TV): Exec | null => {
          if (v.t.length > 0) {
            ctrl_dep(...v.t);
            c.trace?.('ctrl', v.t, label);
          }
          return truthy(v.v) ? then : els;
        };
        const cp = cond.pure;
        if (cp && then.sync && (!els || els.sync)) {
          return sync((c) => {
            c.line = line;
            branch(c, cp(c))?.sync?.(c);
          });
        }
        return ops(function* (c) {
          c.line = line;
          const b = branch(c, yield* cond.run(c));
          if (b?.sync) b.sync(c);
          else if (b) yield* b.run(c);
        });
      }
      case 'block':
        return this.body(s.body);
    }
  }

  private expr(e: Expr): Compiled {
    switch (e.k) {
      case 'num': {
        const tv: TV = { v: e.v, t: NO_TAINT };
        return pure(() => tv);
      }
      case 'id': {
        const name = e.name;
        const param = this.layout.params.has(name);
        return pure((c) => c.regs.get(name) ?? (param ? { v: c.rt.objs.get(name) as LocObj, t: NO_TAINT } : ZERO));
      }
      case 'addr': {
        const name = e.name;
        return pure((c) => ({ v: c.rt.objs.get(name) as LocObj, t: NO_TAINT }));
      }
      case 'un': {
        const a = this.expr(e.e);
        const op = e.op;
        const f = (c: ThreadCtx, x: TV): TV => ({ v: guard(c, e.pos, () => unary(op, x.v, (o) => c.name(o))), t: x.t });
        if (a.pure) {
          const ap = a.pure;
          return pure((c) => f(c, ap(c)));
        }
        return { pure: null, run: function* (c) { return f(c, yield* a.run(c)); } };
      }
      case 'bin': {
        const l = this.expr(e.l);
        const r = this.expr(e.r);
        const op = e.op;
        const f = (c: ThreadCtx, x: TV, y: TV): TV => ({ v: guard(c, e.pos, () => binary(op, x.v, y.v, (o) => c.name(o))), t: union(x.t, y.t) });
        if (l.pure && r.pure) {
          const lp = l.pure;
          const rp = r.pure;
          return pure((c) => f(c, lp(c), rp(c)));
        }
        return { pure: null, run: function* (c) { const x = yield* l.run(c); return f(c, x, yield* r.run(c)); } };
      }
      case 'cond': {
        const k = this.expr(e.c);
        const a = this.expr(e.a);
        const b = this.expr(e.b);
        return {
          pure: null,
          run: function* (c) {
            const x = yield* k.run(c);
            const y = truthy(x.v) ? yield* a.run(c) : yield* b.run(c);
            return { v: y.v, t: union(x.t, y.t) };
          },
        };
      }
      case 'deref': {
        const addr = this.expr(e.e);
        const label = this.label(e.pos, printExpr(e));
        const ap = addr.pure;
        if (ap) {
          return {
            pure: null,
            run: (c) => {
              const a = ap(c);
              const o = asLoc(c, a, e.e);
              c.line = e.pos.line;
              return plainAccess(c, o, a.t, null, label);
            },
          };
        }
        return {
          pure: null,
          run: function* (c) {
            const a = yield* addr.run(c);
            const o = asLoc(c, a, e.e);
            c.line = e.pos.line;
            return yield* plainAccess(c, o, a.t, null, label);
          },
        };
      }
      case 'call':
        return this.call(e, primitive(e.name) as Prim);
    }
  }

  private call(e: Expr & { k: 'call' }, prim: Prim): Compiled {
    const label = this.label(e.pos, printExpr(e));
    let locArg: { run: Compiled; e: Expr } | null = null;
    const vals: Compiled[] = [];
    prim.args.forEach((k, i) => {
      const a = e.args[i] as Expr;
      if (k === 'val') vals.push(this.expr(a));
      else {
        const target = k === 'loc' && a.k === 'deref' ? a.e : a;
        locArg = { run: this.expr(target), e: target };
      }
    });
    const loc = locArg as { run: Compiled; e: Expr } | null;
    const lp = loc ? loc.run.pure : null;
    if ((!loc || lp) && vals.every((v) => v.pure)) {
      const vps = vals.map((v) => v.pure as Pure);
      return {
        pure: null,
        run: (c) => {
          let o: LocObj | null = null;
          let addrT: Taint = NO_TAINT;
          if (loc && lp) {
            const a = lp(c);
            o = asLoc(c, a, loc.e);
            addrT = a.t;
          }
          const args = vps.map((f) => f(c));
          c.line = e.pos.line;
          return performPrim(prim, c, o, addrT, args, label);
        },
      };
    }
    return {
      pure: null,
      run: function* (c) {
        let o: LocObj | null = null;
        let addrT: Taint = NO_TAINT;
        const args: TV[] = [];
        for (let i = 0, vi = 0; i < prim.args.length; i++) {
          if (prim.args[i] === 'val') args.push(yield* (vals[vi++] as Compiled).run(c));
          else if (loc) {
            const a = yield* loc.run.run(c);
            o = asLoc(c, a, loc.e);
            addrT = a.t;
          }
        }
        c.line = e.pos.line;
        return yield* performPrim(prim, c, o, addrT, args, label);
      },
    };
  }
}

