import { STATUS_LABELS, type TaskResult } from '../run/task-result';
import { compareTaskIds, type EvalResults } from './eval-results';
import { percent } from './stats';

export interface TaskPair {
  task_id: string;
  a?: TaskResult;
  b?: TaskResult;
}

export interface Comparison {
  pairs: TaskPair[];
  both: number;
  onlyA: number;
  onlyB: number;
  neither: number;
}

/** Two runs task by task: which problems each one solved. */
export function compareRuns(a: EvalResults, b: EvalResults): Comparison {
  const byId = new Map<string, TaskPair>();
  for (const task of a.tasks) byId.set(task.task_id, { task_id: task.task_id, a: task });
  for (const task of b.tasks)
    byId.set(task.task_id, { ...(byId.get(task.task_id) ?? { task_id: task.task_id }), b: task });
  const pairs = [...byId.values()].sort((x, y) => compareTaskIds(x.task_id, y.task_id));
  const count = (test: (p: TaskPair) => boolean) => pairs.filter(test).length;
  return {
    pairs,
    both: count((p) => p.a?.passed === true && p.b?.passed === true),
    onlyA: count((p) => p.a?.passed === true && p.b?.passed !== true),
    onlyB: count((p) => p.a?.passed !== true && p.b?.passed === true),
    neither: count((p) => p.a?.passed !== true && p.b?.passed !== true),
  };
}

const label = (run: EvalResults, name: string) =>
  `${name}: ${run.dataset} ${run.mode} (${run.config.models.code ?? run.config.endpoints.code})`;
const mark = (task: TaskResult | undefined) =>
  task === undefined ? '—' : task.passed ? '✓' : `✗ ${STATUS_LABELS[task.status]}`;

/** Side by side: the headline numbers, then every task (or only those where the runs differ). */
export function renderComparison(a: EvalResults, b: EvalResults, options: { all?: boolean } = {}): string {
  const comparison = compareRuns(a, b);
  const shown = comparison.pairs.filter((p) => options.all || p.a?.passed !== p.b?.passed);
  const width = Math.max(8, ...shown.map((p) => p.task_id.length));
  const rows = shown.map((p) => `${p.task_id.padEnd(width)}  ${mark(p.a).padEnd(18)}  ${mark(p.b)}`);
  const warning = a.dataset === b.dataset ? [] : [`note: different datasets (${a.dataset} vs ${b.dataset})`];
  return [
    label(a, 'A'),
    label(b, 'B'),
    ...warning,
    `pass@1   A ${percent(a.pass_at_1)} (${a.passed}/${a.total})   B ${percent(b.pass_at_1)} (${b.passed}/${b.total})`,
    `solved by both ${comparison.both} · only A ${comparison.onlyA} · only B ${comparison.onlyB} · neither ${comparison.neither}`,
    '',
    options.all ? 'every task:' : `tasks where they differ (${shown.length}; --all lists every task):`,
    `${'task'.padEnd(width)}  ${'A'.padEnd(18)}  B`,
    ...rows,
  ].join('\n');
}
