import { request } from 'node:http';

export interface SseEvent {
  event: string;
  id?: string;
  data: unknown;
}

function parseBlock(block: string): SseEvent | undefined {
  const lines = block.split('\n').filter((l) => l !== '' && !l.startsWith(':'));
  if (lines.length === 0) return undefined;
  const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
  const data = field('data');
  return {
    event: field('event') ?? 'message',
    id: field('id'),
    data: data === undefined ? undefined : JSON.parse(data),
  };
}

/** Reads an SSE stream until the server closes it; bounded by `timeoutMs`. */
export function collectSse(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ status: number; contentType?: string; events: SseEvent[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: { Accept: 'text/event-stream', ...headers }, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (buffer += chunk));
        res.on('end', () => {
          const events = buffer
            .split('\n\n')
            .map(parseBlock)
            .filter((e): e is SseEvent => e !== undefined);
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], events });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
