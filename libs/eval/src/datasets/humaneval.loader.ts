import { z } from 'zod';
import { isKnownWrongExample } from '../examples/known-wrong';
import { pythonExampleTests } from '../examples/python-examples';
import { readJsonLines } from './json-lines';
import type { EvalProblem } from './problem';

/** openai/human-eval `data/HumanEval.jsonl.gz`. */
const humanEvalRecord = z.object({
  task_id: z.string().min(1),
  prompt: z.string().min(1),
  entry_point: z.string().regex(/^[A-Za-z_]\w*$/, 'must be a Python identifier'),
  canonical_solution: z.string(),
  test: z.string().includes('def check(', { message: 'must define check(candidate)' }),
});

/** human-eval's `execution.py`: `prompt + completion + "\n" + test + "\n" + f"check({entry_point})"`. */
export async function* loadHumanEval(path: string): AsyncGenerator<EvalProblem> {
  for await (const { value } of readJsonLines(path, humanEvalRecord)) {
    yield {
      taskId: value.task_id,
      language: 'python',
      prompt: value.prompt,
      entryPoint: value.entry_point,
      tests: `${value.test}\ncheck(${value.entry_point})\n`,
      exampleTests: pythonExampleTests(
        value.prompt,
        value.entry_point,
        (source) => !isKnownWrongExample(value.task_id, source),
      ),
      canonicalSolution: value.canonical_solution,
      failOnOutput: false,
    };
  }
}
