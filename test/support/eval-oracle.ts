/**
 * An ORACLE for the evaluation harness: model-server emulator handlers that know every problem of a
 * benchmark and answer each one with a scripted solution (the dataset's canonical one, or a wrong body,
 * or an endless loop). The problem is recognised by its prompt, which the harness's task contains
 * verbatim; so the gateway's prompt building and answer parsing run for real on the way.
 */
import type { EmulatorHandler, RecordedRequest } from './model-server-emulator';

export interface OracleProblem {
  /** the problem's prompt as the harness sends it */
  prompt: string;
  /** fence tag of the answer: python, javascript, typescript */
  language: string;
  /** the code the oracle answers with */
  answer: string;
  /** when set, the first answer (no earlier assistant turn); repair rounds then get `answer` */
  firstAnswer?: string;
}

interface ChatBody {
  messages?: Array<{ role?: string; content?: string }>;
  prompt?: string;
}

function textOf(request: RecordedRequest): string {
  const body = request.body as ChatBody | undefined;
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  return messages.map((m) => m.content ?? '').join('\n') + (body?.prompt ?? '');
}

function assistantTurns(request: RecordedRequest): number {
  const messages = (request.body as ChatBody | undefined)?.messages ?? [];
  return messages.filter((m) => m.role === 'assistant').length;
}

/** The problem whose prompt the request quotes (the longest, should one prompt contain another). */
function find(problems: readonly OracleProblem[], text: string): OracleProblem | undefined {
  return problems
    .filter((p) => text.includes(p.prompt.trim()))
    .sort((a, b) => b.prompt.length - a.prompt.length)[0];
}

/** The code model: one fenced block with the scripted answer; prose only for an unknown problem. */
export function oracleCodeModel(problems: readonly OracleProblem[]): EmulatorHandler {
  return (request) => {
    const problem = find(problems, textOf(request));
    if (!problem) return { text: 'I do not know this problem.' };
    const first = assistantTurns(request) === 0 && problem.firstAnswer !== undefined;
    const code = first ? problem.firstAnswer : problem.answer;
    return { text: `\`\`\`${problem.language}\n${code}\n\`\`\`\nThe reference solution.` };
  };
}

/**
 * The planner (text action format of the agent): first `generate_code` for the problem it was given,
 * then `final_answer`. The task is passed on verbatim so the code-model oracle recognises it.
 */
export function oraclePlanner(problems: readonly OracleProblem[]): EmulatorHandler {
  return (request) => {
    const problem = find(problems, textOf(request));
    if (!problem || assistantTurns(request) > 0)
      return { text: JSON.stringify({ tool: 'final_answer', arguments: { answer: 'Done: see the code.' } }) };
    const args = { task: `Complete this function.\n\n${problem.prompt}`, language: problem.language };
    return { text: JSON.stringify({ tool: 'generate_code', arguments: args }) };
  };
}
