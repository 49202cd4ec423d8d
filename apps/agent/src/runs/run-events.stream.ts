import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunBusEvent, RunEventBus } from './events/run-event-bus';
import { isTerminal, toRunSummary, type RunSummary } from './store/run-document';
import type { RunRepository } from './store/run-repository';

const HEARTBEAT_MS = 15_000;

function write(res: ServerResponse, event: string, data: unknown, id?: number): void {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  res.write(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`);
}

/**
 * SSE for one run, served by any replica: stored steps are replayed (after `Last-Event-ID` when the
 * client reconnects), then live events follow from the bus — `step` (id = step index), `progress` while a
 * step runs (no id: not replayed), and one `end` before the stream closes. The bus subscription starts
 * before the replay, and events seen during it are held back, so nothing falls between the two.
 */
export async function streamRunEvents(
  runId: string,
  store: { repository: RunRepository; bus: RunEventBus },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let lastIndex = Number(req.headers['last-event-id'] ?? 0) || 0;
  let replaying = true;
  const held: RunBusEvent[] = [];
  const deliver = (event: RunBusEvent): void => {
    if (res.writableEnded) return;
    if (event.type === 'progress') return write(res, 'progress', event.progress);
    if (event.type === 'end') return end(res, event.run);
    if (event.step.index <= lastIndex) return;
    lastIndex = event.step.index;
    write(res, 'step', event.step, event.step.index);
  };
  const unsubscribe = await store.bus.subscribe(runId, (event) =>
    replaying ? held.push(event) : deliver(event),
  );
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  res.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  for (const step of await store.repository.steps(runId)) deliver({ type: 'step', step });
  const doc = await store.repository.get(runId);
  if (doc && isTerminal(doc.status)) return end(res, toRunSummary(doc));
  replaying = false;
  for (const event of held.splice(0)) deliver(event);
}

function end(res: ServerResponse, run: RunSummary): void {
  if (res.writableEnded) return;
  write(res, 'end', run);
  res.end();
}
