import type { EmulatorHandler, EmulatorReply, RecordedRequest } from '@app/testing';

/** What the emulated code model does; switched between measures over IPC. */
export interface EmulatorMode {
  /** fixed delay before the answer (0 = instant) */
  delayMs: number;
  /** streamed answers: this many SSE chunks (a code block spread over them) */
  streamChunks?: number;
  /** delay between streamed chunks; 0 = all chunks in one write, as fast as possible */
  chunkDelayMs?: number;
}

export const INSTANT: EmulatorMode = { delayMs: 0 };

const CODE_REPLY =
  '```python\ndef add(a, b):\n    return a + b\n```\nAdds the two numbers and returns the sum.';
const FORMALIZE_REPLY = JSON.stringify({
  title: 'Add two numbers',
  summary: 'A function that adds two numbers.',
  language: 'python',
  requirements: ['add(a, b) returns a + b'],
  acceptance_criteria: ['add(1, 2) == 3'],
  constraints: [],
  assumptions: [],
  open_questions: [],
});
const REVIEW_REPLY = JSON.stringify({
  summary: 'Correct and simple.',
  verdict: 'approve',
  score: 9,
  issues: [],
});

function promptOf(request: RecordedRequest): string {
  const body = request.body as { prompt?: string; messages?: Array<{ content?: string }> } | undefined;
  return body?.prompt ?? body?.messages?.map((message) => message.content ?? '').join('\n') ?? '';
}

/** A valid answer for whichever tool's prompt this is (the prompts library's wording identifies it). */
export function replyTextFor(request: RecordedRequest): string {
  const prompt = promptOf(request);
  if (prompt.includes('verdict ("approve"')) return REVIEW_REPLY;
  if (prompt.includes('"acceptance_criteria":[')) return FORMALIZE_REPLY;
  return CODE_REPLY;
}

/** `count` chunks that join into one fenced code block: the first opens it, the last closes it. */
export function codeChunks(count: number): string[] {
  const body = Array.from({ length: Math.max(0, count - 2) }, (_, index) => `x${index} = ${index}\n`);
  return ['```python\n', ...body, '```\nAssigns the variables.'];
}

export function handlerFor(mode: EmulatorMode): EmulatorHandler {
  const chunks = mode.streamChunks === undefined ? undefined : codeChunks(mode.streamChunks);
  return (request): EmulatorReply => {
    if (chunks !== undefined) return { chunks, delayMs: mode.delayMs, chunkDelayMs: mode.chunkDelayMs ?? 0 };
    return { text: replyTextFor(request), delayMs: mode.delayMs };
  };
}
