/**
 * How a litmus result reads: herd7's output block (`Test ... Allowed`, `States n`, the states,
 * `Ok`/`No`, `Witnesses`, `Positive: p Negative: n`, `Flag data-race`, `Condition ...`,
 * `Observation name Verdict p n`, `Time`), with the witness states listed under `Witnesses` and
 * mapcheck's own lines after it (memory model, strategy, executions, exhaustiveness, the expected
 * result); a summary table for a directory; and the JSON shape of `mapcheck litmus --json`.
 * herd7's format follows herd/top_herd.ml and the examples of Documentation/litmus-tests.txt; its
 * Positive/Negative count executions, mapcheck's count distinct shown final states.
 * Leaves out: herd7's Hash line (mapcheck does not hash tests the way herd7 does).
 */
import type { Quantifier, Verdict } from './ast.js';
import type { DirectoryReport, DirectoryRow } from './directory.js';
import { witnessCounts } from './condition.js';
import type { LitmusResult } from './run.js';

const KIND: Readonly<Record<Quantifier, string>> = { exists: 'Allowed', '~exists': 'Forbidden', forall: 'Required' };

/** `Expected Never: agrees` / `... DIFFERS` / `no Result: line`. */
export function expectLine(r: LitmusResult, want: Verdict | null): string {
  if (want === null) return 'Expected: the test has no Result: line to compare with';
  if (r.verdict === null) return `Expected ${want}: DIFFERS (no verdict within the budget)`;
  return `Expected ${want}: ${r.verdict === want ? 'agrees' : `DIFFERS (got ${r.verdict})`}`;
}

/** herd7's block for one test; `expect` (the expected verdict, or null for none) adds the comparison. */
export function formatResult(r: LitmusResult, expect?: Verdict | null): string {
  const [pos, neg] = witnessCounts(r.quantifier, r.positive, r.negative);
  const out = [`Test ${r.name} ${KIND[r.quantifier]}`, `States ${r.states.length}`, ...r.states.map((s) => s.state)];
  out.push(r.validated === null ? 'Unknown' : r.validated ? 'Ok' : 'No');
  out.push('Witnesses', `Positive: ${pos} Negative: ${neg}`);
  for (const w of r.witnesses) out.push(`  ${w}`);
  for (const f of r.flags) out.push(`Flag ${f}`);
  out.push(`Condition ${r.condition}`);
  out.push(`Observation ${r.name} ${r.verdict ?? 'Unknown'} ${r.positive} ${r.negative}`);
  out.push(`Time ${r.name} ${(r.elapsedMs / 1000).toFixed(2)}`);
  const extra = [
    r.deadlocked > 0 ? `${r.deadlocked} deadlocked (no final state)` : '',
    r.filtered > 0 ? `${r.filtered} rejected by the filter` : '',
  ].filter(Boolean).join(', ');
  out.push(`mapcheck: memory model ${r.memoryModel}, ${r.strategy}, ${r.executions} executions ${r.exhaustive ? '(exhaustive)' : '(NOT exhaustive: the budget ran out)'}${extra ? `; ${extra}` : ''}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  if (expect !== undefined) out.push(expectLine(r, expect));
  return out.join('\n');
}

function name(row: DirectoryRow): string {
  return row.result?.name ?? row.file.replace(/^.*[/\\]/, '').replace(/\.litmus$/, '');
}

export function formatTable(rep: DirectoryReport, memoryModel: string): string {
  const width = Math.max(4, ...rep.rows.map((r) => name(r).length)) + 2;
  const out = [`${'test'.padEnd(width)}${'expected'.padEnd(11)}${memoryModel.padEnd(11)}${'states'.padStart(7)}${'execs'.padStart(9)}${'ms'.padStart(7)}  flags`];
  for (const row of rep.rows) {
    const r = row.result;
    const want = row.expected ?? row.indexed;
    if (!r) {
      out.push(`${name(row).padEnd(width)}${(want ?? '-').padEnd(11)}${'ERROR'.padEnd(11)}  ${row.error ?? ''}`);
      continue;
    }
    const mark = row.agrees === false ? '  DIFFERS' : '';
    out.push(`${name(row).padEnd(width)}${(want ?? '-').padEnd(11)}${(r.verdict ?? 'Unknown').padEnd(11)}${String(r.states.length).padStart(7)}${String(r.executions).padStart(9)}${String(r.elapsedMs).padStart(7)}  ${r.flags.join(',')}${mark}`);
  }
  out.push(`${rep.rows.length} tests in ${(rep.elapsedMs / 1000).toFixed(2)} s: ${rep.agree} agree, ${rep.differ} differ, ${rep.errors} errors${rep.index ? ` (expected: Result: lines, else ${rep.index})` : ''}`);
  return out.join('\n');
}

/** The JSON form of one result (final states as plain objects). */
export function resultJson(r: LitmusResult): Record<string, unknown> {
  return { ...r, states: r.states.map((s) => ({ state: s.state, values: Object.fromEntries(s.values), satisfies: s.satisfies, race: s.race })) };
}
