import type { McpToolCalls } from '../mcp-tool-calls';
import { McpTaskRegistry, TASK_TTL_MS } from './task-registry';
import { MAX_STORED_TASKS, MemoryTaskStore } from './task-store';

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
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('McpTaskRegistry (in-memory store)', () => {
  it('runs a task to completion; only its owner sees it', async () => {
    const { calls, pending } = controllableCalls();
    const registry = new McpTaskRegistry(calls, new MemoryTaskStore());
    const task = (await registry.start(start))!;
    expect((await registry.get(task.taskId, 'a'))?.status).toBe('working');
    expect(await registry.get(task.taskId, 'b')).toBeUndefined();
    pending[0]!.resolve();
    await settled();
    expect(await registry.get(task.taskId, 'a')).toMatchObject({
      status: 'completed',
      result: { content: [{ text: 'ok' }] },
    });
    expect(registry.runningCount).toBe(0);
  });

  it('cancel aborts the run and the task stays cancelled; an expired task is forgotten and its run aborted', async () => {
    const { calls, pending } = controllableCalls();
    let now = 1_000;
    const registry = new McpTaskRegistry(calls, new MemoryTaskStore(() => now));
    const cancelled = (await registry.start(start))!;
    expect(await registry.cancel(cancelled.taskId, 'a')).toBe(true);
    expect(pending[0]!.signal.aborted).toBe(true);
    await settled();
    expect((await registry.get(cancelled.taskId, 'a'))?.status).toBe('cancelled');
    expect(await registry.cancel(cancelled.taskId, 'b')).toBe(false);
    const expiring = (await registry.start(start))!;
    now += TASK_TTL_MS + 1;
    expect(await registry.get(expiring.taskId, 'a')).toBeUndefined();
    expect(pending[1]!.signal.aborted).toBe(true);
    expect(registry.canRunAsTask('review_code')).toBe(false);
    expect(registry.canRunAsTask('run_tests')).toBe(true);
  });

  it('keeps at most MAX_STORED_TASKS live tasks: then calls answer inline, until old ones expire', async () => {
    let now = 0;
    const store = new MemoryTaskStore(() => now);
    const registry = new McpTaskRegistry(controllableCalls().calls, store);
    for (let i = 0; i < MAX_STORED_TASKS; i += 1) await registry.start(start);
    expect(registry.canRunAsTask('generate_code')).toBe(false);
    now += TASK_TTL_MS + 1;
    // expired: forgotten, their runs aborted, room again
    expect(registry.canRunAsTask('generate_code')).toBe(true);
    expect(registry.runningCount).toBe(0);
    await registry.onModuleDestroy();
  });
});
