import type { McpToolCalls } from '../mcp-tool-calls';
import { McpTaskRegistry, TASK_TTL_MS } from './task-registry';

/** A tool-call path whose calls finish when the test says so (or when aborted). */
function controllableCalls() {
  const pending: Array<{ resolve: () => void; signal: AbortSignal }> = [];
  const calls = {
    call: (_name: string, _args: unknown, context: { signal: AbortSignal }) =>
      new Promise((resolve, reject) => {
        context.signal.addEventListener('abort', () => reject(new Error('aborted')));
        pending.push({
          signal: context.signal,
          resolve: () => resolve({ content: [{ type: 'text', text: 'ok' }] }),
        });
      }),
  } as unknown as McpToolCalls;
  return { calls, pending };
}

const start = { tool: 'generate_code', args: {}, owner: 'a', transport: 'streamable-http' as const };

describe('McpTaskRegistry', () => {
  it('runs a task to completion; only its owner sees it', async () => {
    const { calls, pending } = controllableCalls();
    const registry = new McpTaskRegistry(calls);
    const task = registry.start(start);
    expect(registry.get(task.taskId, 'a')?.status).toBe('working');
    expect(registry.get(task.taskId, 'b')).toBeUndefined();
    pending[0]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.get(task.taskId, 'a')).toMatchObject({
      status: 'completed',
      result: { content: [{ text: 'ok' }] },
    });
  });

  it('cancel aborts the run and the task stays cancelled; an expired task is forgotten and its run aborted', async () => {
    const { calls, pending } = controllableCalls();
    const registry = new McpTaskRegistry(calls);
    let now = 1_000;
    registry.now = () => now;
    const cancelled = registry.start(start);
    expect(registry.cancel(cancelled.taskId, 'a')).toBe(true);
    expect(pending[0]!.signal.aborted).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.get(cancelled.taskId, 'a')?.status).toBe('cancelled');
    const expiring = registry.start(start);
    now += TASK_TTL_MS + 1;
    expect(registry.get(expiring.taskId, 'a')).toBeUndefined();
    expect(pending[1]!.signal.aborted).toBe(true);
    expect(registry.canRunAsTask('review_code')).toBe(false);
    expect(registry.canRunAsTask('run_tests')).toBe(true);
  });
});
