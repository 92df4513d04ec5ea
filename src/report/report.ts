/**
 * The report document: a violation, its (minimized) schedule as per-thread steps, the state of the
 * objects after the key steps, and how to replay it — as versioned JSON for tools.
 *
 * `REPORT_VERSION` is bumped whenever a field changes meaning or disappears (adding an optional
 * field does not bump it). `parseReport` reads its own version only and refuses any other with one
 * sentence (the CLI turns it into exit code 2), so tools never misread a document; an old report is
 * re-rendered from its token.
 * Leaves out: building (build.ts, kernel-facts.ts) and rendering (markdown.ts, text.ts, html.ts,
 * kernel-log.ts).
 */
import type { Violation } from '../engine/violation.js';
import { UsageError } from '../engine/violation.js';

export const REPORT_FORMAT = 'mapcheck-report';
/** v2: per-step `call` / `stack` / `attempted`, `minimization`, `callTrace`, `kasan`, `kcsan`, `lockdep`. */
export const REPORT_VERSION = 2;

export type Facts = Readonly<Record<string, string | number | boolean>>;

/** How the thread of a step came to run: same thread, a switch (the previous one blocked or ended), or a preemption. */
export type SwitchMark = 'none' | 'switch' | 'preempt';

export interface ReportStep {
  /** Thread-step index (the `step` of violation sites). */
  readonly index: number;
  readonly thread: number;
  readonly label: string;
  /** Op kind name (`rmw`, `acquire`, `free`, ...); `pending` for an op that never ran. */
  readonly op: string;
  /** The kernel call the op models, from its label (`rcu_read_lock`, `spin_lock`), else the op kind. */
  readonly call: string;
  readonly object?: string;
  readonly detail?: string;
  /** The value a `choose` returned (non-zero at an allocation-failure point = injected failure). */
  readonly value?: number;
  readonly switch: SwitchMark;
  /** This step completes the violation (the ◀ BUG mark). */
  readonly violating: boolean;
  /** Its part in the violation: the other access of a race, where the object was freed / allocated, a blocked op of a deadlock. */
  readonly role?: 'involved' | 'freed' | 'allocated' | 'blocked';
  /**
   * Not an op that ran: `blocked`, a lock wait of a deadlock; `stopped`, what the thread was doing
   * when the violation was detected before its next op (the acquire lockdep refused, the
   * dereference that faulted, the WARN_ON that fired).
   */
  readonly attempted?: 'blocked' | 'stopped';
  /** The generator call chain that produced the op, innermost first (when it was captured). */
  readonly stack?: readonly string[];
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

/**
 * Whether the schedule was minimized: to the fixed point, partly (the budget ran out first), or not
 * at all (with why: the budget ran out, the model hung, the caller asked for the token as recorded).
 */
export type Minimization =
  | { readonly status: 'minimized'; readonly from: ReportSize }
  | { readonly status: 'partly-minimized'; readonly from: ReportSize; readonly reason: string }
  | { readonly status: 'not-minimized'; readonly reason: string };

/** A model thread as the kernel names a task (`comm/pid`); thread -1 is the model's setup. */
export interface Task {
  readonly thread: number;
  readonly name: string;
}

/** One memory access of a KASAN / KCSAN report. */
export interface AccessInfo {
  readonly type: 'read' | 'write';
  /** Bytes, where the op knows it (atomic_t, refcount_t, readl, a PTE...). */
  readonly size?: number;
  /** The object accessed, e.g. `vm_struct.used`. */
  readonly object: string;
  readonly step: number;
  readonly task: Task;
  readonly stack: readonly string[];
}

/** KASAN's view: the bad access, the object and where it was allocated and freed. */
export interface KasanInfo {
  /** Absent for a double or invalid free (the free itself is the bad access). */
  readonly access?: AccessInfo;
  readonly object: {
    readonly name: string;
    readonly kind: string;
    /** The field of the object the access hit, its position among the object's fields. */
    readonly field?: string;
    readonly fieldIndex?: number;
    readonly fields?: number;
  };
  readonly allocated?: { readonly task: Task; readonly stack: readonly string[]; readonly step: number };
  readonly freed?: { readonly task: Task; readonly stack: readonly string[]; readonly step: number };
}

/** One lock of lockdep's report: its class, where it was taken, and the stack when known. */
export interface LockSite {
  readonly cls: string;
  readonly at: string;
  readonly task?: Task;
  readonly stack?: readonly string[];
}

export interface LockdepInfo {
  readonly task: Task;
  /** The lock the task tries to take (the new dependency's target). */
  readonly acquiring: LockSite;
  /** The lock it already holds. */
  readonly held: LockSite;
  /**
   * The existing dependency chain from the acquiring lock to the held one, one entry per edge
   * (`from` was held when `cls` was taken at `at`), in the order lockdep learnt it.
   */
  readonly chain: readonly (LockSite & { readonly from: string; readonly holdingAt: string; readonly by: string; readonly earlier: boolean })[];
}

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly version: number;
  /** Kernel-style first line. */
  readonly title: string;
  /** The violated invariant; may span several lines (lockdep's chains). */
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
  readonly minimization: Minimization;
  /** The task and call chain of the op that completes the violation. */
  readonly callTrace?: { readonly task: Task; readonly stack: readonly string[] };
  readonly kasan?: KasanInfo;
  /** KCSAN: both racing accesses, the earlier first. */
  readonly kcsan?: { readonly accesses: readonly AccessInfo[] };
  readonly lockdep?: LockdepInfo;
  /** Expected-bug id this report demonstrates (curated examples). */
  readonly bug?: string;
}

/** The report as pretty JSON (stable key order: the order of the interface). */
export function reportJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/**
 * Read a report document; one-sentence UsageError for anything this version cannot read. Only this
 * version's documents are read: an older one lacks fields the renderers need (re-render it from its
 * token), a newer one may mean something else.
 */
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
  if (version < REPORT_VERSION) {
    throw new UsageError(`report format v${version} is older than this mapcheck reads (v${REPORT_VERSION}); re-render it from its token: mapcheck report <the file's "token">`);
  }
  const r = v as Partial<Report>;
  if (typeof r.title !== 'string' || !Array.isArray(r.steps) || !Array.isArray(r.threads) || typeof r.token !== 'string' || typeof r.violation !== 'object'
    || typeof r.minimization !== 'object' || r.minimization === null) {
    throw new UsageError('mapcheck report is incomplete: it lacks title, threads, steps, token, violation or minimization');
  }
  return v as Report;
}
