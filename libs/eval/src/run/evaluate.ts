import { setMaxListeners } from 'node:events';
import { assemblerFor } from '../assemble/assemblers';
import type { EvalProblem } from '../datasets/problem';
import type { ProgramRunner } from '../execution/program-runner';
import type { CodeSource, Generation } from '../generation/code-source';
import { clip, judgeRun } from './classify';
import type { TaskResult } from './task-result';

export interface EvaluationOptions {
  problems: readonly EvalProblem[];
  source: CodeSource;
  runner: ProgramRunner;
  /** problems in flight at once (generation and execution); the sandbox queues executions to its cores */
  concurrency: number;
  timeoutSeconds: number;
  /** aborting stops new problems and cancels those in flight; finished results are already reported */
  signal: AbortSignal;
  onStart?: (problem: EvalProblem) => void;
  /** called once per finished problem, in finishing order (journal, progress) */
  onResult: (result: TaskResult) => void | Promise<void>;
}

function failedGeneration(problem: EvalProblem, generation: Generation & { ok: false }): TaskResult {
  return {
    task_id: problem.taskId,
    passed: false,
    status: generation.status,
    duration_ms: generation.latencyMs,
    generation_ms: generation.latencyMs,
    tokens: generation.tokens,
    detail: clip(generation.detail),
  };
}

async function generate(options: EvaluationOptions, problem: EvalProblem): Promise<Generation> {
  const start = performance.now();
  try {
    return await options.source.generate(problem, options.signal);
  } catch (error) {
    if (options.signal.aborted) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, status: 'model_error', detail, latencyMs: Math.round(performance.now() - start) };
  }
}

/** One problem: generate, assemble the way the dataset's harness does, run the hidden tests, judge. */
export async function evaluateProblem(options: EvaluationOptions, problem: EvalProblem): Promise<TaskResult> {
  const start = performance.now();
  const generation = await generate(options, problem);
  if (!generation.ok) return failedGeneration(problem, generation);
  const { latencyMs, tokens, verification, rounds, code: completion } = generation;
  const base = {
    task_id: problem.taskId,
    generation_ms: latencyMs,
    tokens,
    verification,
    rounds,
    completion,
  };
  const assembly = assemblerFor(problem.language).assemble(problem, completion);
  if (!assembly.ok) {
    const duration_ms = Math.round(performance.now() - start);
    return { ...base, passed: false, status: 'no_code', duration_ms, detail: assembly.message };
  }
  const { code, tests, shape } = assembly;
  const request = { language: problem.language, code, tests, timeoutSeconds: options.timeoutSeconds };
  const run = await options.runner.run(request, options.signal);
  const verdict = judgeRun(problem, run);
  const duration_ms = Math.round(performance.now() - start);
  return {
    ...base,
    ...verdict,
    passed: verdict.status === 'passed',
    duration_ms,
    execution_ms: run.duration_ms,
    shape,
  };
}

/**
 * Runs every problem with at most `concurrency` in flight. Results are reported as each finishes, so a
 * crash or Ctrl-C loses only the problems still in flight. A sandbox failure (not a test failure) stops
 * the whole run: counting it against the model would make the score wrong.
 */
export async function evaluate(options: EvaluationOptions): Promise<TaskResult[]> {
  const stop = new AbortController();
  const scoped = { ...options, signal: AbortSignal.any([options.signal, stop.signal]) };
  // every problem in flight listens on it (model call, sandbox queue, execution): not a leak
  setMaxListeners(16 + options.concurrency * 8, scoped.signal, options.signal);
  const results: TaskResult[] = [];
  let next = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < options.problems.length && !scoped.signal.aborted) {
      const problem = options.problems[next++] as EvalProblem;
      options.onStart?.(problem);
      const result = await evaluateProblem(scoped, problem);
      if (scoped.signal.aborted) return;
      results.push(result);
      await options.onResult(result);
    }
  };
  const guarded = () =>
    worker().catch((error: unknown) => {
      if (scoped.signal.aborted) return;
      failure = error instanceof Error ? error : new Error(String(error));
      stop.abort(failure);
    });
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, guarded));
  if (failure !== undefined) throw failure;
  return results;
}
