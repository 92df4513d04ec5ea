/**
 * Wording shared by the renderers, so markdown, text and HTML say the same thing: the size line,
 * thread names, the object's allocation / free history, wait-for and livelock lines, fact values.
 * Every function returns plain strings; each renderer escapes them for its own format.
 * Leaves out: escaping and layout (each renderer).
 */
import type { Site } from '../engine/violation.js';
import type { Report, ReportSize, ReportStep } from './report.js';

export function fmtVal(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > 0xffff ? `0x${v.toString(16)}` : String(v);
}

export function threadName(r: Report, id: number): string {
  const t = r.threads.find((x) => x.id === id);
  return t ? `T${id} ${t.name}` : `T${id}`;
}

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

export function sizeText(s: ReportSize): string {
  return `${plural(s.steps, 'step')}, ${plural(s.preemptions, 'preemption')}${s.faults ? `, ${plural(s.faults, 'injected fault')}` : ''}`;
}

/** `57 steps / 6 preemptions`: the size before minimization, as the minimization line says it. */
function fromText(s: ReportSize): string {
  return `${plural(s.steps, 'step')} / ${plural(s.preemptions, 'preemption')}${s.faults ? ` / ${plural(s.faults, 'injected fault')}` : ''}`;
}

/** `minimized from 57 steps / 6 preemptions`, or `not minimized: budget ran out`. */
export function minimizationText(r: Report): string {
  const m = r.minimization;
  if (m.status === 'minimized') return `minimized from ${fromText(m.from)}`;
  if (m.status === 'partly-minimized') return `minimized from ${fromText(m.from)}, not to the fixed point: ${m.reason}`;
  return `not minimized: ${m.reason}`;
}

/** `8 steps, 1 preemption (minimized from 57 steps / 6 preemptions)`. */
export function sizeLine(r: Report): string {
  return `${sizeText(r.size)} (${minimizationText(r)})`;
}

/**
 * The kernel call an op models, for op boxes and stacks: the last `fn: call(...)` part of its label
 * (`find_vm_area_paddr: rcu_read_lock` -> `rcu_read_lock`, `__vunmap: kfree(area)` -> `kfree`), else the
 * op kind (`va->flags & VM_VM_AREA` is a read).
 */
export function callOf(label: string, op: string): string {
  const parts = label.split(': ');
  const last = (parts[parts.length - 1] ?? '').trim();
  const m = /^([A-Za-z_]\w*)\s*(\(|$)/.exec(last);
  return m?.[1] !== undefined && !C_KEYWORDS.has(m[1]) ? m[1] : op;
}

const C_KEYWORDS = new Set(['if', 'while', 'for', 'return', 'switch', 'sizeof', 'do', 'else']);

/** The function an op's label names (`__vunmap: kfree(area)` -> `__vunmap`). */
export function labelFunction(label: string): string {
  return (label.split(':')[0] ?? label).trim();
}

export function siteText(r: Report, s: Site): string {
  return s.thread < 0 || s.step < 0 ? `setup: ${s.label}` : `${threadName(r, s.thread)} at step ${s.step}: ${s.label}`;
}

/** The threads that ran at least one step (the columns worth drawing). */
export function activeThreads(r: Report): Report['threads'] {
  const ran = new Set(r.steps.map((s) => s.thread));
  return r.threads.filter((t) => ran.has(t.id));
}

/** The flag written after an op of the violation: `BUG`, `freed here`, ... (empty for others). */
export function roleText(s: ReportStep): string {
  if (s.violating) return 'BUG';
  return s.role === 'freed' ? 'freed here' : s.role === 'allocated' ? 'allocated here' : s.role === 'involved' ? 'involved'
    : s.role === 'blocked' ? 'blocked' : '';
}

/** Lines about the object the violation concerns (KASAN's "Allocated by / Freed by"). */
export function objectLines(r: Report): string[] {
  const o = r.violation.object;
  if (!o) return [];
  const out = [`object ${o.name} (${o.kind})`];
  if (o.allocated) out.push(`allocated ${o.allocated.thread < 0 ? 'during ' : 'by '}${siteText(r, o.allocated)}`);
  if (o.freed) out.push(`freed ${o.freed.thread < 0 ? 'during ' : 'by '}${siteText(r, o.freed)}`);
  return out;
}

/** Facts lockdep records for the kernel-log block only (it prints them in its own shape). */
const LOCKDEP_PARTS = /^(dep\d+(_\w+)?|acquiring(_at)?|held(_at)?)$/;

/** Deadlock wait-for edges, livelock cycle, the violation's own facts. */
export function detailLines(r: Report): string[] {
  const v = r.violation;
  const out: string[] = [];
  for (const w of v.waits ?? []) out.push(`${threadName(r, w.thread)} waits for ${w.waitsFor} at ${w.label}`);
  if (v.cycle?.length) out.push(`repeating cycle: ${v.cycle.join(' -> ')}`);
  for (const [k, x] of Object.entries(v.facts ?? {})) if (!(r.lockdep && LOCKDEP_PARTS.test(k))) out.push(`${k} = ${fmtVal(x)}`);
  return out;
}

/** `used 1->0, freed true`: the fact changes of one step. */
export function changesText(s: ReportStep): string {
  if (!s.changes) return '';
  return Object.entries(s.changes).map(([k, [a, b]]) => `${k}: ${fmtVal(a)} → ${fmtVal(b)}`).join('; ');
}

/** The op in one short line: its label, then what it touched and the choose value. */
export function opText(s: ReportStep): string {
  const bits: string[] = [];
  if (s.object !== undefined) bits.push(s.object);
  if (s.value !== undefined) bits.push(`= ${s.value}`);
  if (s.detail !== undefined) bits.push(s.detail);
  const text = bits.length ? `${s.label} [${bits.join(' ')}]` : s.label;
  return s.attempted === 'blocked' ? `${text} (blocked: never ran)` : s.attempted === 'stopped' ? `${text} (stopped here)` : text;
}

/** The fact keys shown in the state table (all keys of any row, in first-seen order). */
export function stateKeys(r: Report): string[] {
  const keys: string[] = [];
  for (const row of r.state) for (const k of Object.keys(row.facts)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

export function afterText(after: number): string {
  return after < 0 ? 'initial' : `after step ${after}`;
}
