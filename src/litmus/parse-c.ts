/**
 * The C part of a litmus test: process parameter lists and bodies (declarations, assignments,
 * expression statements, `if`/`else`, blocks) and C expressions with C's precedence, over the
 * tokens of lexer.ts. Calls must name a primitive of linux-kernel.def (primitives.ts) with the
 * right number of arguments; a location argument ('loc', as in `READ_ONCE(*x)`) must be written
 * as a dereference. Follows the fragment of C that Documentation/litmus-tests.txt describes
 * ("LIMITATIONS": no loops, switch, goto, functions, arrays or structs) and herd7's loose
 * declarations (any run of type words, `r++` on registers).
 * Leaves out: short-circuit evaluation (`&&` and `||` evaluate both sides, as herd7's C does),
 * compound assignment to memory (`*x += 1`), casts to anything but a run of type words.
 */
import type { BinOp, Expr, Param, Pos, Stmt } from './ast.js';
import { syntaxError, unsupported } from './errors.js';
import { type Lexer, type Tok, quote } from './lexer.js';
import { primitive, whyUnsupported } from './primitives.js';

const TYPE_WORDS = new Set([
  'int', 'long', 'short', 'char', 'unsigned', 'signed', 'bool', '_Bool', 'void', 'volatile', 'const',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'atomic_t', 'spinlock_t', 'intptr_t', 'uintptr_t',
]);

/** A word that starts (or continues) a type: C's and the kernel's, and any `*_t`. */
export function isTypeWord(w: string): boolean {
  return TYPE_WORDS.has(w) || /^[A-Za-z_]\w*_t$/.test(w);
}

const NO_C = new Map<string, string>([
  ['while', 'herd7 C has no loops: unroll it'], ['for', 'herd7 C has no loops: unroll it'], ['do', 'herd7 C has no loops: unroll it'],
  ['switch', 'use if'], ['case', 'use if'], ['default', 'use if'], ['goto', 'use if'], ['return', 'a process runs to its end'],
  ['break', 'herd7 C has no loops'], ['continue', 'herd7 C has no loops'], ['struct', 'herd7 C has int and pointer variables only'],
  ['union', 'herd7 C has int and pointer variables only'], ['enum', 'herd7 C has int and pointer variables only'], ['typedef', 'herd7 C has no typedefs'],
  ['sizeof', 'herd7 C has int and pointer variables only'],
]);

const PREC: Readonly<Record<string, number>> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '<=': 7, '>': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** Deeper nesting than this is refused (the parser and the interpreter recurse on it). */
const MAX_DEPTH = 256;

export class CParser {
  private depth = 0;

  constructor(readonly lex: Lexer, readonly file: string) {}

  /** Run `f` one nesting level deeper; refuse absurd nesting with one line instead of a stack overflow. */
  nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      this.depth = 0;
      throw unsupported(this.file, this.lex.peek().pos, `nesting deeper than ${MAX_DEPTH} levels`);
    }
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** Throw a syntax error at `t` naming the construct being parsed. */
  fail(t: Tok, construct: string, expected: string): never {
    throw syntaxError(this.file, t.pos, construct, `expected ${expected}, found ${quote(t)}`);
  }

  isOp(text: string): boolean {
    const t = this.lex.peek();
    return t.kind === 'op' && t.text === text;
  }

  isId(text: string): boolean {
    const t = this.lex.peek();
    return t.kind === 'id' && t.text === text;
  }

  accept(text: string): boolean {
    if (!this.isOp(text)) return false;
    this.lex.next();
    return true;
  }

  expect(text: string, construct: string): Tok {
    const t = this.lex.next();
    if (t.kind !== 'op' || t.text !== text) this.fail(t, construct, `'${text}'`);
    return t;
  }

  ident(construct: string, what = 'a name'): Tok {
    const t = this.lex.next();
    if (t.kind !== 'id') this.fail(t, construct, what);
    return t;
  }

  /** A run of type words and the number of `*` after it. */
  private typeThen(construct: string): { type: string; ptr: number } {
    const words: string[] = [];
    while (this.lex.peek().kind === 'id' && isTypeWord(this.lex.peek().text)) words.push(this.lex.next().text);
    const t = this.lex.peek();
    if (words.length === 0) {
      const bad = NO_C.get(t.text);
      if (t.kind === 'id' && bad !== undefined) throw unsupported(this.file, t.pos, `'${t.text}'`, bad);
      this.fail(t, construct, 'a type such as int');
    }
    let ptr = 0;
    while (this.accept('*')) ptr++;
    return { type: words.filter((w) => w !== 'volatile' && w !== 'const').join(' ') || 'int', ptr };
  }

  /** `(int *x, int **p, spinlock_t *s)` */
  params(proc: string): Param[] {
    const construct = `${proc} parameters`;
    this.expect('(', construct);
    const out: Param[] = [];
    if (this.accept(')')) return out;
    if (this.isId('void')) {
      this.lex.next();
      this.expect(')', construct);
      return out;
    }
    for (;;) {
      const pos = this.lex.peek().pos;
      const { type, ptr } = this.typeThen(construct);
      const name = this.ident(construct, 'a parameter name');
      if (ptr === 0) throw syntaxError(this.file, pos, construct, `parameter '${name.text}' must be a pointer to a shared variable (write ${type} *${name.text})`);
      out.push({ type, ptr, name: name.text, pos });
      if (this.accept(')')) return out;
      this.expect(',', construct);
    }
  }

  /** `{ statements }` of process `proc`. */
  body(proc: string): Stmt[] {
    const construct = `${proc} body`;
    this.expect('{', construct);
    const out: Stmt[] = [];
    while (!this.accept('}')) {
      if (this.lex.peek().kind === 'eof') this.fail(this.lex.peek(), construct, "'}'");
      out.push(...this.stmt(construct));
    }
    return out;
  }

  /** One statement; a declaration of several names gives several. */
  private stmt(construct: string): Stmt[] {
    return this.nested(() => this.stmtAt(construct));
  }

  private stmtAt(construct: string): Stmt[] {
    const t = this.lex.peek();
    const pos = t.pos;
    if (t.kind === 'op' && t.text === '{') {
      this.lex.next();
      const body: Stmt[] = [];
      while (!this.accept('}')) {
        if (this.lex.peek().kind === 'eof') this.fail(this.lex.peek(), construct, "'}'");
        body.push(...this.stmt(construct));
      }
      return [{ k: 'block', body, pos }];
    }
    if (this.accept(';')) return [];
    if (t.kind === 'id') {
      if (t.text === 'if') return [this.ifStmt(construct)];
      if (t.text === 'else') throw syntaxError(this.file, pos, construct, "'else' without an 'if'");
      const bad = NO_C.get(t.text);
      if (bad !== undefined) throw unsupported(this.file, pos, `'${t.text}'`, bad);
      if (isTypeWord(t.text)) return this.decl(construct);
    }
    if (t.kind === 'op' && (t.text === '++' || t.text === '--')) {
      this.lex.next();
      const id = this.ident(construct, 'a register');
      this.expect(';', construct);
      return [this.bump(id, t.text, pos)];
    }
    const target = this.expr();
    const next = this.lex.peek();
    if (next.kind === 'op' && (next.text === '++' || next.text === '--')) {
      this.lex.next();
      this.expect(';', construct);
      if (target.k !== 'id') throw unsupported(this.file, pos, `'${next.text}' on memory`, 'only registers can be incremented');
      return [this.bump({ kind: 'id', text: target.name, pos: target.pos, at: 0 }, next.text, pos)];
    }
    if (next.kind === 'op' && /^[-+*/%&|^]=$|^<<=$|^>>=$/.test(next.text)) {
      this.lex.next();
      if (target.k !== 'id') throw unsupported(this.file, next.pos, `'${next.text}' on memory`, 'write *x = *x op v');
      const value = this.expr();
      this.expect(';', construct);
      return [{ k: 'assign', target, value: { k: 'bin', op: next.text.slice(0, -1) as BinOp, l: target, r: value, pos: next.pos }, pos }];
    }
    if (this.accept('=')) {
      if (target.k !== 'id' && target.k !== 'deref') throw syntaxError(this.file, pos, construct, 'the left of = must be a register or *pointer');
      const value = this.expr();
      this.expect(';', construct);
      return [{ k: 'assign', target, value, pos }];
    }
    this.expect(';', construct);
    return [{ k: 'expr', e: target, pos }];
  }

  private bump(id: Tok, op: string, pos: Pos): Stmt {
    const target: Expr = { k: 'id', name: id.text, pos: id.pos };
    return { k: 'assign', target, value: { k: 'bin', op: op === '++' ? '+' : '-', l: target, r: { k: 'num', v: 1, pos }, pos }, pos };
  }

  private ifStmt(construct: string): Stmt {
    const pos = this.lex.next().pos;
    this.expect('(', `${construct} (if)`);
    const c = this.expr();
    this.expect(')', `${construct} (if)`);
    const then = this.single(construct);
    if (this.isId('else')) {
      this.lex.next();
      return { k: 'if', c, then, else: this.single(construct), pos };
    }
    return { k: 'if', c, then, pos };
  }

  /** The statement of an if/else branch as one Stmt. */
  private single(construct: string): Stmt {
    const pos = this.lex.peek().pos;
    const s = this.stmt(construct);
    return s.length === 1 ? (s[0] as Stmt) : { k: 'block', body: s, pos };
  }

  private decl(construct: string): Stmt[] {
    const pos = this.lex.peek().pos;
    const { type, ptr: basePtr } = this.typeThen(construct);
    const out: Stmt[] = [];
    let ptr = basePtr;
    for (;;) {
      const name = this.ident(construct, 'a variable name');
      if (this.isOp('[')) throw unsupported(this.file, this.lex.peek().pos, 'array', 'herd7 C has int and pointer variables only');
      if (this.accept('=')) out.push({ k: 'decl', type, ptr, name: name.text, init: this.expr(), pos });
      else out.push({ k: 'decl', type, ptr, name: name.text, pos });
      if (this.accept(';')) return out;
      this.expect(',', construct);
      ptr = 0;
      while (this.accept('*')) ptr++;
    }
  }

  expr(): Expr {
    return this.nested(() => this.exprAt());
  }

  private exprAt(): Expr {
    const c = this.binary(1);
    if (!this.isOp('?')) return c;
    const pos = this.lex.next().pos;
    const a = this.expr();
    this.expect(':', 'conditional expression');
    return { k: 'cond', c, a, b: this.expr(), pos };
  }

  private binary(min: number): Expr {
    let l = this.unary();
    for (;;) {
      const t = this.lex.peek();
      const p = t.kind === 'op' ? PREC[t.text] : undefined;
      if (p === undefined || p < min) return l;
      this.lex.next();
      const r = this.binary(p + 1);
      l = { k: 'bin', op: t.text as BinOp, l, r, pos: t.pos };
    }
  }

  private unary(): Expr {
    return this.nested(() => this.unaryAt());
  }

  private unaryAt(): Expr {
    const t = this.lex.peek();
    if (t.kind === 'op') {
      if (t.text === '-' || t.text === '!' || t.text === '~') {
        this.lex.next();
        const e = this.unary();
        if (t.text === '-' && e.k === 'num') return { k: 'num', v: -e.v, pos: t.pos };
        return { k: 'un', op: t.text, e, pos: t.pos };
      }
      if (t.text === '+') {
        this.lex.next();
        return this.unary();
      }
      if (t.text === '*') {
        this.lex.next();
        return { k: 'deref', e: this.unary(), pos: t.pos };
      }
      if (t.text === '&') {
        this.lex.next();
        const id = this.ident('expression', 'a variable after &');
        return { k: 'addr', name: id.text, pos: t.pos };
      }
      if (t.text === '++' || t.text === '--') throw unsupported(this.file, t.pos, `'${t.text}' inside an expression`, 'write r++; as a statement');
    }
    return this.postfix();
  }

  private postfix(): Expr {
    const e = this.primary();
    const t = this.lex.peek();
    if (t.kind === 'op' && (t.text === '[' || t.text === '->' || t.text === '.')) {
      throw unsupported(this.file, t.pos, t.text === '[' ? 'array indexing' : `'${t.text}'`, 'herd7 C has int and pointer variables only');
    }
    return e;
  }

  private primary(): Expr {
    const t = this.lex.next();
    if (t.kind === 'num') return { k: 'num', v: Number(t.text), pos: t.pos };
    if (t.kind === 'id') {
      if (this.isOp('(')) return this.call(t);
      const bad = NO_C.get(t.text);
      if (bad !== undefined) throw unsupported(this.file, t.pos, `'${t.text}'`, bad);
      if (t.text === 'NULL') return { k: 'num', v: 0, pos: t.pos };
      return { k: 'id', name: t.text, pos: t.pos };
    }
    if (t.kind === 'op' && t.text === '(') {
      const n = this.lex.peek();
      if (n.kind === 'id' && isTypeWord(n.text)) {
        this.typeThen('cast');
        this.expect(')', 'cast');
        return this.unary();
      }
      const e = this.expr();
      this.expect(')', 'expression');
      return e;
    }
    return this.fail(t, 'expression', 'a value, a register or a call');
  }

  private call(name: Tok): Expr {
    const prim = primitive(name.text);
    if (!prim) throw unsupported(this.file, name.pos, `'${name.text}()'`, whyUnsupported(name.text));
    const construct = `${name.text}()`;
    this.expect('(', construct);
    const args: Expr[] = [];
    if (!this.accept(')')) {
      for (;;) {
        args.push(this.expr());
        if (this.accept(')')) break;
        this.expect(',', construct);
      }
    }
    if (args.length !== prim.args.length) {
      throw syntaxError(this.file, name.pos, construct, `takes ${prim.args.length} argument${prim.args.length === 1 ? '' : 's'}, found ${args.length}`);
    }
    prim.args.forEach((k, i) => {
      const a = args[i] as Expr;
      if (k === 'loc' && a.k !== 'deref') {
        const hint = a.k === 'id' ? `; write ${name.text}(*${a.name}${prim.args.length > 1 ? ', ...' : ''}) for the shared variable ${a.name} points to` : '';
        throw syntaxError(this.file, a.pos, construct, `argument ${i + 1} must be a location written *p${hint}`);
      }
    });
    return { k: 'call', name: name.text, args, pos: name.pos };
  }
}
