import { STATUS_LABELS } from '../run/task-result';
import type { EvalResults } from './eval-results';
import { percent, runStats, seconds, type Distribution } from './stats';

function row(label: string, value: string): string {
  return `  ${label.padEnd(22)} ${value}`;
}

function latency(d: Distribution | undefined): string {
  return d ? `p50 ${Math.round(d.p50)} ms · p90 ${Math.round(d.p90)} ms · max ${Math.round(d.max)} ms` : '—';
}

/** The terminal summary printed at the end of a run. */
export function renderSummaryTable(results: EvalResults): string {
  const stats = runStats(results.tasks);
  const failures = Object.entries(results.failures_by_reason)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${STATUS_LABELS[status as keyof typeof STATUS_LABELS]} ${count}`);
  const scope = results.complete
    ? ''
    : ` (interrupted: ${results.total} of ${results.dataset_size} problems)`;
  const tokens = stats.tokens
    ? `mean ${Math.round(stats.tokens.mean)} per task${stats.tokensEstimated ? ' (estimated, chars/4)' : ''}`
    : '—';
  return [
    `${results.dataset} · ${results.mode}${scope}`,
    row('pass@1', `${percent(results.pass_at_1)}  (${results.passed}/${results.total})`),
    row('failures', failures.length > 0 ? failures.join(' · ') : 'none'),
    row('generation latency', latency(stats.generationMs)),
    row('execution latency', latency(stats.executionMs)),
    row('tokens', tokens),
    row('wall time', `${seconds(results.wall_ms)} at concurrency ${results.config.concurrency}`),
    row(
      'code model',
      `${results.config.endpoints.code}${results.config.models.code ? ` (${results.config.models.code})` : ''}`,
    ),
    row('gateway', results.config.gateway),
  ].join('\n');
}
