/**
 * Tokens of a C litmus file. herd7 reads different parts of a litmus test with different parsers
 * (Documentation/litmus-tests.txt, "Comments"): C comments (`//`, `/* *\/`) in the C code, OCaml
 * comments (`(* *)`) in the rest. The lexer therefore has two modes: 'top' (header, init block,
 * final clauses: both comment styles; `/\`, `\/`, `~`, `=>` are condition operators) and 'c'
 * (process parameters and bodies: C comments only, so `(*p)` stays a dereference). The parser
 * switches modes at the boundaries of a process; `mode()` re-reads the look-ahead token.
 * Leaves out: the C preprocessor (herd7 has none either), string and character literals (one
 * quoted string after the header is skipped by the parser as herd7 does).
 */
import type { Pos } from './ast.js';
import { syntaxError } from './errors.js';

export type TokKind = 'id' | 'num' | 'op' | 'str' | 'eof';

export interface Tok {
  readonly kind: TokKind;
  readonly text: string;
  readonly pos: Pos;
  /** Offset of the token's first character in the source. */
  readonly at: number;
}

export type LexMode = 'top' | 'c';

/** Operators, longest first so `<<=` wins over `<<` and `<`. */
const OPS = [
  '<<=', '>>=', '...',
  '/\\', '\\/', '=>', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '->', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '{', '}', '(', ')', '[', ']', ';', ',', '*', '&', '=', '<', '>', '+', '-', '/', '%', '|', '^', '~', '!', '?', ':', '.', '#', '\\', '@', '$', '`', "'",
];

export class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private look: Tok | null = null;
  private lookState: [number, number, number] = [0, 1, 0];
  private m: LexMode = 'top';
  /** Comments seen so far, with the line each starts on (the `Result:` line lives in one). */
  readonly comments: { text: string; line: number }[] = [];

  constructor(readonly src: string, readonly file: string) {}

  /** Switch mode; the look-ahead token (if any) is read again under the new mode. */
  mode(m: LexMode): void {
    if (m === this.m) return;
    this.m = m;
    if (this.look) {
      [this.i, this.line, this.lineStart] = this.lookState;
      this.look = null;
    }
  }

  peek(): Tok {
    if (!this.look) {
      this.skip();
      this.lookState = [this.i, this.line, this.lineStart];
      this.look = this.scan();
    }
    return this.look;
  }

  next(): Tok {
    const t = this.peek();
    this.look = null;
    return t;
  }

  /** The next run of non-blank characters on the current line, raw (the header's test name). */
  word(): { text: string; pos: Pos } {
    if (this.look) [this.i, this.line, this.lineStart] = this.lookState;
    this.look = null;
    while (this.i < this.src.length && (this.src[this.i] === ' ' || this.src[this.i] === '\t')) this.i++;
    const start = this.i;
    const pos = this.pos();
    while (this.i < this.src.length && !/\s/.test(this.src[this.i] as string)) this.i++;
    return { text: this.src.slice(start, this.i), pos };
  }

  private pos(): Pos {
    return { line: this.line, col: this.i - this.lineStart + 1 };
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  /** Skip blanks and comments. */
  private skip(): void {
    const s = this.src;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) return;
      if (c === '\n') {
        this.newline(this.i);
        this.i++;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
        this.i++;
      } else if (c === '/' && s[this.i + 1] === '/') {
        const start = this.i;
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        this.comments.push({ text: s.slice(start, this.i), line: this.line });
      } else if (c === '/' && s[this.i + 1] === '*') {
        this.block('/*', '*/', false);
      } else if (c === '(' && s[this.i + 1] === '*' && this.m === 'top') {
        this.block('(*', '*)', true);
      } else {
        return;
      }
    }
  }

  /** A block comment; OCaml comments nest. */
  private block(open: string, close: string, nests: boolean): void {
    const s = this.src;
    const start = this.i;
    const pos = this.pos();
    let depth = 0;
    while (this.i < s.length) {
      if (s.startsWith(open, this.i) && (depth === 0 || nests)) {
        depth++;
        this.i += 2;
      } else if (s.startsWith(close, this.i)) {
        depth--;
        this.i += 2;
        if (depth === 0) {
          this.comments.push({ text: s.slice(start, this.i), line: pos.line });
          return;
        }
      } else {
        if (s[this.i] === '\n') this.newline(this.i);
        this.i++;
      }
    }
    throw syntaxError(this.file, pos, 'comment', `'${open}' is never closed by '${close}'`);
  }

  private scan(): Tok {
    const s = this.src;
    const pos = this.pos();
    const at = this.i;
    const c = s[this.i];
    if (c === undefined) return { kind: 'eof', text: 'end of file', pos, at };
    if (/[A-Za-z_]/.test(c)) {
      let j = this.i + 1;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j] as string)) j++;
      this.i = j;
      return { kind: 'id', text: s.slice(at, j), pos, at };
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*/.exec(s.slice(this.i, this.i + 40));
      const text = (m as RegExpExecArray)[0];
      this.i += text.length;
      if (/[A-Za-z_0-9.]/.test(s[this.i] ?? ' ')) throw syntaxError(this.file, pos, 'number', `'${s.slice(at, this.i + 1)}' is not a number`);
      return { kind: 'num', text: (m as RegExpExecArray)[1] as string, pos, at };
    }
    if (c === '"') {
      let j = this.i + 1;
      while (j < s.length && s[j] !== '"' && s[j] !== '\n') j++;
      if (s[j] !== '"') throw syntaxError(this.file, pos, 'string', 'the string is not closed on its line');
      this.i = j + 1;
      return { kind: 'str', text: s.slice(at + 1, j), pos, at };
    }
    for (const op of OPS) {
      if (s.startsWith(op, this.i)) {
        // In C code `/\` and `\/` are not operators, and `=>` is `=` then `>`.
        if (this.m === 'c' && (op === '/\\' || op === '\\/' || op === '=>')) continue;
        this.i += op.length;
        return { kind: 'op', text: op, pos, at };
      }
    }
    throw syntaxError(this.file, pos, 'input', `unexpected character ${JSON.stringify(c)}`);
  }
}

/** A token as error messages quote it. */
export function quote(t: Tok): string {
  return t.kind === 'eof' ? 'end of file' : t.kind === 'str' ? `"${t.text}"` : `'${t.text}'`;
}
