/**
 * Pick a renderer by format name (`md`, `json`, `html`, `text`), for the CLI and campaigns.
 * Leaves out: the renderers themselves.
 */
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { type Report, reportJson } from './report.js';
import { renderText } from './text.js';

export const REPORT_FORMATS = ['md', 'json', 'html', 'text'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(r: Report, format: ReportFormat): string {
  switch (format) {
    case 'md': return renderMarkdown(r);
    case 'json': return reportJson(r);
    case 'html': return renderHtml(r);
    case 'text': return renderText(r);
  }
}
