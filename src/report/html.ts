/**
 * A report as one self-contained HTML file: a timeline picture (one lane per thread, one box per
 * op naming the kernel call it models -- `rcu_read_lock`, `spin_lock`, `kfree` -- preemptions marked
 * by a dashed red line, the op that completes the violation in red, an op that never ran dashed;
 * hovering a box shows its details and call chain, clicking pins them below), the kernel's console
 * report (kernel-log.ts), the per-thread table, the object history, the state after the key steps
 * and the replay command.
 *
 * Long traces stay readable: past FOLD_OVER steps, a run of one thread's steps that plays no part
 * in the violation folds into one box (and one table row) that opens on a click; on load the
 * timeline scrolls to the violating op and its details are shown.
 * No external resources: inline CSS, inline SVG, a few lines of inline script, and a
 * Content-Security-Policy that forbids loading anything. Every model-provided string goes through
 * `escHtml` (text and attributes); the embedded JSON for the script has `<` and the line
 * separators escaped so it can never end its <script> element. The script only uses textContent.
 * Leaves out: zoom and filtering by thread.
 */
import { activeThreads, afterText, changesText, detailLines, fmtVal, objectLines, opText, roleText, sizeLine, stateKeys, threadName } from './format.js';
import { kernelLog } from './kernel-log.js';
import type { Report, ReportStep } from './report.js';

/** Escape for HTML text and double- or single-quoted attribute values. */
export function escHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const NAMES_W = 170;
const LEFT = 10;
const MIN_W = 34;
const MAX_W = 150;
const CHAR_W = 6.4;
const LANE_H = 44;
const TOP = 30;
/** Traces longer than this fold runs of one thread's uninvolved steps. */
export const FOLD_OVER = 30;
/** A fold hides at least this many steps. */
const FOLD_MIN = 3;
/** Steps kept visible at each end of a run. */
const RUN_EDGE = 2;

/** One box of the timeline: a step, or a fold of several consecutive steps of one thread. */
type Item = { readonly step: ReportStep; readonly fold?: undefined } | { readonly fold: number; readonly steps: readonly ReportStep[]; readonly step?: undefined };

/** Steps worth keeping visible in a run: its edges and anything the violation involves. */
function keeps(s: ReportStep): boolean {
  return s.violating || s.role !== undefined || s.attempted !== undefined || s.changes !== undefined || (s.value ?? 0) > 0 || s.switch !== 'none';
}

/** The timeline's boxes: every step, with uninvolved stretches of one thread's runs folded in long traces. */
export function foldSteps(steps: readonly ReportStep[]): Item[] {
  if (steps.length <= FOLD_OVER) return steps.map((step) => ({ step }));
  const out: Item[] = [];
  let folds = 0;
  for (let i = 0; i < steps.length;) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1]?.thread === steps[i]?.thread && !steps[j + 1]?.attempted) j++;
    const run = steps.slice(i, j + 1);
    let hold: ReportStep[] = [];
    const flush = (): void => {
      if (hold.length >= FOLD_MIN) out.push({ fold: folds++, steps: hold });
      else for (const step of hold) out.push({ step });
      hold = [];
    };
    run.forEach((st, k) => {
      if (k < RUN_EDGE || k >= run.length - RUN_EDGE || keeps(st)) {
        flush();
        out.push({ step: st });
      } else {
        hold.push(st);
      }
    });
    flush();
    i = j + 1;
  }
  return out;
}

function boxWidth(it: Item): number {
  const text = it.step ? it.step.call : `⋯ ${it.steps.length}`;
  return Math.max(MIN_W, Math.min(MAX_W, Math.ceil(text.length * CHAR_W) + 12));
}

function tip(r: Report, s: ReportStep): string {
  const ch = changesText(s);
  const head = `step ${s.index} · ${threadName(r, s.thread)} · ${s.op}${s.switch !== 'none' ? ` · after a ${s.switch}` : ''}${s.attempted === 'blocked' ? ' · blocked, never ran' : s.attempted ? ' · the thread stopped here' : ''}`;
  return `${head}\n${opText(s)}${ch ? `\n${ch}` : ''}${s.stack ? `\n${s.stack.join(' ← ')}` : ''}${s.violating ? `\n${r.title}` : s.role ? `\n(${roleText(s)})` : ''}`;
}

/** Lane names in their own picture, so they stay in view while the timeline scrolls. */
function laneNames(r: Report): string {
  const threads = activeThreads(r);
  const h = TOP + threads.length * LANE_H + 10;
  const p: string[] = [`<svg id="lane-names" xmlns="http://www.w3.org/2000/svg" width="${NAMES_W}" height="${h}" viewBox="0 0 ${NAMES_W} ${h}">`];
  threads.forEach((t, i) => {
    const y = TOP + i * LANE_H;
    p.push(`<rect class="lane-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${NAMES_W}" height="${LANE_H}"/>`
      + `<text class="lane-name" x="8" y="${y + LANE_H / 2 + 4}">${escHtml(threadName(r, t.id).slice(0, 22))}</text>`);
  });
  p.push('</svg>');
  return p.join('');
}

function timeline(r: Report, items: readonly Item[]): string {
  const threads = activeThreads(r);
  const lane = new Map(threads.map((t, i) => [t.id, i]));
  const widths = items.map(boxWidth);
  const w = LEFT + widths.reduce((a, b) => a + b, 0) + 20;
  const h = TOP + threads.length * LANE_H + 10;
  const p: string[] = [`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="timeline">`];
  threads.forEach((t, i) => {
    const y = TOP + i * LANE_H;
    p.push(`<g class="lane" data-thread="${t.id}"><rect class="lane-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${w}" height="${LANE_H}"/></g>`);
  });
  let x = LEFT;
  let prev: { x: number; y: number; w: number } | null = null;
  items.forEach((it, n) => {
    const bw = widths[n] as number;
    const first = it.step ?? (it.steps[0] as ReportStep);
    const y = TOP + (lane.get(first.thread) ?? 0) * LANE_H + 8;
    const last = it.step ?? (it.steps[it.steps.length - 1] as ReportStep);
    p.push(`<text class="axis" x="${x + bw / 2}" y="${TOP - 10}">${it.step ? it.step.index : `${first.index}–${last.index}`}</text>`);
    if (first.switch === 'preempt') {
      p.push(`<line class="preempt" x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${h - 4}"><title>preemption before step ${first.index}</title></line>`);
    }
    if (prev && first.switch !== 'none') p.push(`<line class="handoff" x1="${prev.x + prev.w - 3}" y1="${prev.y + 14}" x2="${x + 3}" y2="${y + 14}"/>`);
    if (it.step) {
      const s = it.step;
      const cls = `op op-${escHtml(s.op)}${s.violating ? ' bug' : ''}${s.role ? ' role' : ''}${s.value ? ' fault' : ''}${s.attempted ? ' attempted' : ''}`;
      p.push(`<g class="${cls}" data-step="${s.index}" data-x="${x}" tabindex="0"><title>${escHtml(tip(r, s))}</title>`
        + `<rect x="${x + 3}" y="${y}" width="${bw - 6}" height="28" rx="4"/>`
        + `<text x="${x + bw / 2}" y="${y + 18}">${escHtml(s.call.slice(0, 22))}</text></g>`);
    } else {
      const labels = it.steps.map((s) => `${s.index}: ${opText(s)}`).join('\n');
      p.push(`<g class="op fold" data-fold="${it.fold}" data-x="${x}" tabindex="0"><title>${escHtml(`${it.steps.length} steps of ${threadName(r, first.thread)} folded (click to list them)\n${labels}`)}</title>`
        + `<rect x="${x + 3}" y="${y}" width="${bw - 6}" height="28" rx="4"/>`
        + `<text x="${x + bw / 2}" y="${y + 18}">⋯ ${it.steps.length}</text></g>`);
    }
    prev = { x, y, w: bw };
    x += bw;
  });
  p.push('</svg>');
  return p.join('');
}

function row(r: Report, s: ReportStep, threads: Report['threads'], hasChanges: boolean, fold?: number): string {
  const cells = threads.map((t) => {
    if (t.id !== s.thread) return '<td></td>';
    const mark = s.switch === 'none' ? '' : `<span class="mark ${s.switch}">${s.switch}</span> `;
    return `<td class="cell">${mark}<code>${escHtml(opText(s))}</code>${roleText(s) ? ` <strong class="bugmark">◀ ${escHtml(roleText(s))}</strong>` : ''}</td>`;
  }).join('');
  const ch = hasChanges ? `<td><code>${escHtml(changesText(s))}</code></td>` : '';
  const cls = [s.violating ? 'bug' : '', s.attempted ? 'attempted' : '', fold !== undefined ? 'folded' : ''].filter(Boolean).join(' ');
  return `<tr data-step="${s.index}"${fold !== undefined ? ` data-fold="${fold}"` : ''}${cls ? ` class="${cls}"` : ''}><td class="num">${s.index}</td>${cells}${ch}</tr>`;
}

function table(r: Report, items: readonly Item[]): string {
  const threads = activeThreads(r);
  const hasChanges = r.steps.some((s) => s.changes);
  const head = `<tr><th>step</th>${threads.map((t) => `<th>${escHtml(threadName(r, t.id))}</th>`).join('')}${hasChanges ? '<th>state change</th>' : ''}</tr>`;
  const rows = items.map((it) => {
    if (it.step) return row(r, it.step, threads, hasChanges);
    const first = it.steps[0] as ReportStep;
    const last = it.steps[it.steps.length - 1] as ReportStep;
    const summary = `<tr class="fold-row" data-fold="${it.fold}"><td class="num">${first.index}–${last.index}</td>`
      + `<td colspan="${threads.length + (hasChanges ? 1 : 0)}">⋯ ${it.steps.length} steps of ${escHtml(threadName(r, first.thread))} folded: click to show them</td></tr>`;
    return summary + it.steps.map((s) => row(r, s, threads, hasChanges, it.fold)).join('');
  });
  return `<table id="interleaving"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function stateTable(r: Report): string {
  const keys = stateKeys(r);
  if (!keys.length || !r.state.length) return '';
  const head = `<tr><th></th>${r.state.map((row) => `<th>${escHtml(afterText(row.after))}<br><small>${escHtml(row.why)}</small></th>`).join('')}</tr>`;
  const rows = keys.map((k) => `<tr><td><code>${escHtml(k)}</code></td>${r.state.map((row) => `<td><code>${escHtml(fmtVal(row.facts[k]))}</code></td>`).join('')}</tr>`);
  return `<h2>State of the objects after the key steps</h2><table id="state"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d1d1f;background:#fff}
h1{font:600 18px ui-monospace,monospace;color:#b00020;margin:0 0 6px}h2{font-size:15px;margin:22px 0 8px}
.invariant{font-size:15px;margin:0 0 14px}dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:0 0 14px}
dt{color:#666}dd{margin:0;min-width:0;overflow-wrap:anywhere}code{font:12.5px ui-monospace,monospace}
.scroll{overflow-x:auto;border:1px solid #ddd;border-radius:6px}.lanes{display:flex;align-items:flex-start}.lanes .scroll{flex:1;border-left:0;border-radius:0 6px 6px 0}#lane-names{flex:none;border:1px solid #ddd;border-radius:6px 0 0 6px}
.lane-bg{fill:#fafafa}.lane-bg.odd{fill:#f0f2f5}.lane-name{font:600 12px ui-monospace,monospace;fill:#333}
.axis{font:10px ui-monospace,monospace;fill:#888;text-anchor:middle}
.op rect{fill:#dbe8ff;stroke:#5a7bb5;stroke-width:1}.op text{font:10px ui-monospace,monospace;text-anchor:middle;fill:#123;pointer-events:none}
.op-acquire rect,.op-release rect,.op-try-acquire rect{fill:#e6dcff;stroke:#7a5ab5}.op-free rect,.op-alloc rect{fill:#ffe9c7;stroke:#b5842c}
.op-plain-read rect,.op-plain-write rect{fill:#fff7b0;stroke:#a99a20}.op.fault rect{fill:#ffd0d0}
.op:hover rect,.op:focus rect,.op.sel rect{stroke:#000;stroke-width:2.5}.op.role rect{stroke:#e53935;stroke-width:2.5}.op.bug rect{fill:#e53935;stroke:#7f0000;stroke-width:3}.op.bug text{fill:#fff;font-weight:700}
.op.attempted rect{stroke-dasharray:4 3}.op.fold rect{fill:#eee;stroke:#999;stroke-dasharray:2 2}tr.folded{display:none}tr.fold-row td{color:#666;font-style:italic;cursor:pointer;background:#fafafa}tr.attempted code{opacity:.8}
#kernel-log{white-space:pre;overflow-x:auto;word-break:normal}
.preempt{stroke:#e53935;stroke-width:2;stroke-dasharray:4 3}.handoff{stroke:#999;stroke-width:1}
#details{min-height:3.2em;white-space:pre-wrap;font:12.5px ui-monospace,monospace;background:#f6f8fa;border:1px solid #ddd;border-radius:6px;padding:8px;margin:8px 0}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;color:#666}tr.bug td{background:#ffe5e5}tr.sel td{outline:2px solid #000}.bugmark{color:#b00020}
.mark{font-size:11px;border-radius:3px;padding:0 4px}.mark.preempt{background:#e53935;color:#fff}.mark.switch{background:#ccc}
pre{background:#f6f8fa;border:1px solid #ddd;border-radius:6px;padding:8px;white-space:pre-wrap;word-break:break-all}
.legend span{margin-right:14px}`;

const SCRIPT = `(function(){var d=JSON.parse(document.getElementById('report-data').textContent);
var box=document.getElementById('details');
function show(i){var s=d.steps[i];if(!s)return;var t=d.threads.find(function(x){return x.id===s.thread});
var lines=['step '+s.index+'  T'+s.thread+' '+(t?t.name:'')+'  '+s.op+(s.switch!=='none'?'  (after a '+s.switch+')':'')+(s.attempted==='blocked'?'  (blocked: never ran)':s.attempted?'  (stopped here)':''),s.label];
if(s.object!==undefined)lines.push('object: '+s.object);if(s.value!==undefined)lines.push('choose value: '+s.value);
if(s.detail!==undefined)lines.push('detail: '+s.detail);if(s.stack)lines.push('call chain: '+s.stack.join(' <- '));
if(s.changes)Object.keys(s.changes).forEach(function(k){lines.push(k+': '+s.changes[k][0]+' -> '+s.changes[k][1])});
if(s.violating)lines.push(d.title);else if(s.role)lines.push('('+s.role+')');box.textContent=lines.join('\\n');
document.querySelectorAll('.sel').forEach(function(e){e.classList.remove('sel')});
document.querySelectorAll('[data-step="'+i+'"]').forEach(function(e){e.classList.add('sel')});}
function unfold(f){var rows=document.querySelectorAll('tr[data-fold="'+f+'"]');var ls=[];
rows.forEach(function(e){if(e.classList.contains('fold-row'))e.style.display='none';else{e.classList.remove('folded');ls.push(d.steps[Number(e.getAttribute('data-step'))])}});
box.textContent=ls.filter(Boolean).map(function(s){return s.index+'  T'+s.thread+'  '+s.label}).join('\\n');}
document.querySelectorAll('[data-step]').forEach(function(e){var i=Number(e.getAttribute('data-step'));
e.addEventListener('click',function(){show(i)});e.addEventListener('mouseenter',function(){if(e.tagName==='g')show(i)});});
document.querySelectorAll('[data-fold]').forEach(function(e){if(e.tagName==='g'||e.classList.contains('fold-row'))e.addEventListener('click',function(){unfold(e.getAttribute('data-fold'))});});
var bug=document.querySelector('svg#timeline g.op.bug');if(bug){var sc=document.getElementById('timeline-scroll');
var x=Number(bug.getAttribute('data-x'));sc.scrollLeft=Math.max(0,x-sc.clientWidth/2);show(Number(bug.getAttribute('data-step')));}})();`;

export function renderHtml(r: Report): string {
  const meta = [
    ['model', `<code>${escHtml(r.model.name)}</code> (source hash <code>${escHtml(r.model.hash)}</code>)`],
    ['scenario', `<code>${escHtml(r.model.scenario)}</code>`],
    ['found by', `strategy <code>${escHtml(r.strategy)}</code>, seed ${r.seed}`],
    ['schedule', escHtml(sizeLine(r))],
    ...(r.bug !== undefined ? [['expected bug', `<code>${escHtml(r.bug)}</code>`]] : []),
  ].map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  const extra = [...objectLines(r), ...detailLines(r)].map((l) => `<li>${escHtml(l)}</li>`).join('');
  const items = foldSteps(r.steps);
  const log = kernelLog(r);
  const invariant = r.invariant.split(/\r?\n/).map(escHtml).join('<br>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escHtml(r.title)} — ${escHtml(r.model.name)}</title><style>${CSS}</style></head>
<body>
<h1>${escHtml(r.title)}</h1>
<p class="invariant">${invariant}</p>
<dl>${meta}</dl>
<h2>Timeline</h2>
<p class="legend"><span>one lane per thread, one box per visible op (the kernel call it models)</span><span style="color:#e53935">┆ preemption</span><span>red box: the op that completes the violation</span><span>dashed: never ran</span><span>⋯ n: folded steps (click)</span><span>hover or click a box for details</span></p>
<div class="lanes">${laneNames(r)}<div class="scroll" id="timeline-scroll">${timeline(r, items)}</div></div>
<div id="details">hover or click an op</div>
${log.length ? `<h2>Kernel log</h2>\n<pre id="kernel-log">${escHtml(log.join('\n'))}</pre>` : ''}
<h2>Interleaving</h2>
<div class="scroll">${table(r, items)}</div>
${extra ? `<ul id="object">${extra}</ul>` : ''}
${stateTable(r)}
<h2>Replay</h2>
<pre id="replay">${escHtml(r.replay)}</pre>
<script type="application/json" id="report-data">${scriptJson(r)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
