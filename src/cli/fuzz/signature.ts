/**
 * Bug signatures for deduplication: two violations are the same bug when they have the same model,
 * violation kind, op site labels and object kind (the way syzbot buckets kernel crashes by title
 * and frames rather than by the exact input), and, for kinds whose sites do not say everything
 * (a page fault through an uninitialised pointer vs an error pointer at the same op), the same
 * message once thread ids and addresses are blanked. The signature is a short stable string,
 * `<kind>-<8 hex>`, usable as a file name; the parts stay readable in the finding record.
 * Leaves out: fuzzy matching (two sites that differ only in a number are different signatures).
 */
import { fnv1a } from '../../engine/hash.js';
import type { Violation } from '../../engine/violation.js';

export interface SignatureParts {
  readonly model: string;
  readonly kind: string;
  readonly sites: readonly string[];
  readonly objectKind: string;
  /** The message with thread ids and addresses blanked ('' for kinds whose sites say it all). */
  readonly detail: string;
}

/** Kinds whose sites (and object) identify the bug; their messages vary with the order found. */
const SITES_SUFFICE = new Set(['data-race', 'deadlock', 'lock-order']);

/** Blank what varies between occurrences of one bug: thread ids, addresses, instance numbers. */
export function messageShape(message: string): string {
  return message.replace(/\bT\d+\b/g, 'T').replace(/0x[0-9a-f]+/gi, '0x?').replace(/\b[0-9a-f]{8,}\b/gi, '?').replace(/#\d+/g, '#');
}

/**
 * Sites are sorted (a race found read-first and write-first is one bug). A broken invariant is
 * detected after whichever op happened to run last, so its "site" is the invariant itself (named in
 * the title), not that op.
 */
export function signatureParts(model: string, v: Violation): SignatureParts {
  const sites = v.kind === 'invariant' ? [v.title] : [...new Set(v.sites.map((s) => s.label))].sort();
  return { model, kind: v.kind, sites, objectKind: v.object?.kind ?? '', detail: SITES_SUFFICE.has(v.kind) ? '' : messageShape(v.message) };
}

export function signatureOf(p: SignatureParts): string {
  const h = fnv1a([p.model, p.kind, p.objectKind, p.detail, ...p.sites].join('\u0001'));
  return `${p.kind}-${h.toString(16).padStart(8, '0')}`;
}

/** Signature of a watchdog finding: a model that stopped yielding in one scenario. */
export function hangSignature(model: string, scenario: string): string {
  return `hang-${fnv1a(`${model}\u0001${scenario}`).toString(16).padStart(8, '0')}`;
}
