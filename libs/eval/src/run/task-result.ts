import type { CompletionShape } from '../assemble/assembly';

/** How a task ended. Everything but `passed` is a failure reason. */
export const TASK_STATUSES = [
  'passed',
  'wrong_answer',
  'timeout',
  'compile_error',
  'no_code',
  'model_error',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const STATUS_LABELS: Record<TaskStatus, string> = {
  passed: 'passed',
  wrong_answer: 'wrong answer',
  timeout: 'timeout',
  compile_error: 'compile error',
  no_code: 'no code',
  model_error: 'model error',
};

export interface TaskTokens {
  prompt?: number;
  completion?: number;
  total: number;
  /** true when the backend reported nothing and the number is a chars/4 estimate of the answer */
  estimated: boolean;
}

/** One line of the results: everything a reader needs to see why a task passed or failed. */
export interface TaskResult {
  task_id: string;
  passed: boolean;
  status: TaskStatus;
  /** generation plus execution, wall clock */
  duration_ms: number;
  generation_ms: number;
  execution_ms?: number;
  tokens?: TaskTokens;
  /** whether the answer was a whole function or a body completing the prompt */
  shape?: CompletionShape;
  /** the first failure line, the timeout, or the model error: a short reason a person can read */
  detail?: string;
  /** verified mode: what generate_code's own run of the visible examples said; agent mode: the outcome */
  verification?: string;
  /** repair rounds or agent steps the answer took */
  rounds?: number;
  /** the code that was judged (kept so a result can be re-checked by hand) */
  completion?: string;
}
