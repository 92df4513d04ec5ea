/**
 * The litmus front end: C litmus tests of the Linux kernel's tools/memory-model (parser.ts) compiled
 * to mapcheck models through the public API (compile.ts), explored under a memory model with
 * herd7's verdicts (run.ts, condition.ts), whole directories compared with their expected results
 * (directory.ts), and their text / JSON forms (format.ts). The CLI's `mapcheck litmus` uses this.
 * Leaves out: the memory model itself (src/engine, `memoryModel: 'lkmm'`).
 */
export type { LitmusTest, Verdict, Quantifier, Prop, Expr, Stmt, Proc, CondLoc, CondValue, InitItem, InitValue } from './ast.js';
export { VERDICTS, locKey } from './ast.js';
export { LitmusError } from './errors.js';
export { parseLitmus } from './parser.js';
export { layoutOf } from './layout.js';
export type { Layout, LocInfo, ProcLayout } from './layout.js';
export { compileLitmus } from './compile.js';
export type { CompiledLitmus, CompileOptions, FinalState, FinalValue, FinalValues } from './compile.js';
export type { DepTrace } from './thread-ctx.js';
export { evalProp, verdictOf, validated, witnessCounts, displayKeys } from './condition.js';
export { runLitmus, runLitmusText, LITMUS_STRATEGIES } from './run.js';
export type { LitmusOptions, LitmusResult, LitmusStrategy, StateRow } from './run.js';
export { runLitmusDirectory, runLitmusFile, readIndex, findIndex, litmusFiles } from './directory.js';
export type { DirectoryReport, DirectoryRow } from './directory.js';
export { formatResult, formatTable, resultJson, expectLine } from './format.js';
export { printTest, printExpr, printProp } from './print.js';
export { primitive, primitiveNames } from './primitives.js';
export { missingHelpers } from './interp-prims.js';
