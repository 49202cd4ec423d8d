/** The languages the harness can assemble and execute. */
export type EvalLanguage = 'python' | 'javascript' | 'typescript';

/** The datasets `npm run eval -- --dataset …` accepts. */
export const DATASET_NAMES = ['humaneval', 'humaneval-x-js', 'multipl-e-js', 'multipl-e-ts'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/**
 * One benchmark problem, whatever file format it came from. The loaders fill it exactly the way the
 * dataset's own harness builds its program, so the rest of the harness never looks at the format again.
 */
export interface EvalProblem {
  taskId: string;
  language: EvalLanguage;
  /** what the model sees: the signature with its docstring (or comment block) */
  prompt: string;
  /** the function the hidden tests call */
  entryPoint: string;
  /** the hidden test program, appended after the solution (HumanEval: `test` + `check(entry_point)`) */
  tests: string;
  /** the docstring's own examples as a test program: the only tests `verified` mode may show the model */
  exampleTests?: string;
  /** the reference completion, when the dataset has one (HumanEval, HumanEval-X) */
  canonicalSolution?: string;
  /** HumanEval-X: `console.assert` does not throw, so any output means failure (CodeGeeX's evaluator) */
  failOnOutput: boolean;
}

/** A record that does not have the shape its format promises: where it is and what is wrong. */
export class DatasetFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'DatasetFormatError';
  }
}
