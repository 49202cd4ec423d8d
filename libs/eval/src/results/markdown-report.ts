import { STATUS_LABELS, TASK_STATUSES, type TaskResult } from '../run/task-result';
import type { EvalResults } from './eval-results';
import { percent, runStats, seconds, type Distribution } from './stats';

const cell = (text: string | number | undefined): string =>
  text === undefined ? '' : String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(header: string[], rows: Array<Array<string | number | undefined>>): string {
  const line = (cells: Array<string | number | undefined>) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function distributionRow(label: string, d: Distribution | undefined, unit: string): Array<string | number> {
  if (!d) return [label, '—', '—', '—', '—'];
  const f = (v: number) => (unit ? `${Math.round(v)} ${unit}` : String(Math.round(v)));
  return [label, f(d.p50), f(d.p90), f(d.max), f(d.mean)];
}

function failuresSection(results: EvalResults): string {
  const rows = TASK_STATUSES.filter((s) => s !== 'passed').map((status) => {
    const count = results.failures_by_reason[status];
    const share = results.total === 0 ? 0 : count / results.total;
    return [STATUS_LABELS[status], count, percent(share)];
  });
  return `## Failures by reason\n\n${table(['reason', 'tasks', 'share'], rows)}`;
}

function latencySection(results: EvalResults): string {
  const stats = runStats(results.tasks);
  const tokenLabel = stats.tokensEstimated ? 'tokens per task (estimated: chars/4)' : 'tokens per task';
  const rows = [
    distributionRow('generation', stats.generationMs, 'ms'),
    distributionRow('execution (sandbox)', stats.executionMs, 'ms'),
    distributionRow('task total', stats.durationMs, 'ms'),
    distributionRow(tokenLabel, stats.tokens, ''),
  ];
  return `## Latency and tokens\n\n${table(['per task', 'p50', 'p90', 'max', 'mean'], rows)}`;
}

function configSection(results: EvalResults): string {
  const c = results.config;
  const rows: Array<[string, string | number | undefined]> = [
    ['gateway', c.gateway],
    ['agent', c.agent],
    ['code model endpoint', c.endpoints.code],
    ['code model', c.models.code],
    ['planner endpoint', c.endpoints.planner],
    ['planner model', c.models.planner],
    ['concurrency', c.concurrency],
    ['execution timeout', `${c.timeout_seconds} s`],
    ['max repair rounds', c.max_repair_rounds],
    ['limit', c.limit],
    ['commit', c.commit],
    ['node / host', `${c.node} · ${c.host.platform} · ${c.host.cpus} CPUs`],
  ];
  const present = rows.filter(([, value]) => value !== undefined).map(([k, v]) => [k, v]);
  return `## Configuration\n\n${table(['setting', 'value'], present)}`;
}

function taskRows(tasks: readonly TaskResult[]): Array<Array<string | number | undefined>> {
  return tasks.map((t) => [
    t.task_id,
    STATUS_LABELS[t.status],
    t.shape,
    t.generation_ms,
    t.execution_ms,
    t.tokens === undefined ? undefined : `${t.tokens.total}${t.tokens.estimated ? '~' : ''}`,
    t.verification,
    t.detail,
  ]);
}

/** The Markdown report: pass@1, failures by reason, latency and tokens, configuration, every task. */
export function renderMarkdownReport(results: EvalResults): string {
  const scope = results.complete
    ? ''
    : ` — interrupted after ${results.total} of ${results.dataset_size} problems`;
  const headline = table(
    ['dataset', 'mode', 'pass@1', 'passed', 'wall time'],
    [
      [
        results.dataset,
        results.mode,
        percent(results.pass_at_1),
        `${results.passed}/${results.total}`,
        seconds(results.wall_ms),
      ],
    ],
  );
  const header = [
    'task',
    'status',
    'answer',
    'generation ms',
    'execution ms',
    'tokens',
    'verification',
    'detail',
  ];
  return [
    `# Evaluation: ${results.dataset} (${results.mode})${scope}`,
    `Run ${results.started_at} → ${results.finished_at}. pass@1 = the share of problems whose one answer passed the dataset's hidden tests.`,
    headline,
    failuresSection(results),
    latencySection(results),
    configSection(results),
    `## Tasks\n\n${table(header, taskRows(results.tasks))}`,
    '',
  ].join('\n\n');
}
