/**
 * The syntax tree of a C litmus test in the format of the Linux kernel's tools/memory-model
 * (herd7's C dialect, Documentation/litmus-tests.txt): the header `C name`, the `Result:` line of
 * the header comment, the init block, the processes P0..Pn (parameters, local declarations,
 * assignments, expressions, `if`/`else`, calls of the primitives of linux-kernel.def) and the
 * final clauses `locations [...]`, `filter (...)` and `exists` / `~exists` / `forall`.
 * Every node carries the line it starts on, so errors and op labels can name it.
 * Leaves out: loops, `switch`, `goto`, functions other than P0..Pn, arrays and structs (herd7's
 * C dialect has none of them either; the parser refuses them with one line).
 */

/** A source position: 1-based line and column. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

export type BinOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type UnOp = '-' | '!' | '~';

export type Expr =
  | { readonly k: 'num'; readonly v: number; readonly pos: Pos }
  /** A register, a parameter (the address of the global of that name) or NULL. */
  | { readonly k: 'id'; readonly name: string; readonly pos: Pos }
  /** `*e`: the location e points to (a plain load when used as a value). */
  | { readonly k: 'deref'; readonly e: Expr; readonly pos: Pos }
  /** `&x`: the address of global x. */
  | { readonly k: 'addr'; readonly name: string; readonly pos: Pos }
  | { readonly k: 'un'; readonly op: UnOp; readonly e: Expr; readonly pos: Pos }
  | { readonly k: 'bin'; readonly op: BinOp; readonly l: Expr; readonly r: Expr; readonly pos: Pos }
  | { readonly k: 'cond'; readonly c: Expr; readonly a: Expr; readonly b: Expr; readonly pos: Pos }
  /** A primitive of linux-kernel.def (primitives.ts). */
  | { readonly k: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly pos: Pos };

export type Stmt =
  /** `int r0;`, `int *r1 = READ_ONCE(*p);` (one per declared name). */
  | { readonly k: 'decl'; readonly type: string; readonly ptr: number; readonly name: string; readonly init?: Expr; readonly pos: Pos }
  /** `r = e;` (target an id) or `*e1 = e2;` (target a deref: a plain store). */
  | { readonly k: 'assign'; readonly target: Expr; readonly value: Expr; readonly pos: Pos }
  | { readonly k: 'expr'; readonly e: Expr; readonly pos: Pos }
  | { readonly k: 'if'; readonly c: Expr; readonly then: Stmt; readonly else?: Stmt; readonly pos: Pos }
  | { readonly k: 'block'; readonly body: readonly Stmt[]; readonly pos: Pos };

/** A process parameter: `int *x` names the global x (ptr = 1), `int **p` a pointer cell p. */
export interface Param {
  readonly type: string;
  readonly ptr: number;
  readonly name: string;
  readonly pos: Pos;
}

export interface Proc {
  readonly index: number;
  readonly params: readonly Param[];
  readonly body: readonly Stmt[];
  readonly pos: Pos;
}

/** An initial value in the init block: a number, or the address of a global (`y=z`, `&z`). */
export type InitValue = { readonly k: 'num'; readonly v: number } | { readonly k: 'addr'; readonly name: string };

export type InitItem =
  /** `x=1;`, `int x;`, `int *p = y;`, `spinlock_t s;`, `atomic_t a = ATOMIC_INIT(1);` */
  | { readonly k: 'loc'; readonly type: string | null; readonly ptr: number; readonly name: string; readonly value: InitValue | null; readonly pos: Pos }
  /** `0:r1=1;` */
  | { readonly k: 'reg'; readonly proc: number; readonly name: string; readonly value: InitValue; readonly pos: Pos };

/** What a final-state term names: a register of a process, or a global. */
export type CondLoc = { readonly k: 'reg'; readonly proc: number; readonly name: string } | { readonly k: 'mem'; readonly name: string };

/** The right-hand side of a term: a number or the address of a global (`1:r0=x`). */
export type CondValue = { readonly k: 'num'; readonly v: number } | { readonly k: 'addr'; readonly name: string };

export type Prop =
  | { readonly k: 'atom'; readonly loc: CondLoc; readonly value: CondValue; readonly negated: boolean; readonly pos: Pos }
  | { readonly k: 'true' }
  | { readonly k: 'false' }
  | { readonly k: 'not'; readonly p: Prop }
  | { readonly k: 'and'; readonly l: Prop; readonly r: Prop }
  | { readonly k: 'or'; readonly l: Prop; readonly r: Prop }
  | { readonly k: 'imp'; readonly l: Prop; readonly r: Prop };

export type Quantifier = 'exists' | '~exists' | 'forall';

export interface Condition {
  readonly quantifier: Quantifier;
  readonly prop: Prop;
  readonly pos: Pos;
}

/** herd7's verdict words (the Observation line) and the `Result:` line of the kernel's tests. */
export const VERDICTS = ['Always', 'Sometimes', 'Never'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface LitmusTest {
  /** The file it came from (for messages), as given. */
  readonly file: string;
  readonly name: string;
  /** The `Result:` word of the header comment, when it has one. */
  readonly expected: Verdict | null;
  readonly init: readonly InitItem[];
  readonly procs: readonly Proc[];
  readonly locations: readonly CondLoc[];
  readonly filter: Prop | null;
  readonly condition: Condition;
}

/** `0:r0` / `x`: the key of a final-state entry, as herd7 prints it. */
export function locKey(l: CondLoc): string {
  return l.k === 'reg' ? `${l.proc}:${l.name}` : l.name;
}
