/**
 * `parseLitmus(text, file)`: a C litmus test of the Linux kernel's tools/memory-model, as herd7
 * reads it (Documentation/litmus-tests.txt): the header `C name` (and the optional quoted string
 * after it), the `Result:` word of the header comment, the init block (`x=1;`, `int *p=y;`,
 * `spinlock_t s;`, `atomic_t a = ATOMIC_INIT(0);`, `0:r1=2;`; a name on the right means that
 * variable's address), the processes P0..Pn (parse-c.ts) and the final clauses `locations [...]`,
 * `filter PROP` and `exists` / `~exists` / `forall` PROP with `/\`, `\/`, `~`, `=>`, parentheses,
 * `P:r=v`, `x=v` and `!=`. Any problem is one LitmusError naming the file, line and construct.
 * Leaves out: the other architectures' litmus formats (refused with one line), herd7's `cases`
 * and `observed` conditions, typed final-state terms (`int x=1`).
 */
import {
  type CondLoc, type CondValue, type Condition, type InitItem, type InitValue, type LitmusTest, type Pos, type Proc,
  type Prop, type Quantifier, type Verdict, VERDICTS,
} from './ast.js';
import { syntaxError, unsupported } from './errors.js';
import { Lexer } from './lexer.js';
import { CParser, isTypeWord } from './parse-c.js';

/** Parse a whole litmus file; throws a LitmusError (one line) on anything it cannot read. */
export function parseLitmus(text: string, file: string): LitmusTest {
  return new TestParser(new Lexer(text, file), file).test();
}

class TestParser extends CParser {
  test(): LitmusTest {
    const first = this.lex.peek();
    if (first.kind === 'eof') throw syntaxError(this.file, first.pos, 'header', 'the file is empty (a C litmus test starts with "C name")');
    if (first.kind !== 'id' || first.text !== 'C') {
      if (first.kind === 'id' && /^[A-Z][A-Za-z0-9_]*$/.test(first.text)) {
        throw unsupported(this.file, first.pos, `'${first.text}' litmus test`, 'mapcheck reads the C litmus tests of tools/memory-model; the header must be "C name"');
      }
      this.fail(first, 'header', '"C name"');
    }
    this.lex.next();
    const name = this.lex.word();
    if (name.text === '') throw syntaxError(this.file, first.pos, 'header', 'the test has no name after "C"');
    if (this.lex.peek().kind === 'str') this.lex.next();
    const brace = this.lex.peek();
    const expected = this.resultWord(brace.pos.line);
    const init = this.init();
    const procs: Proc[] = [];
    for (;;) {
      if (this.isId('void')) this.lex.next();
      const t = this.lex.peek();
      if (t.kind !== 'id' || !/^P\d+$/.test(t.text)) break;
      const index = Number(t.text.slice(1));
      if (index !== procs.length) throw syntaxError(this.file, t.pos, 'processes', `process ${t.text} follows ${procs.length === 0 ? 'the init block' : `P${procs.length - 1}`}: processes are numbered P0, P1, ... in order`);
      this.lex.next();
      this.lex.mode('c');
      const params = this.params(t.text);
      const body = this.body(t.text);
      this.lex.mode('top');
      procs.push({ index, params, body, pos: t.pos });
    }
    if (procs.length === 0) this.fail(this.lex.peek(), 'processes', 'a process P0(...) { ... }');
    return { file: this.file, name: name.text, expected, init, procs, ...this.clauses() };
  }

  /** The word after `Result:` in a comment before the init block, when it is a verdict. */
  private resultWord(beforeLine: number): Verdict | null {
    for (const c of this.lex.comments) {
      if (c.line > beforeLine) break;
      const m = /Result:\s*([A-Za-z]+)/.exec(c.text);
      if (m) return (VERDICTS as readonly string[]).includes(m[1] as string) ? (m[1] as Verdict) : null;
    }
    return null;
  }

  private init(): InitItem[] {
    const construct = 'init block';
    this.expect('{', construct);
    const out: InitItem[] = [];
    while (!this.accept('}')) {
      if (this.accept(';')) continue;
      const t = this.lex.peek();
      if (t.kind === 'eof') this.fail(t, construct, "'}'");
      if (t.kind === 'num' || (t.kind === 'id' && /^P\d+$/.test(t.text))) {
        this.lex.next();
        const proc = Number(t.kind === 'num' ? t.text : t.text.slice(1));
        this.expect(':', construct);
        const reg = this.ident(construct, 'a register name');
        this.expect('=', construct);
        out.push({ k: 'reg', proc, name: reg.text, value: this.initValue(), pos: t.pos });
      } else if (t.kind === 'id' && isTypeWord(t.text)) {
        const words: string[] = [];
        while (this.lex.peek().kind === 'id' && isTypeWord(this.lex.peek().text)) words.push(this.lex.next().text);
        const type = words.filter((w) => w !== 'volatile' && w !== 'const').join(' ') || 'int';
        for (;;) {
          let ptr = 0;
          while (this.accept('*')) ptr++;
          const n = this.ident(construct, 'a variable name');
          if (this.isOp('[')) throw unsupported(this.file, this.lex.peek().pos, 'array', 'herd7 C has int and pointer variables only');
          const value = this.accept('=') ? this.initValue() : null;
          out.push({ k: 'loc', type, ptr, name: n.text, value, pos: n.pos });
          if (!this.accept(',')) break;
        }
      } else {
        const n = this.ident(construct, 'a variable, a type or P:register');
        this.expect('=', construct);
        out.push({ k: 'loc', type: null, ptr: 0, name: n.text, value: this.initValue(), pos: n.pos });
      }
      if (!this.isOp('}')) this.expect(';', construct);
    }
    return out;
  }

  private initValue(): InitValue {
    const construct = 'init block';
    const t = this.lex.next();
    if (t.kind === 'op' && t.text === '-') {
      const n = this.lex.next();
      if (n.kind !== 'num') this.fail(n, construct, 'a number');
      return { k: 'num', v: -Number(n.text) };
    }
    if (t.kind === 'num') return { k: 'num', v: Number(t.text) };
    if (t.kind === 'op' && t.text === '&') return { k: 'addr', name: this.ident(construct, 'a variable after &').text };
    if (t.kind === 'id' && t.text === 'ATOMIC_INIT') {
      this.expect('(', construct);
      const v = this.initValue();
      this.expect(')', construct);
      return v;
    }
    if (t.kind === 'id') return t.text === 'NULL' ? { k: 'num', v: 0 } : { k: 'addr', name: t.text };
    return this.fail(t, construct, 'a number or a variable name');
  }

  /** `locations [...]`, `filter P` and the condition, in any order, then the end of the file. */
  private clauses(): { locations: CondLoc[]; filter: Prop | null; condition: Condition } {
    let locations: CondLoc[] | null = null;
    let filter: Prop | null = null;
    let condition: Condition | null = null;
    for (;;) {
      const t = this.lex.next();
      if (t.kind === 'eof') break;
      const twice = (what: string): never => {
        throw syntaxError(this.file, t.pos, what, `the test has a second ${what} clause`);
      };
      if (t.kind === 'id' && t.text === 'locations') {
        if (locations) twice('locations');
        locations = this.locationList();
      } else if (t.kind === 'id' && t.text === 'filter') {
        if (filter) twice('filter');
        filter = this.prop();
      } else if ((t.kind === 'id' && (t.text === 'exists' || t.text === 'forall')) || (t.kind === 'op' && t.text === '~' && this.isId('exists'))) {
        if (condition) twice('condition');
        if (t.kind === 'op') this.lex.next();
        const quantifier: Quantifier = t.kind === 'op' ? '~exists' : (t.text as Quantifier);
        condition = { quantifier, prop: this.prop(), pos: t.pos };
      } else {
        this.fail(t, 'final condition', condition ? 'the end of the file' : 'exists, ~exists, forall, locations or filter');
      }
    }
    if (!condition) throw syntaxError(this.file, this.lex.peek().pos, 'final condition', 'the test has no exists, ~exists or forall clause');
    return { locations: locations ?? [], filter, condition };
  }

  private locationList(): CondLoc[] {
    this.expect('[', 'locations');
    const out: CondLoc[] = [];
    while (!this.accept(']')) {
      if (this.accept(';')) continue;
      out.push(this.condLoc('locations'));
    }
    return out;
  }

  prop(): Prop {
    const l = this.disj();
    if (!this.accept('=>')) return l;
    return { k: 'imp', l, r: this.prop() };
  }

  private disj(): Prop {
    let l = this.conj();
    while (this.accept('\\/')) l = { k: 'or', l, r: this.conj() };
    return l;
  }

  private conj(): Prop {
    let l = this.neg();
    while (this.accept('/\\')) l = { k: 'and', l, r: this.neg() };
    return l;
  }

  private neg(): Prop {
    return this.nested(() => this.negAt());
  }

  private negAt(): Prop {
    if (this.accept('~') || this.accept('!')) return { k: 'not', p: this.neg() };
    if (this.isId('not')) {
      this.lex.next();
      return { k: 'not', p: this.neg() };
    }
    if (this.accept('(')) {
      const p = this.prop();
      this.expect(')', 'condition');
      return p;
    }
    if (this.isId('true') || this.isId('false')) return { k: this.lex.next().text as 'true' | 'false' };
    const pos: Pos = this.lex.peek().pos;
    const loc = this.condLoc('condition');
    const op = this.lex.next();
    if (op.kind !== 'op' || (op.text !== '=' && op.text !== '==' && op.text !== '!=')) this.fail(op, 'condition', `'=' after ${loc.k === 'reg' ? `${loc.proc}:${loc.name}` : loc.name}`);
    return { k: 'atom', loc, value: this.condValue(), negated: op.text === '!=', pos };
  }

  private condLoc(construct: string): CondLoc {
    const t = this.lex.next();
    if (t.kind === 'num' || (t.kind === 'id' && /^P\d+$/.test(t.text) && this.isOp(':'))) {
      this.expect(':', construct);
      const r = this.ident(construct, 'a register name');
      return { k: 'reg', proc: Number(t.kind === 'num' ? t.text : t.text.slice(1)), name: r.text };
    }
    if (t.kind === 'op' && t.text === '[') {
      const n = this.ident(construct, 'a variable name');
      this.expect(']', construct);
      return { k: 'mem', name: n.text };
    }
    if (t.kind === 'id') return { k: 'mem', name: t.text };
    return this.fail(t, construct, 'P:register or a variable');
  }

  private condValue(): CondValue {
    const t = this.lex.next();
    if (t.kind === 'num') return { k: 'num', v: Number(t.text) };
    if (t.kind === 'op' && t.text === '-') {
      const n = this.lex.next();
      if (n.kind !== 'num') this.fail(n, 'condition', 'a number');
      return { k: 'num', v: -Number(n.text) };
    }
    if (t.kind === 'op' && t.text === '&') return { k: 'addr', name: this.ident('condition', 'a variable').text };
    if (t.kind === 'id') return t.text === 'NULL' ? { k: 'num', v: 0 } : { k: 'addr', name: t.text };
    return this.fail(t, 'condition', 'a number or a variable name');
  }
}
