import { z } from 'zod';
import { ecmaScriptExampleTests } from '../examples/ecmascript-examples';
import { readJsonLines } from './json-lines';
import { DatasetFormatError, type EvalLanguage, type EvalProblem } from './problem';

const LANGUAGES: Record<string, EvalLanguage> = { js: 'javascript', ts: 'typescript' };

/** MultiPL-E `humaneval-{js,ts}` (reworded, transformed doctests), as DeepSeek-Coder ships them. */
const multiplERecord = z.object({
  name: z.string().min(1),
  language: z.enum(['js', 'ts']),
  prompt: z.string().min(1),
  tests: z.string().min(1),
});

/** The last `function name(` of the prompt: the one whose body the model writes. */
function entryPointOf(prompt: string): string | undefined {
  const names = [...prompt.matchAll(/^function\s+([A-Za-z_$][\w$]*)\s*\(/gm)].map((m) => m[1]);
  return names.at(-1);
}

/** MultiPL-E's harness runs `prompt + completion + "\n" + tests`; the tests throw on failure. */
export async function* loadMultiplE(path: string): AsyncGenerator<EvalProblem> {
  for await (const { value, line } of readJsonLines(path, multiplERecord)) {
    const entryPoint = entryPointOf(value.prompt);
    if (!entryPoint) throw new DatasetFormatError(path, line, 'the prompt declares no function');
    const language = LANGUAGES[value.language] ?? 'javascript';
    yield {
      taskId: value.name,
      language,
      prompt: value.prompt,
      entryPoint,
      tests: value.tests,
      exampleTests: ecmaScriptExampleTests(value.prompt, language),
      failOnOutput: false,
    };
  }
}
