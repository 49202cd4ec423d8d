import type { DatasetName } from '../datasets/problem';
import type { EvalMode } from '../generation/code-source';
import { TASK_STATUSES, type TaskResult, type TaskStatus } from '../run/task-result';

/** Where the code came from and how it was judged: enough to reproduce or compare a run. */
export interface EvalConfig {
  /** the gateway measured: a URL, or the built gateway the harness started over stdio */
  gateway: string;
  /** the agent service (agent mode) */
  agent?: string;
  endpoints: { code: string; planner?: string };
  models: { code?: string; planner?: string };
  protocols?: { code?: string; planner?: string };
  concurrency: number;
  timeout_seconds: number;
  max_repair_rounds?: number;
  limit?: number;
  commit?: string;
  node: string;
  host: { cpus: number; platform: string };
}

/** The JSON `--out` gets (INTERFACE.md "Evaluation"). */
export interface EvalResults {
  dataset: DatasetName;
  mode: EvalMode;
  total: number;
  passed: number;
  pass_at_1: number;
  /** false when the run was interrupted: `total` is then what finished, not the dataset */
  complete: boolean;
  dataset_size: number;
  failures_by_reason: Record<Exclude<TaskStatus, 'passed'>, number>;
  started_at: string;
  finished_at: string;
  wall_ms: number;
  tasks: TaskResult[];
  config: EvalConfig;
}

export interface RunHeader {
  dataset: DatasetName;
  mode: EvalMode;
  dataset_size: number;
  started_at: string;
  config: EvalConfig;
}

export function countByStatus(tasks: readonly TaskResult[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const task of tasks) counts[task.status]++;
  return counts;
}

/** pass@1 with one sample per problem: the share of problems whose single answer passed. */
export function buildResults(
  header: RunHeader,
  tasks: readonly TaskResult[],
  finished: { at: Date; wallMs: number; expected: number },
): EvalResults {
  const { passed, ...failures } = countByStatus(tasks);
  const sorted = [...tasks].sort((a, b) => compareTaskIds(a.task_id, b.task_id));
  return {
    dataset: header.dataset,
    mode: header.mode,
    total: tasks.length,
    passed,
    pass_at_1: tasks.length === 0 ? 0 : passed / tasks.length,
    complete: tasks.length >= finished.expected,
    dataset_size: header.dataset_size,
    failures_by_reason: failures,
    started_at: header.started_at,
    finished_at: finished.at.toISOString(),
    wall_ms: finished.wallMs,
    tasks: sorted,
    config: header.config,
  };
}

/** "HumanEval/10" after "HumanEval/9"; MultiPL-E names sort by their HumanEval number too. */
export function compareTaskIds(a: string, b: string): number {
  const number = (id: string) => Number(/(\d+)/.exec(id)?.[1] ?? NaN);
  const byNumber = number(a) - number(b);
  return Number.isNaN(byNumber) || byNumber === 0 ? a.localeCompare(b) : byNumber;
}
