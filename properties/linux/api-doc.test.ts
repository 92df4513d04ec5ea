// src/linux/API.md is the table model engineers read: every value src/linux exports must be
// named in it, so the document cannot silently fall behind the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as linux from '../../src/linux/index.js';

describe('src/linux/API.md', () => {
  it('names every exported value', () => {
    const doc = readFileSync(new URL('../../src/linux/API.md', import.meta.url), 'utf8');
    const words = new Set(doc.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
    const missing = Object.keys(linux).filter((name) => !words.has(name)).sort();
    expect(missing.join(' ')).toBe('');
  });
});
