import { STATUS_LABELS, TASK_STATUSES, type TaskStatus } from '../run/task-result';
import type { EvalResults } from './eval-results';
import { renderMarkdownReport } from './markdown-report';
import { percent } from './stats';

const COLORS: Record<TaskStatus, string> = {
  passed: '#2e9d5b',
  wrong_answer: '#d9534f',
  timeout: '#8e44ad',
  compile_error: '#e67e22',
  no_code: '#7f8c8d',
  model_error: '#34495e',
};

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One square per task, coloured by how it ended (hover for the task and its reason). */
function taskGrid(results: EvalResults): string {
  const size = 14;
  const perRow = 24;
  const rows = Math.max(1, Math.ceil(results.tasks.length / perRow));
  const cells = results.tasks.map((task, i) => {
    const x = (i % perRow) * (size + 2);
    const y = Math.floor(i / perRow) * (size + 2);
    const title = escapeHtml(
      `${task.task_id}: ${STATUS_LABELS[task.status]}${task.detail ? ` — ${task.detail}` : ''}`,
    );
    return `<rect x="${x}" y="${y}" width="${size}" height="${size}" rx="2" fill="${COLORS[task.status]}"><title>${title}</title></rect>`;
  });
  const width = perRow * (size + 2);
  const height = rows * (size + 2);
  return `<svg role="img" aria-label="every task by outcome" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${cells.join('')}</svg>`;
}

/** One horizontal bar split by outcome, with a legend. */
function outcomeBar(results: EvalResults): string {
  const width = 480;
  let x = 0;
  const counts = { passed: results.passed, ...results.failures_by_reason };
  const parts = TASK_STATUSES.filter((s) => counts[s] > 0).map((status) => {
    const w = results.total === 0 ? 0 : (counts[status] / results.total) * width;
    const rect = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="22" fill="${COLORS[status]}"><title>${STATUS_LABELS[status]}: ${counts[status]}</title></rect>`;
    x += w;
    return rect;
  });
  const legend = TASK_STATUSES.map(
    (s) => `<span class="key"><i style="background:${COLORS[s]}"></i>${STATUS_LABELS[s]} ${counts[s]}</span>`,
  ).join(' ');
  return `<svg role="img" aria-label="outcomes" width="${width}" height="22" viewBox="0 0 ${width} 22">${parts.join('')}</svg><p>${legend}</p>`;
}

/** A self-contained page (no scripts, no external files): the headline, two charts, the full report. */
export function renderHtmlReport(results: EvalResults): string {
  const title = `${results.dataset} · ${results.mode} · pass@1 ${percent(results.pass_at_1)}`;
  const markdown = escapeHtml(renderMarkdownReport(results));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}h1{font-size:1.4rem}
.key{margin-right:1rem;white-space:nowrap}.key i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;font-size:12px}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>${results.passed} of ${results.total} problems passed their hidden tests${results.complete ? '' : ` (interrupted: ${results.total} of ${results.dataset_size} ran)`}.</p>
${outcomeBar(results)}
<h2>Every task</h2>${taskGrid(results)}
<h2>Report</h2><pre>${markdown}</pre>
</body></html>
`;
}
