/**
 * Violations as data: every failure the engine or a sanitizer finds becomes a `Violation` value,
 * never a thrown string. Reports, deduplication and minimization all read these fields.
 *
 * The kinds follow DESIGN.md §5 and the kernel's own reporting vocabulary (KASAN, lockdep, KCSAN,
 * refcount_t warnings); `title` is the kernel-style first line a report prints.
 * Leaves out: rendering (src/report) and signatures for deduplication (computed by the campaign).
 */

export type ViolationKind =
  | 'assertion'
  | 'invariant'
  | 'use-after-free'
  | 'double-free'
  | 'invalid-free'
  | 'leak'
  | 'refcount'
  | 'data-race'
  | 'deadlock'
  | 'sleep-in-atomic'
  | 'lock-order'
  | 'lock-misuse'
  | 'rcu'
  | 'page-fault'
  | 'iommu-fault'
  | 'wrong-target'
  | 'step-bound'
  | 'nondeterminism'
  | 'exception'
  | 'usage';

/** Where something happened: which thread, at which step, doing which labelled op. */
export interface Site {
  readonly thread: number;
  readonly step: number;
  readonly label: string;
}

/** The object a violation is about, with its lifetime history (KASAN-style). */
export interface ObjectRef {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly allocated?: Site;
  readonly freed?: Site;
}

/** One entry of a wait-for cycle or of a blocked-thread list. */
export interface WaitEdge {
  readonly thread: number;
  /** What it waits on, e.g. `lock vmap_area_lock held by T1`. */
  readonly waitsFor: string;
  readonly holder?: number;
  readonly label: string;
}

export interface Violation {
  readonly kind: ViolationKind;
  /** Kernel-style first line, e.g. `BUG: KASAN: use-after-free in iounmap`. */
  readonly title: string;
  /** The broken invariant in one sentence. */
  readonly message: string;
  /** Threads involved, first the one that tripped it. */
  readonly threads: readonly number[];
  /** The ops involved (e.g. both accesses of a race). */
  readonly sites: readonly Site[];
  /** Step index (into the schedule's thread steps) at which it was detected; -1 at the end. */
  readonly step: number;
  readonly object?: ObjectRef;
  /** Deadlock: the wait-for cycle (or every blocked thread when there is no cycle). */
  readonly waits?: readonly WaitEdge[];
  /** Step bound: the repeating ops of the livelock. */
  readonly cycle?: readonly string[];
  /** Extra facts for the report (refcount values, bitmap words, ...). */
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
  /**
   * `exception` / `usage` thrown by model code: the JavaScript stack of the throw, model frames
   * only (`    at fn (file:line:col)` lines; source-mapped for TypeScript).
   */
  readonly stack?: string;
}

const DEFAULT_TITLES: Record<ViolationKind, string> = {
  assertion: 'kernel BUG: assertion failed',
  invariant: 'WARNING: invariant violated',
  'use-after-free': 'BUG: KASAN: use-after-free',
  'double-free': 'BUG: KASAN: double-free',
  'invalid-free': 'BUG: KASAN: invalid-free',
  leak: 'unreferenced object (kmemleak)',
  refcount: 'refcount_t: misuse',
  'data-race': 'BUG: KCSAN: data-race',
  deadlock: 'INFO: task blocked: deadlock',
  'sleep-in-atomic': 'BUG: sleeping function called from invalid context',
  'lock-order': 'WARNING: possible circular locking dependency detected',
  'lock-misuse': 'WARNING: bad unlock balance detected!',
  rcu: 'WARNING: suspicious RCU usage',
  'page-fault': 'BUG: unable to handle page fault',
  'iommu-fault': 'iommu: unhandled DMA fault',
  'wrong-target': 'BUG: access reached the wrong physical target',
  'step-bound': 'INFO: rcu_sched self-detected stall (step bound exceeded)',
  nondeterminism: 'mapcheck: nondeterministic model',
  exception: 'Oops: model code threw',
  usage: 'mapcheck: model misuses the API',
};

export function defaultTitle(kind: ViolationKind): string {
  return DEFAULT_TITLES[kind];
}

/**
 * How bad a kind is, for leading a report with the worst of several violations one execution
 * showed (lower is worse): the model's own misuse first (it invalidates the run), then memory
 * safety (use-after-free, double/invalid free), faults, refcount errors, hangs, broken checks and
 * lock/RCU/sleep rules, data races, leaks.
 */
const SEVERITY: Record<ViolationKind, number> = {
  usage: 0, nondeterminism: 0, exception: 1,
  'use-after-free': 2, 'double-free': 2, 'invalid-free': 3,
  'page-fault': 4, 'iommu-fault': 4, 'wrong-target': 4,
  refcount: 5, deadlock: 6, 'step-bound': 6,
  assertion: 7, invariant: 7, 'lock-order': 8, 'lock-misuse': 8, 'sleep-in-atomic': 8, rcu: 8,
  'data-race': 9, leak: 10,
};

export function severity(kind: ViolationKind): number {
  return SEVERITY[kind];
}

/** Violations ordered worst first (stable: equally bad ones keep the order they were found in). */
export function bySeverity(vs: readonly Violation[]): Violation[] {
  return vs.map((v, i) => [v, i] as const).sort((a, b) => severity(a[0].kind) - severity(b[0].kind) || a[1] - b[1]).map((x) => x[0]);
}

/**
 * The key two violations share when they are the same bug (keep-going runs deduplicate by it): the
 * kind and the kernel-style title (which names the violating function), plus, for KASAN kinds, the
 * functions that allocated and freed the object, as syzbot buckets crashes.
 */
export function violationKey(v: Violation): string {
  const fn = (s: Site | undefined): string => (s ? (s.label.split(':')[0] ?? s.label) : '');
  const kasan = v.kind === 'use-after-free' || v.kind === 'double-free' || v.kind === 'invalid-free';
  // A race or an inversion found in either order is one bug: its functions, sorted, name it.
  if (v.kind === 'data-race' || v.kind === 'deadlock' || v.kind === 'lock-order') {
    return [v.kind, ...[...new Set(v.sites.map(fn))].sort()].join('|');
  }
  return [v.kind, v.title, kasan ? `${fn(v.object?.allocated)}>${fn(v.object?.freed)}` : ''].join('|');
}

/** Build a violation, filling the title from the kind when not given. */
export function violation(
  kind: ViolationKind,
  message: string,
  rest: Partial<Omit<Violation, 'kind' | 'message'>> = {},
): Violation {
  return {
    kind,
    title: rest.title ?? DEFAULT_TITLES[kind],
    message,
    threads: rest.threads ?? [],
    sites: rest.sites ?? [],
    step: rest.step ?? -1,
    ...(rest.object ? { object: rest.object } : {}),
    ...(rest.waits ? { waits: rest.waits } : {}),
    ...(rest.cycle ? { cycle: rest.cycle } : {}),
    ...(rest.facts ? { facts: rest.facts } : {}),
    ...(rest.stack !== undefined ? { stack: rest.stack } : {}),
  };
}

/**
 * Thrown (only) by `Execution.fail` to unwind the running model thread at once after a violation
 * was recorded. The engine catches it; it never escapes `runExecution`.
 */
export class ViolationAbort extends Error {
  readonly violation: Violation;
  constructor(violation: Violation) {
    // No stack: nobody reads it (the engine catches it at once), and capturing one cost ~8 % of a
    // keep-going run on a posted model, where most executions end in a violation.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(violation.message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.violation = violation;
  }
}

/** Thrown by the API for misuse that is the caller's mistake, with a how-to-fix sentence. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
