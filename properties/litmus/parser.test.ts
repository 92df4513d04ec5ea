/**
 * The litmus parser on the real thing: all of the kernel's tools/memory-model/litmus-tests and the
 * litmus listings of Documentation/litmus-tests.txt parse, their names and Result lines agree with
 * INDEX.tsv, printing a parsed test and parsing it again gives the same tree (round trip), chosen
 * trees have the shape the C says, and malformed input is one LitmusError line naming the file,
 * the line and the construct.
 * Leaves out: running the tests (sc.test.ts, agreement.test.ts), random mutations (badinput.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { LitmusError, type LitmusTest, parseLitmus, printTest, runLitmusText } from '../../src/litmus/index.js';
import { docExamples, haveCorpus, indexRows, kernelTests } from './corpus.js';

/** The tree without positions and file name, for structural comparison. */
function shape(t: LitmusTest): unknown {
  return JSON.parse(JSON.stringify({ ...t, file: '' }, (k, v: unknown) => (k === 'pos' ? undefined : v)));
}

describe('litmus parser', () => {
  it('finds the kernel collection and the LKMM documents', () => {
    expect(haveCorpus()).toBe(true);
  });

  it('reads every kernel litmus test; names and Result lines agree with INDEX.tsv', () => {
    const tests = kernelTests();
    const rows = indexRows();
    expect(tests.length).toBe(43);
    expect(rows.map((r) => r.file)).toEqual(tests.map((t) => t.file));
    for (const { file, text } of tests) {
      const t = parseLitmus(text, file);
      const row = rows.find((r) => r.file === file);
      expect(`C ${t.name}`).toBe(row?.first);
      expect(t.expected).toBe(row?.result);
      expect(t.procs.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('reads every litmus listing of Documentation/litmus-tests.txt', () => {
    const ex = docExamples();
    expect(ex.map((e) => parseLitmus(e.text, `doc:${e.line}`).name)).toEqual([
      'MP+pooncerelease+poacquireonce', 'MP+pooncerelease+poacquireonce', 'LB+fencembonceonce+ctrlonceonce',
      'SB+rfionceonce-poonceonces', 'SB+rfionceonce-poonceonces', 'C-SB+l-o-o-u+l-o-o-u-X', 'C-SB+l-o-o-u+l-o-o-u-X',
      'MP+onceassign+derefonce', 'MP+onceassign+derefonce', 'RCU+sync+free',
    ]);
  });

  it('round trip: print(parse(text)) parses to the same tree', () => {
    const all = [...kernelTests(), ...docExamples().map((e) => ({ file: `doc:${e.line}`, text: e.text }))];
    for (const { file, text } of all) {
      const t = parseLitmus(text, file);
      const again = parseLitmus(printTest(t), file);
      expect(shape(again), file).toEqual(shape(t));
    }
  });

  it('gives the trees the C says', () => {
    const get = (name: string): LitmusTest => {
      const f = kernelTests().find((t) => t.file === `${name}.litmus`);
      if (!f) throw new Error(`no ${name}`);
      return parseLitmus(f.text, f.file);
    };
    const mp = shape(get('MP+onceassign+derefonce')) as LitmusTest;
    expect(mp.init).toEqual([
      { k: 'loc', type: 'int', ptr: 1, name: 'p', value: { k: 'addr', name: 'y' } },
      { k: 'loc', type: 'int', ptr: 0, name: 'x', value: null },
      { k: 'loc', type: 'int', ptr: 0, name: 'y', value: { k: 'num', v: 0 } },
    ]);
    expect(mp.procs[0]?.params).toEqual([{ type: 'int', ptr: 1, name: 'x' }, { type: 'int', ptr: 2, name: 'p' }]);
    expect(mp.procs[1]?.body[0]).toEqual({ k: 'decl', type: 'int', ptr: 1, name: 'r0' });
    expect(mp.procs[1]?.body[3]).toEqual({ k: 'assign', target: { k: 'id', name: 'r0' }, value: { k: 'call', name: 'rcu_dereference', args: [{ k: 'deref', e: { k: 'id', name: 'p' } }] } });
    expect(mp.condition).toEqual({ quantifier: 'exists', prop: { k: 'and', l: { k: 'atom', loc: { k: 'reg', proc: 1, name: 'r0' }, value: { k: 'addr', name: 'x' }, negated: false }, r: { k: 'atom', loc: { k: 'reg', proc: 1, name: 'r1' }, value: { k: 'num', v: 0 }, negated: false } } });

    const dep = shape(get('dep+plain')) as LitmusTest;
    const body = dep.procs[0]?.body ?? [];
    expect(body[0]).toEqual({ k: 'decl', type: 'int', ptr: 0, name: 'a', init: { k: 'call', name: 'READ_ONCE', args: [{ k: 'deref', e: { k: 'id', name: 'x' } }] } });
    expect(body[2]).toEqual({ k: 'assign', target: { k: 'deref', e: { k: 'id', name: 'z2' } }, value: { k: 'deref', e: { k: 'id', name: 'z1' } } });
    expect(body[3]).toMatchObject({ k: 'if', c: { k: 'bin', op: '==', l: { k: 'deref', e: { k: 'id', name: 'z2' } }, r: { k: 'num', v: 1 } }, then: { k: 'expr', e: { k: 'call', name: 'WRITE_ONCE' } } });
    expect(get('SB+rfionceonce-poonceonces').locations).toEqual([{ k: 'reg', proc: 0, name: 'r1' }, { k: 'reg', proc: 1, name: 'r3' }, { k: 'mem', name: 'x' }, { k: 'mem', name: 'y' }]);
    expect(get('ISA2+pooncelock+pooncelock+pombonce').init[0]).toMatchObject({ k: 'loc', type: 'spinlock_t', name: 'mylock', value: null });

    const docs = docExamples();
    const filter = parseLitmus(docs[5]?.text ?? '', 'doc').filter;
    expect(filter).toEqual({ k: 'and', l: { k: 'atom', loc: { k: 'reg', proc: 0, name: 'r2' }, value: { k: 'num', v: 0 }, negated: false, pos: expect.anything() }, r: { k: 'atom', loc: { k: 'reg', proc: 1, name: 'r2' }, value: { k: 'num', v: 0 }, negated: false, pos: expect.anything() } });
    // The listing with a comment in every syntactic unit (A to L) is the one without comments.
    expect(shape(parseLitmus(docs[8]?.text ?? '', 'doc'))).toEqual(shape(parseLitmus(docs[7]?.text ?? '', 'doc')));
  });

  it('reads ~exists, forall, !=, =>, true/false, P0:r terms, register inits and atomic_t/ATOMIC_INIT', () => {
    const t = parseLitmus(`C t\n{ atomic_t a = ATOMIC_INIT(3); 0:r1=2; int *q = &a; }\nP0(atomic_t *a) { int r0; r0 = atomic_read(a); }\nfilter (true \\/ false)\n~exists (P0:r0!=3 => ~(a=1 /\\ 0:r1=2))\n`, 't');
    expect(t.condition.quantifier).toBe('~exists');
    expect(t.init).toMatchObject([{ k: 'loc', type: 'atomic_t', name: 'a', value: { k: 'num', v: 3 } }, { k: 'reg', proc: 0, name: 'r1', value: { k: 'num', v: 2 } }, { k: 'loc', ptr: 1, name: 'q', value: { k: 'addr', name: 'a' } }]);
    expect(shape({ ...t, condition: { ...t.condition, pos: { line: 0, col: 0 } } })).toMatchObject({ condition: { prop: { k: 'imp', l: { k: 'atom', negated: true }, r: { k: 'not', p: { k: 'and' } } } } });
    expect(parseLitmus('C f\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nforall (x=1)\n', 'f').condition.quantifier).toBe('forall');
  });
});

/** Malformed tests: [description, text, line, what the message must say]. */
const BAD: [string, string, number, RegExp][] = [
  ['empty file', '', 1, /syntax error in header: the file is empty/],
  ['other architecture', 'X86 SB\n{}\n', 1, /unsupported construct 'X86' litmus test at bad\.litmus:1/],
  ['no name', 'C\n{}\n', 1, /syntax error in header: the test has no name/],
  ['unclosed comment', 'C t\n(* Result: Never\n{}\n', 2, /syntax error in comment: '\(\*' is never closed/],
  ['missing init brace', 'C t\nP0(int *x) {}\n', 2, /syntax error in init block: expected '\{', found 'P0'/],
  ['bad init item', 'C t\n{ x = ; }\n', 2, /syntax error in init block: expected a number or a variable name, found ';'/],
  ['process numbering', 'C t\n{}\nP1(int *x) {}\nexists (x=0)\n', 3, /processes are numbered P0, P1/],
  ['value parameter', 'C t\n{}\nP0(int x) {}\nexists (x=0)\n', 3, /parameter 'x' must be a pointer/],
  ['while loop', 'C t\n{}\nP0(int *x) {\n  while (1) {}\n}\nexists (x=0)\n', 4, /unsupported construct 'while' at bad\.litmus:4 \(herd7 C has no loops/],
  ['goto', 'C t\n{}\nP0(int *x) {\n  goto out;\n}\nexists (x=0)\n', 4, /unsupported construct 'goto' at bad\.litmus:4/],
  ['SRCU', 'C t\n{}\nP0(int *s) {\n  int r;\n  r = srcu_read_lock(s);\n}\nexists (0:r=0)\n', 5, /unsupported construct 'srcu_read_lock\(\)' at bad\.litmus:5 \(SRCU is not supported/],
  ['unknown function', 'C t\n{}\nP0(int *x) {\n  frob(x);\n}\nexists (x=0)\n', 4, /unsupported construct 'frob\(\)' at bad\.litmus:4 \(not a primitive of linux-kernel\.def\)/],
  ['struct access', 'C t\n{}\nP0(int *x) {\n  int r;\n  r = x->f;\n}\nexists (x=0)\n', 5, /unsupported construct '->' at bad\.litmus:5/],
  ['array', 'C t\n{}\nP0(int *x) {\n  int r[2];\n}\nexists (x=0)\n', 4, /unsupported construct array at bad\.litmus:4/],
  ['READ_ONCE without *', 'C t\n{}\nP0(int *x) {\n  int r;\n  r = READ_ONCE(x);\n}\nexists (x=0)\n', 5, /READ_ONCE\(\): argument 1 must be a location written \*p; write READ_ONCE\(\*x\)/],
  ['wrong arity', 'C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x);\n}\nexists (x=0)\n', 4, /syntax error in WRITE_ONCE\(\): takes 2 arguments, found 1/],
  ['missing semicolon', 'C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1)\n}\nexists (x=0)\n', 5, /syntax error in P0 body: expected ';', found '\}'/],
  ['unclosed body', 'C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1);\n', 5, /syntax error in P0 body: expected '\}', found end of file/],
  ['no condition', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n', 4, /syntax error in final condition: the test has no exists, ~exists or forall clause/],
  ['garbage after condition', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1) junk\n', 4, /syntax error in final condition: expected the end of the file, found 'junk'/],
  ['bad condition term', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x<1)\n', 4, /syntax error in condition: expected '=' after x, found '<'/],
  ['global not a parameter', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nP1(int *y) {\n  int r;\n  r = READ_ONCE(*x);\n}\nexists (x=1)\n', 6, /P1 uses x, which is not one of its parameters/],
  ['unknown register in condition', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (0:r9=1)\n', 4, /the condition names 0:r9 but P0 has no register r9/],
  ['unknown process in condition', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (3:r0=1)\n', 4, /the condition names 3:r0 but the test has no P3/],
  ['unknown variable in condition', 'C t\n{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (q=1)\n', 4, /the condition names q, which is not a shared variable/],
  ['void primitive as a value', 'C t\n{}\nP0(int *x) {\n  int r;\n  r = smp_mb();\n}\nexists (x=1)\n', 5, /smp_mb\(\) returns no value/],
  ['lock and atomic', 'C t\n{ atomic_t s; }\nP0(spinlock_t *s) { spin_lock(s); }\nexists (0:r=0)\n', 3, /s is used as a spinlock_t but is an atomic_t/],
  ['absurd nesting', `C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, ${'('.repeat(5000)}1${')'.repeat(5000)});\n}\nexists (x=1)\n`, 4, /unsupported construct nesting deeper than 256 levels at bad\.litmus:4/],
  ['bad character', 'C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1) @\n}\n', 4, /syntax error in P0 body: expected ';', found '@'/],
];

describe('malformed litmus tests', () => {
  for (const [what, text, line, re] of BAD) {
    it(`${what}: one line naming file, line and construct`, () => {
      let err: unknown = null;
      try {
        runLitmusText(text, 'bad.litmus');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LitmusError);
      const e = err as LitmusError;
      expect(e.message).toMatch(re);
      expect(e.message).toContain('bad.litmus');
      expect(e.message.split('\n')).toHaveLength(1);
      expect(e.line).toBe(line);
      expect(e.message).toContain(`:${line}`);
    });
  }
});
