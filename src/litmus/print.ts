/**
 * Printing a parsed litmus test back as litmus text: `printTest(test)` gives a file that parses to
 * the same tree (the round-trip the parser's tests check), `printExpr` / `printProp` give the one-line
 * forms used in op labels (`P0:12 READ_ONCE(*x)`) and in the `Condition` line of a result.
 * Parentheses are written around every compound operand, so precedence never changes meaning.
 * Leaves out: comments and layout of the original file (the `Result:` line is kept).
 */
import type { CondLoc, CondValue, Expr, InitItem, InitValue, LitmusTest, Prop, Stmt } from './ast.js';
import { locKey } from './ast.js';

/** An operand of a binary operator: compound operands in parentheses (the tree stays exact). */
function operand(e: Expr): string {
  const s = printExpr(e);
  return e.k === 'bin' || e.k === 'cond' ? `(${s})` : s;
}

/** The operand of a unary operator or `*`: also `- -x`, which would read as `--x`. */
function unaryOperand(op: string, e: Expr): string {
  const s = operand(e);
  return op === '-' && s.startsWith('-') ? `(${s})` : s;
}

export function printExpr(e: Expr): string {
  switch (e.k) {
    case 'num': return e.v < 0 ? `(${e.v})` : String(e.v);
    case 'id': return e.name;
    case 'addr': return `&${e.name}`;
    case 'deref': return `*${unaryOperand('*', e.e)}`;
    case 'un': return `${e.op}${unaryOperand(e.op, e.e)}`;
    case 'bin': return `${operand(e.l)} ${e.op} ${operand(e.r)}`;
    case 'cond': return `${operand(e.c)} ? ${operand(e.a)} : ${operand(e.b)}`;
    case 'call': return `${e.name}(${e.args.map(printExpr).join(', ')})`;
  }
}

/** A statement on one line (a compound one with its braces). */
export function printStmt(s: Stmt, indent = ''): string {
  switch (s.k) {
    case 'decl': return `${indent}${s.type} ${'*'.repeat(s.ptr)}${s.name}${s.init ? ` = ${printExpr(s.init)}` : ''};`;
    case 'assign': return `${indent}${printExpr(s.target)} = ${printExpr(s.value)};`;
    case 'expr': return `${indent}${printExpr(s.e)};`;
    case 'block': return `${indent}{\n${s.body.map((b) => printStmt(b, `${indent}\t`)).join('\n')}\n${indent}}`;
    case 'if': {
      const branch = (b: Stmt): string => printStmt(b, b.k === 'block' ? indent : `${indent}\t`);
      const head = `${indent}if (${printExpr(s.c)})\n${branch(s.then)}`;
      return s.else ? `${head}\n${indent}else\n${branch(s.else)}` : head;
    }
  }
}

function initValue(v: InitValue): string {
  return v.k === 'num' ? String(v.v) : v.name;
}

function initItem(it: InitItem): string {
  if (it.k === 'reg') return `${it.proc}:${it.name}=${initValue(it.value)};`;
  const decl = it.type !== null ? `${it.type} ${'*'.repeat(it.ptr)}` : '';
  return `${decl}${it.name}${it.value ? `=${initValue(it.value)}` : ''};`;
}

function condValue(v: CondValue): string {
  return v.k === 'num' ? String(v.v) : v.name;
}

export function printCondLoc(l: CondLoc): string {
  return locKey(l);
}

const LEVEL: Readonly<Record<Prop['k'], number>> = { imp: 1, or: 2, and: 3, not: 4, atom: 4, true: 4, false: 4 };

/** A proposition with the parentheses its precedence needs (`~` > `/\\` > `\\/` > `=>`). */
export function printProp(p: Prop, min = 1): string {
  let s: string;
  switch (p.k) {
    case 'true': case 'false': s = p.k; break;
    case 'atom': s = `${printCondLoc(p.loc)}${p.negated ? '!=' : '='}${condValue(p.value)}`; break;
    case 'not': s = `~${printProp(p.p, 4)}`; break;
    case 'and': s = `${printProp(p.l, 3)} /\\ ${printProp(p.r, 4)}`; break;
    case 'or': s = `${printProp(p.l, 2)} \\/ ${printProp(p.r, 3)}`; break;
    case 'imp': s = `${printProp(p.l, 2)} => ${printProp(p.r, 1)}`; break;
  }
  return LEVEL[p.k] < min ? `(${s})` : s;
}

/** The whole test as a litmus file. */
export function printTest(t: LitmusTest): string {
  const out: string[] = [`C ${t.name}`, ''];
  if (t.expected) out.push('(*', ` * Result: ${t.expected}`, ' *)', '');
  out.push('{', ...t.init.map((i) => `\t${initItem(i)}`), '}', '');
  for (const p of t.procs) {
    const params = p.params.map((x) => `${x.type} ${'*'.repeat(x.ptr)}${x.name}`).join(', ');
    out.push(`P${p.index}(${params})`, '{', ...p.body.map((s) => printStmt(s, '\t')), '}', '');
  }
  if (t.locations.length > 0) out.push(`locations [${t.locations.map(printCondLoc).join('; ')}]`);
  if (t.filter) out.push(`filter (${printProp(t.filter)})`);
  out.push(`${t.condition.quantifier} (${printProp(t.condition.prop)})`);
  return `${out.join('\n')}\n`;
}
