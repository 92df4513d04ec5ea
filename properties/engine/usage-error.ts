/**
 * Test helper (not a suite): run `f`, expect it to throw a mapcheck UsageError whose message is one
 * line, and return the message (the contract of every refusal of bad input).
 */
import { expect } from 'vitest';
import { UsageError } from '../../src/index.js';

export function oneLineUsage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a UsageError');
}
