/**
 * The minimizer's public surface (stable: the fuzz campaign and the CLI code against it).
 * Leaves out: the phases' internals (see each file).
 */
export { minimize } from './minimize.js';
export type { MinimizeOptions, MinimizeResult, Size } from './minimize.js';
export type { Keep } from './context.js';
export { sameViolation, violationSignature } from './same.js';
export { attempt, toEvents, toFlat, smaller } from './attempt.js';
export type { Attempt, Event } from './attempt.js';
export { jsonShrinks, jsonSize } from './scenario.js';
