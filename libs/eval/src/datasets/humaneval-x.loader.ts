import { z } from 'zod';
import { throwingConsoleAssert } from '../examples/ecmascript-examples';
import { isKnownWrongExample } from '../examples/known-wrong';
import { readJsonLines } from './json-lines';
import { DatasetFormatError, type EvalProblem } from './problem';

/** THUDM/CodeGeeX `humaneval-x/js/data/humaneval_js.jsonl.gz`. */
const humanEvalXRecord = z.object({
  task_id: z.string().min(1),
  prompt: z.string().min(1),
  declaration: z.string().min(1),
  canonical_solution: z.string(),
  test: z.string().min(1),
  example_test: z.string().optional(),
});

/** HumanEval-X has no entry_point field: it is the last `const name =` of the declaration. */
function entryPointOf(declaration: string): string | undefined {
  const names = [...declaration.matchAll(/^(?:const|let|var|function)\s+([A-Za-z_$][\w$]*)/gm)];
  return names.at(-1)?.[1];
}

/**
 * CodeGeeX runs `prompt + completion + "\n" + test` with node and fails a sample on any output, because
 * its tests use `console.assert`, which prints instead of throwing. The docstring examples come as
 * `example_test`; shown to the model, they get a `console.assert` that throws so a failure is visible.
 */
export async function* loadHumanEvalX(path: string): AsyncGenerator<EvalProblem> {
  for await (const { value, line } of readJsonLines(path, humanEvalXRecord)) {
    const entryPoint = entryPointOf(value.declaration);
    if (!entryPoint) throw new DatasetFormatError(path, line, 'the declaration names no function');
    const examples = isKnownWrongExample(value.task_id, '*') ? undefined : value.example_test?.trim();
    yield {
      taskId: value.task_id,
      language: 'javascript',
      prompt: value.prompt,
      entryPoint,
      tests: value.test,
      exampleTests: examples ? `${throwingConsoleAssert}\n${examples}\n` : undefined,
      canonicalSolution: value.canonical_solution,
      failOnOutput: true,
    };
  }
}
