import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunView } from '../core/agent.types';
import type { RunEvent, RunRecord } from './run-record';

const HEARTBEAT_MS = 15_000;

function write(res: ServerResponse, event: string, data: unknown, id?: number): void {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  res.write(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`);
}

/** The `end` event: the outcome without repeating every step. */
function endPayload(view: RunView) {
  const { id, status, result, error, usage, durationMs, steps } = view;
  return { id, status, result, error, usage, durationMs, stepCount: steps.length };
}

/**
 * SSE for one run: past steps are replayed (after `Last-Event-ID` when the client reconnects), then live
 * steps follow, then one `end` event and the stream closes.
 */
export function streamRunEvents(record: RunRecord, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  const after = Number(req.headers['last-event-id'] ?? 0) || 0;
  for (const step of record.recordedSteps) if (step.index > after) write(res, 'step', step, step.index);
  if (record.finished) {
    write(res, 'end', endPayload(record.view()));
    res.end();
    return;
  }
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const unsubscribe = record.subscribe((event: RunEvent) => {
    if (event.type === 'step') return write(res, 'step', event.step, event.step.index);
    if (event.type !== 'end') return;
    write(res, 'end', endPayload(event.run));
    res.end();
  });
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
