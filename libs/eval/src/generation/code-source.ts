import type { EvalProblem } from '../datasets/problem';
import type { TaskTokens } from '../run/task-result';

export const EVAL_MODES = ['direct', 'verified', 'agent'] as const;
export type EvalMode = (typeof EVAL_MODES)[number];

/** What one problem's generation produced: code to judge, or why there is none. */
export type Generation =
  | {
      ok: true;
      code: string;
      latencyMs: number;
      tokens?: TaskTokens;
      /** verified: generate_code's own verdict on the visible examples; agent: the run's outcome */
      verification?: string;
      rounds?: number;
    }
  | { ok: false; status: 'no_code' | 'model_error'; detail: string; latencyMs: number; tokens?: TaskTokens };

/** One implementation per mode; each goes through the product's public surface (gateway tools, agent API). */
export interface CodeSource {
  readonly mode: EvalMode;
  generate(problem: EvalProblem, signal: AbortSignal): Promise<Generation>;
}

const LANGUAGE_NAMES = { python: 'Python', javascript: 'JavaScript', typescript: 'TypeScript' } as const;

/**
 * The problem's prompt as the task, with one line saying what is wanted: the prompt alone ends in an
 * open signature, which an instruction model reads as a fragment rather than a request.
 */
export function taskFor(problem: EvalProblem): string {
  const language = LANGUAGE_NAMES[problem.language];
  return `Complete the ${language} function \`${problem.entryPoint}\` below. Keep its name and signature.\n\n${problem.prompt}`;
}

/** chars/4: what the agent loop also uses when a backend reports no usage. */
export function estimateTokens(text: string): TaskTokens {
  return { completion: Math.ceil(text.length / 4), total: Math.ceil(text.length / 4), estimated: true };
}
