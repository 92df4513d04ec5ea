/**
 * The report stage's public surface (stable: the CLI and the fuzz campaign code against it):
 * build a versioned Report from a token, read one back, render it as markdown, text or HTML.
 * Leaves out: files (src/cli writes them).
 */
export { buildReport } from './build.js';
export type { BuildExtra } from './build.js';
export { REPORT_FORMAT, REPORT_VERSION, parseReport, reportJson } from './report.js';
export type { AccessInfo, Facts, KasanInfo, LockdepInfo, LockSite, Minimization, Report, ReportSize, ReportStep, StateRow, SwitchMark, Task } from './report.js';
export { kernelLog } from './kernel-log.js';
export { renderMarkdown } from './markdown.js';
export { mdCode, mdText, mdFence, termText } from './escape.js';
export { renderText } from './text.js';
export { renderHtml, escHtml, scriptJson } from './html.js';
export { renderReport, REPORT_FORMATS } from './render.js';
export type { ReportFormat } from './render.js';
