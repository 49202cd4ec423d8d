import { createHash } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  MissingRequiredClientCapabilityError,
  Server,
  type JSONRPCRequest,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { InvalidParamsError } from '../mcp-protocol';
import type { McpTaskRegistry } from '../tasks/task-registry';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/** A tools/call the task path takes over: it answers a CreateTaskResult (`resultType: "task"`). */
export type TaskCallStarter = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result | undefined>;

/**
 * SDK 2.4 validates every tools/call result as a CallToolResult, which a task handle is not; the SDK's
 * documented hook for role-specific wrapping lets a task-backed call through unvalidated (the encode step
 * forwards `resultType: "task"` for tools/call as it is). Everything else keeps the SDK's wrapping.
 */
export class TaskAwareServer extends Server {
  startTask?: TaskCallStarter;

  protected override _wrapHandler(method: string, handler: Handler): Handler {
    const wrapped = super._wrapHandler(method, handler);
    if (method !== 'tools/call') return wrapped;
    return async (request, ctx) => (await this.startTask?.(request, ctx)) ?? wrapped(request, ctx);
  }
}

/** Did this 2026-07-28 request declare the Tasks extension in its per-request client capabilities? */
export function declaresTasks(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as
    { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/** Tasks belong to the credential that created them; without API keys every caller is one principal. */
export function taskOwnerOf(ctx: ServerContext): string {
  const authorization = ctx.http?.req?.headers.get('authorization') ?? '';
  return createHash('sha256').update(authorization).digest('base64url');
}

const TaskIdParams = z.object({ taskId: z.string().min(1) });
const TaskUpdateParams = TaskIdParams.passthrough();

function requireTasksCapability(ctx: ServerContext): void {
  if (declaresTasks(ctx)) return;
  throw new MissingRequiredClientCapabilityError({
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

function notFound(taskId: string): InvalidParamsError {
  return new InvalidParamsError(
    `Failed to retrieve task: Task not found (${taskId}); it expired, or was created with another key`,
  );
}

/** tasks/get, tasks/cancel and tasks/update (Tasks extension, 2026-07-28) over the process's task registry. */
export function registerTaskMethods(server: Server, tasks: McpTaskRegistry): void {
  server.setRequestHandler('tasks/get', { params: TaskIdParams }, async ({ taskId }, ctx) => {
    requireTasksCapability(ctx);
    const task = await tasks.get(taskId, taskOwnerOf(ctx));
    if (!task) throw notFound(taskId);
    return task;
  });
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams }, async ({ taskId }, ctx) => {
    requireTasksCapability(ctx);
    if (!(await tasks.cancel(taskId, taskOwnerOf(ctx)))) throw notFound(taskId);
    return {};
  });
  // the gateway's tasks never wait for client input, so there is nothing outstanding to answer
  server.setRequestHandler('tasks/update', { params: TaskUpdateParams }, async ({ taskId }, ctx) => {
    requireTasksCapability(ctx);
    if (!(await tasks.get(taskId, taskOwnerOf(ctx)))) throw notFound(taskId);
    return {};
  });
}
