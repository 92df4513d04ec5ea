/**
 * mapcheck's public API: what models, tests and tools import. Models import only this file
 * (DESIGN.md §3), so everything a model needs is re-exported here by name.
 * Leaves out: the CLI (src/cli), which is an application of this API.
 */
export { defineModel, proofsOf, scenarioParams, paramsFit } from './engine/model.js';
export { schema, validate, describeSchema } from './engine/schema.js';
export type { Schema, SchemaValue, IntSchema, NumberSchema, BoolSchema, StringSchema, ArraySchema, ObjectSchema, UnionSchema, NullableSchema } from './engine/schema.js';
export { PARAMS_LIMITS, checkParams, paramsProblem } from './engine/params.js';
export type { AnyModel, Check, ExpectedBug, Json, Model, ModelDef, ProofSpec, ThreadSpec } from './engine/model.js';
export { OpKind, Access, Mo, MO_NAMES, READS_OWN, op, accessOf, dependent, describeOp, readsAnything } from './engine/ops.js';
export type { Op, ThreadBody, ThreadGen } from './engine/ops.js';
export { Execution, currentExecution, allocThreadSlot, MAX_THREADS } from './engine/execution.js';
export type { ExecResult, ExecOptions, ThreadState } from './engine/execution.js';
export { MEMORY_MODELS } from './engine/exec-types.js';
export type { MemoryModelName } from './engine/exec-types.js';
export { explore } from './engine/explore.js';
export type { ExploreOptions, ExploreResult, Finding } from './engine/explore.js';
export type { Scheduler, SchedulerView, ExecutionOutcome } from './engine/scheduler.js';
export { encodeToken, decodeToken, TOKEN_PREFIX, MAX_TOKEN_LENGTH } from './engine/token.js';
export type { Schedule } from './engine/token.js';
export { violation, defaultTitle, UsageError, ViolationAbort } from './engine/violation.js';
export type { Violation, ViolationKind, Site, ObjectRef, WaitEdge } from './engine/violation.js';
export { Atomic, Cell, Mutex, choose, spawn, join, yieldNow, assert, self, thread } from './engine/prims.js';
export { Rng, mixSeed } from './engine/rng.js';
export { fnv1a } from './engine/hash.js';
export { makeStrategy, strategyNames, STRATEGY_NAMES, isStrategyName } from './strategies/index.js';
export type { StrategyName, StrategyOptions } from './strategies/index.js';
export { ReplayScheduler } from './strategies/replay.js';
export { check, assertModel, replay, runSchedule, checkTokenFits, describeTrace } from './check.js';
export type { CheckOptions, CheckResult, ReplayResult } from './check.js';
export * from './hw/index.js';
export * from './linux/index.js';
export { minimize, sameViolation, violationSignature } from './shrink/index.js';
export type { MinimizeOptions, MinimizeResult } from './shrink/index.js';
export { buildReport, parseReport, reportJson, renderReport, renderMarkdown, renderText, renderHtml, REPORT_VERSION, REPORT_FORMATS } from './report/index.js';
export type { Report, ReportStep, ReportFormat } from './report/index.js';
