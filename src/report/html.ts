/**
 * A report as one self-contained HTML file: a timeline picture (one lane per thread, one box per
 * op, preemptions marked by a dashed red line, the violating op in red; hovering a box shows its
 * details, clicking pins them below), the per-thread table, the object history, the state after
 * the key steps and the replay command.
 *
 * No external resources: inline CSS, inline SVG, a few lines of inline script, and a
 * Content-Security-Policy that forbids loading anything. Every model-provided string goes through
 * `escHtml` (text and attributes); the embedded JSON for the script has `<` and the line
 * separators escaped so it can never end its <script> element. The script only uses textContent.
 * Leaves out: zoom and filtering (a minimized schedule is a few dozen steps).
 */
import { activeThreads, afterText, changesText, detailLines, fmtVal, objectLines, opText, roleText, sizeLine, stateKeys, threadName } from './format.js';
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

const ABBR: Record<string, string> = {
  read: 'rd', write: 'wr', rmw: 'rmw', 'plain-read': 'ld', 'plain-write': 'st', acquire: 'lock', release: 'unl',
  'try-acquire': 'try', wait: 'wait', choose: '?', spawn: 'spn', join: 'join', alloc: 'new', free: 'free',
  fence: 'mb', yield: 'yld', device: 'hw',
};

const NAMES_W = 170;
const LEFT = 10;
const STEP_W = 34;
const LANE_H = 44;
const TOP = 30;

function tip(r: Report, s: ReportStep): string {
  const ch = changesText(s);
  return `step ${s.index} · ${threadName(r, s.thread)} · ${s.op}${s.switch !== 'none' ? ` · after a ${s.switch}` : ''}\n${opText(s)}${ch ? `\n${ch}` : ''}${s.violating ? `\n${r.title}` : s.role ? `\n(${roleText(s)})` : ''}`;
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

function timeline(r: Report): string {
  const threads = activeThreads(r);
  const lane = new Map(threads.map((t, i) => [t.id, i]));
  const w = LEFT + r.steps.length * STEP_W + 20;
  const h = TOP + threads.length * LANE_H + 10;
  const p: string[] = [`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="timeline">`];
  threads.forEach((t, i) => {
    const y = TOP + i * LANE_H;
    p.push(`<g class="lane" data-thread="${t.id}"><rect class="lane-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${w}" height="${LANE_H}"/></g>`);
  });
  let prev: { x: number; y: number } | null = null;
  for (const s of r.steps) {
    const x = LEFT + s.index * STEP_W;
    const y = TOP + (lane.get(s.thread) ?? 0) * LANE_H + 8;
    if (s.index % 5 === 0) p.push(`<text class="axis" x="${x + 14}" y="${TOP - 10}">${s.index}</text>`);
    if (s.switch === 'preempt') {
      p.push(`<line class="preempt" x1="${x}" y1="${TOP - 6}" x2="${x}" y2="${h - 4}"><title>preemption before step ${s.index}</title></line>`);
    }
    if (prev && s.switch !== 'none') p.push(`<line class="handoff" x1="${prev.x + 28}" y1="${prev.y + 14}" x2="${x + 3}" y2="${y + 14}"/>`);
    const cls = `op op-${escHtml(s.op)}${s.violating ? ' bug' : ''}${s.role ? ' role' : ''}${s.value ? ' fault' : ''}`;
    p.push(`<g class="${cls}" data-step="${s.index}" tabindex="0"><title>${escHtml(tip(r, s))}</title>`
      + `<rect x="${x + 3}" y="${y}" width="28" height="28" rx="4"/>`
      + `<text x="${x + 17}" y="${y + 18}">${escHtml(ABBR[s.op] ?? s.op.slice(0, 3))}</text></g>`);
    prev = { x: x + 3, y };
  }
  p.push('</svg>');
  return p.join('');
}

function table(r: Report): string {
  const threads = activeThreads(r);
  const hasChanges = r.steps.some((s) => s.changes);
  const head = `<tr><th>step</th>${threads.map((t) => `<th>${escHtml(threadName(r, t.id))}</th>`).join('')}${hasChanges ? '<th>state change</th>' : ''}</tr>`;
  const rows = r.steps.map((s) => {
    const cells = threads.map((t) => {
      if (t.id !== s.thread) return '<td></td>';
      const mark = s.switch === 'none' ? '' : `<span class="mark ${s.switch}">${s.switch}</span> `;
      return `<td class="cell">${mark}<code>${escHtml(opText(s))}</code>${roleText(s) ? ` <strong class="bugmark">◀ ${escHtml(roleText(s))}</strong>` : ''}</td>`;
    }).join('');
    const ch = hasChanges ? `<td><code>${escHtml(changesText(s))}</code></td>` : '';
    return `<tr data-step="${s.index}"${s.violating ? ' class="bug"' : ''}><td class="num">${s.index}</td>${cells}${ch}</tr>`;
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
var lines=['step '+s.index+'  T'+s.thread+' '+(t?t.name:'')+'  '+s.op+(s.switch!=='none'?'  (after a '+s.switch+')':''),s.label];
if(s.object!==undefined)lines.push('object: '+s.object);if(s.value!==undefined)lines.push('choose value: '+s.value);
if(s.detail!==undefined)lines.push('detail: '+s.detail);
if(s.changes)Object.keys(s.changes).forEach(function(k){lines.push(k+': '+s.changes[k][0]+' -> '+s.changes[k][1])});
if(s.violating)lines.push(d.title);else if(s.role)lines.push('('+s.role+')');box.textContent=lines.join('\\n');
document.querySelectorAll('.sel').forEach(function(e){e.classList.remove('sel')});
document.querySelectorAll('[data-step="'+i+'"]').forEach(function(e){e.classList.add('sel')});}
document.querySelectorAll('[data-step]').forEach(function(e){var i=Number(e.getAttribute('data-step'));
e.addEventListener('click',function(){show(i)});e.addEventListener('mouseenter',function(){if(e.tagName==='g')show(i)});});})();`;

export function renderHtml(r: Report): string {
  const meta = [
    ['model', `<code>${escHtml(r.model.name)}</code> (source hash <code>${escHtml(r.model.hash)}</code>)`],
    ['scenario', `<code>${escHtml(r.model.scenario)}</code>`],
    ['found by', `strategy <code>${escHtml(r.strategy)}</code>, seed ${r.seed}`],
    ['schedule', escHtml(sizeLine(r))],
    ...(r.bug !== undefined ? [['expected bug', `<code>${escHtml(r.bug)}</code>`]] : []),
  ].map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  const extra = [...objectLines(r), ...detailLines(r)].map((l) => `<li>${escHtml(l)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escHtml(r.title)} — ${escHtml(r.model.name)}</title><style>${CSS}</style></head>
<body>
<h1>${escHtml(r.title)}</h1>
<p class="invariant">${escHtml(r.invariant)}</p>
${r.violation.stack !== undefined ? `<pre id="stack">${escHtml(r.violation.stack)}</pre>` : ''}
<dl>${meta}</dl>
<h2>Timeline</h2>
<p class="legend"><span>one lane per thread, one box per visible op</span><span style="color:#e53935">┆ preemption</span><span>red box: the violating op</span><span>hover or click a box for details</span></p>
<div class="lanes">${laneNames(r)}<div class="scroll">${timeline(r)}</div></div>
<div id="details">hover or click an op</div>
<h2>Interleaving</h2>
<div class="scroll">${table(r)}</div>
${extra ? `<ul id="object">${extra}</ul>` : ''}
${stateTable(r)}
<h2>Replay</h2>
<pre id="replay">${escHtml(r.replay)}</pre>
<script type="application/json" id="report-data">${scriptJson(r)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
