/**
 * The litmus models, in the order `mapcheck list` shows them. They check the engine itself:
 * execution counts (readers, lastzero) and one model per violation class the engine detects.
 * Leaves out: kernel designs (the other folders of models/).
 */
import type { AnyModel } from '../../src/index.js';
import { abba, lostUpdate, messagePassing, messagePassingPlain, storeBuffering } from './classic.js';
import { lastzero } from './lastzero.js';
import { readers } from './readers.js';

export { abba, lastzero, lostUpdate, messagePassing, messagePassingPlain, readers, storeBuffering };

export const litmusModels: readonly AnyModel[] = [
  readers, lastzero, storeBuffering, messagePassing, messagePassingPlain, lostUpdate, abba,
];
