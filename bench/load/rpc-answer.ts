/** A JSON-RPC answer as the lean clients read it (the fields they check). */
export interface RpcAnswer {
  id?: number;
  result?: { isError?: boolean; content?: unknown };
  error?: { message: string };
}

/**
 * The answer to request `id` in a Streamable HTTP response body: a JSON body, or the `data:` line of the
 * SSE event that carries it (progress and log events may come first).
 */
export function answerOf(body: string, id: number): RpcAnswer | undefined {
  if (body.startsWith('{')) return JSON.parse(body) as RpcAnswer;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const message = JSON.parse(line.slice(6)) as RpcAnswer;
    if (message.id === id) return message;
  }
  return undefined;
}
