/**
 * The report as the kernel's console would print it, one string per line, for every renderer to
 * show verbatim (a code block in markdown, a <pre> in HTML): the shape a kernel developer reads
 * every day, filled with the model's threads, ops and call chains.
 *
 * Follows the kernel's report formats: KASAN (mm/kasan/report.c: the `BUG: KASAN:` line, "Read of
 * size N at addr ... by task comm/pid", the call trace, "Allocated by task" / "Freed by task", "The
 * buggy address belongs to the object"), KCSAN (kernel/kcsan/report.c: both accesses with their
 * stacks), lockdep (kernel/locking/lockdep.c: print_circular_bug's "is trying to acquire lock" /
 * "but task is already holding lock" / "the existing dependency chain (in reverse order)" and
 * print_circular_lock_scenario's CPU0/CPU1 table, print_deadlock_bug for recursive locking,
 * print_usage_bug's {IN-HARDIRQ-W} scenario), the hung-task detector, and the "cut here" block that
 * WARN, BUG and refcount_t warnings start with (lib/refcount.c's refcount_warn_saturate).
 * Leaves out: register dumps, taint flags, module lists, addresses (a model has none: objects are
 * named, `comm/pid` is thread name / thread id).
 */
import type { AccessInfo, LockSite, Report, Task } from './report.js';

const CUT = '------------[ cut here ]------------';
const LINE = '==================================================================';

function task(t: Task): string {
  return t.thread < 0 ? 'setup' : `${t.name}/${t.thread}`;
}

function stack(frames: readonly string[]): string[] {
  return frames.map((f) => ` ${f}`);
}

function callTrace(r: Report): string[] {
  const c = r.callTrace;
  if (!c) return [];
  return [`CPU: ${Math.max(0, c.task.thread)} PID: ${c.task.thread} Comm: ${c.task.name}`, 'Call Trace:', ...stack(c.stack)];
}

function accessLine(a: AccessInfo): string {
  const what = a.type === 'read' ? 'Read' : 'Write';
  return `${what}${a.size !== undefined ? ` of size ${a.size}` : ''} at addr ${a.object} by task ${task(a.task)}`;
}

function kasan(r: Report): string[] {
  const k = r.kasan;
  if (!k) return [];
  const out = [LINE, r.title];
  if (k.access) out.push(accessLine(k.access));
  out.push('', ...callTrace(r), '');
  if (k.allocated) out.push(k.allocated.task.thread < 0 ? 'Allocated during setup:' : `Allocated by task ${task(k.allocated.task)}:`, ...stack(k.allocated.stack), '');
  if (k.freed) out.push(k.freed.task.thread < 0 ? 'Freed during setup:' : `Freed by task ${task(k.freed.task)}:`, ...stack(k.freed.stack), '');
  out.push(`The buggy address belongs to the object ${k.object.name} (${k.object.kind})`);
  if (k.object.field !== undefined) out.push(`The buggy address is located in its field '${k.object.field}' (field ${k.object.fieldIndex ?? '?'} of ${k.object.fields ?? '?'})`);
  out.push(LINE);
  return out;
}

function kcsan(r: Report): string[] {
  const k = r.kcsan;
  if (!k) return [];
  const out = [LINE, r.title, ''];
  for (const a of k.accesses) {
    out.push(`${a.type} to ${a.object}${a.size !== undefined ? ` of ${a.size} bytes` : ''} by task ${task(a.task)}:`, ...stack(a.stack), '');
  }
  out.push(LINE);
  return out;
}

function lockAt(l: LockSite): string[] {
  return [`${l.cls}, at: ${l.at}`, ...(l.stack ? stack(l.stack) : [])];
}

/** print_circular_lock_scenario: source = the lock being acquired, target = the one held, parent = target's parent in the chain. */
function scenario(source: string, target: string, parent: string): string[] {
  const pad = (s: string): string => `                               ${s}`;
  return [
    ...(parent !== source ? ['Chain exists of:', `  ${source} --> ${parent} --> ${target}`, ''] : []),
    ' Possible unsafe locking scenario:', '',
    '       CPU0                    CPU1',
    '       ----                    ----',
    `  lock(${target});`, pad(`lock(${parent});`), pad(`lock(${target});`), `  lock(${source});`, '',
    ' *** DEADLOCK ***',
  ];
}

function lockdep(r: Report): string[] {
  const l = r.lockdep;
  if (!l) return [];
  const bar = '='.repeat(r.title.length);
  const dash = '-'.repeat(r.title.length);
  if (r.kind !== 'lock-order') {
    return [
      bar, r.title, dash, `${task(l.task)} is trying to acquire lock:`, ...lockAt(l.acquiring), '', 'but task is already holding lock:', ...lockAt(l.held), '',
      'other info that might help us debug this:', ' Possible unsafe locking scenario:', '', '       CPU0', '       ----',
      `  lock(${l.held.cls});`, `  lock(${l.acquiring.cls});`, '', ' *** DEADLOCK ***', '', ' May be due to missing lock nesting notation', bar,
    ];
  }
  const out = [
    bar, r.title, dash, `${task(l.task)} is trying to acquire lock:`, ...lockAt(l.acquiring), '', 'but task is already holding lock:', ...lockAt(l.held), '',
    'which lock already depends on the new lock.', '', '', 'the existing dependency chain (in reverse order) is:',
  ];
  // The chain runs acquiring -> ... -> held; lockdep prints it from the held end, then the new link (#0).
  const links = [...l.chain].reverse();
  links.forEach((e, i) => {
    out.push('', `-> #${links.length - i} (${e.cls}):`, `       taken at '${e.at}' while holding ${e.from} (taken at '${e.holdingAt}') by ${e.by}`);
    if (e.earlier) out.push('       (learnt in an earlier execution of this run: no stack)');
    else out.push(...(e.stack ?? []).map((f) => `       ${f}`));
  });
  out.push('', `-> #0 (${l.acquiring.cls}):`, `       being taken at '${l.acquiring.at}' while holding ${l.held.cls} by ${l.task.name}`, ...(l.acquiring.stack ?? []).map((f) => `       ${f}`));
  const parent = l.chain[l.chain.length - 1]?.from ?? l.acquiring.cls;
  out.push('', 'other info that might help us debug this:', '', ...scenario(l.acquiring.cls, l.held.cls, parent), bar);
  return out;
}

function inconsistent(r: Report): string[] {
  const f = r.violation.facts ?? {};
  if (typeof f.lock_class !== 'string' || typeof f.in_hardirq !== 'string') return [];
  const bar = '='.repeat(r.title.length);
  return [
    bar, r.title, '-'.repeat(r.title.length), ...r.invariant.split('\n'), '', 'other info that might help us debug this:',
    ' Possible unsafe locking scenario:', '', '       CPU0', '       ----', `  lock(${f.lock_class});`, '  <Interrupt>', `    lock(${f.lock_class});`, '',
    ' *** DEADLOCK ***', '', ...callTrace(r), bar,
  ];
}

function hung(r: Report): string[] {
  const out: string[] = [];
  for (const w of r.violation.waits ?? []) {
    const name = r.threads.find((t) => t.id === w.thread)?.name ?? `T${w.thread}`;
    const st = r.steps.find((s) => s.attempted && s.thread === w.thread);
    out.push(`INFO: task ${name}:${w.thread} blocked for more than 120 seconds.`, `      waiting for ${w.waitsFor}`, 'Call Trace:', ...stack(st?.stack ?? [w.label]), '');
  }
  return out;
}

/** The "cut here" block of WARN, BUG and refcount_t warnings. */
function cutHere(r: Report): string[] {
  const head = r.kind === 'refcount'
    ? [r.title, `WARNING: CPU: ${Math.max(0, r.callTrace?.task.thread ?? 0)} PID: ${r.callTrace?.task.thread ?? 0} at lib/refcount.c refcount_warn_saturate`]
    : r.title.startsWith('kernel BUG') ? [r.title, 'invalid opcode: 0000 [#1] SMP'] : [r.title];
  return [CUT, ...head, ...callTrace(r), '---[ end trace ]---'];
}

/** The console lines of `r`; empty for kinds the kernel has no report shape for. */
export function kernelLog(r: Report): string[] {
  const lines = shape(r);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function shape(r: Report): string[] {
  if (r.kasan) return kasan(r);
  if (r.kcsan) return kcsan(r);
  if (r.lockdep) return lockdep(r);
  if (r.kind === 'lock-order') return inconsistent(r);
  if (r.kind === 'deadlock') return hung(r);
  if (r.kind === 'refcount' || r.title.startsWith('WARNING: CPU') || r.title.startsWith('kernel BUG')) return cutHere(r);
  if (r.kind === 'page-fault') return [r.title, 'Oops: 0000 [#1] SMP', ...callTrace(r)];
  return r.callTrace ? [r.title, ...callTrace(r)] : [];
}
