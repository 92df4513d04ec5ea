/**
 * The report document: a violation, its (minimized) schedule as per-thread steps, the state of the
 * objects after the key steps, and how to replay it — as versioned JSON for tools.
 *
 * `REPORT_VERSION` is bumped whenever a field changes meaning or disappears (adding an optional
 * field does not bump it). `parseReport` reads any version up to ours and refuses a newer one with
 * one sentence (the CLI turns it into exit code 2), so tools never misread a document.
 * Leaves out: building (build.ts) and rendering (markdown.ts, text.ts, html.ts).
 */
import type { Violation } from '../engine/violation.js';
import { UsageError } from '../engine/violation.js';

export const REPORT_FORMAT = 'mapcheck-report';
export const REPORT_VERSION = 1;

export type Facts = Readonly<Record<string, string | number | boolean>>;

/** How the thread of a step came to run: same thread, a switch (the previous one blocked or ended), or a preemption. */
export type SwitchMark = 'none' | 'switch' | 'preempt';

export interface ReportStep {
  /** Thread-step index (the `step` of violation sites). */
  readonly index: number;
  readonly thread: number;
  readonly label: string;
  /** Op kind name (`rmw`, `acquire`, `free`, ...). */
  readonly op: string;
  readonly object?: string;
  readonly detail?: string;
  /** The value a `choose` returned (non-zero at an allocation-failure point = injected failure). */
  readonly value?: number;
  readonly switch: SwitchMark;
  /** This step is where the violation was detected. */
  readonly violating: boolean;
  /** Its part in the violation: the other access of a race, where the object was freed / allocated. */
  readonly role?: 'involved' | 'freed' | 'allocated';
  /** Inspected facts that changed with this step: key -> [before, after]. */
  readonly changes?: Readonly<Record<string, readonly [string | number | boolean | null, string | number | boolean | null]>>;
}

export interface StateRow {
  /** After which step (-1 = before the first step). */
  readonly after: number;
  /** Why this step is key, e.g. `violation`, `freed area`, `site`. */
  readonly why: string;
  readonly facts: Facts;
}

export interface ReportSize {
  readonly steps: number;
  readonly preemptions: number;
  readonly faults: number;
}

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly version: number;
  /** Kernel-style first line. */
  readonly title: string;
  /** The violated invariant in one sentence. */
  readonly invariant: string;
  readonly kind: string;
  readonly model: { readonly name: string; readonly hash: string; readonly scenario: string; readonly description?: string };
  readonly strategy: string;
  readonly seed: number;
  readonly token: string;
  /** The one-line replay command. */
  readonly replay: string;
  readonly threads: readonly { readonly id: number; readonly name: string }[];
  readonly steps: readonly ReportStep[];
  readonly violation: Violation;
  readonly state: readonly StateRow[];
  readonly size: ReportSize;
  /** Present when the schedule was minimized: its size before. */
  readonly minimizedFrom?: ReportSize;
  /** Expected-bug id this report demonstrates (curated examples). */
  readonly bug?: string;
}

/** The report as pretty JSON (stable key order: the order of the interface). */
export function reportJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Read a report document; one-sentence UsageError for anything this version cannot read. */
export function parseReport(text: string): Report {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError('not a mapcheck report: the file is not JSON');
  }
  if (v === null || typeof v !== 'object' || (v as { format?: unknown }).format !== REPORT_FORMAT) {
    throw new UsageError(`not a mapcheck report: "format" is not "${REPORT_FORMAT}"`);
  }
  const version = (v as { version?: unknown }).version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new UsageError('mapcheck report has no valid "version"');
  }
  if (version > REPORT_VERSION) {
    throw new UsageError(`report format v${version} is newer than this mapcheck reads (v${REPORT_VERSION}); upgrade mapcheck or re-render from the token`);
  }
  const r = v as Partial<Report>;
  if (typeof r.title !== 'string' || !Array.isArray(r.steps) || !Array.isArray(r.threads) || typeof r.token !== 'string' || typeof r.violation !== 'object') {
    throw new UsageError('mapcheck report is incomplete: it lacks title, threads, steps, token or violation');
  }
  return v as Report;
}
